import type { RunJson, RunStatus, RunTaskStatus } from '@/lib/contracts/runs';

/** The words and colours of a run's status badge, light and dark. */
export const RUN_STATUS: Record<RunStatus, { label: string; className: string }> = {
  planning: { label: 'Planning', className: 'bg-sky-100 text-sky-800 dark:bg-sky-900/60 dark:text-sky-100' },
  running: { label: 'Running', className: 'bg-sky-100 text-sky-800 dark:bg-sky-900/60 dark:text-sky-100' },
  done: { label: 'Done', className: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-900/60 dark:text-emerald-100' },
  stopped: { label: 'Stopped', className: 'bg-gray-200 text-gray-800 dark:bg-gray-700 dark:text-gray-100' },
  failed: { label: 'Failed', className: 'bg-red-100 text-red-800 dark:bg-red-900/60 dark:text-red-100' },
};

/** How a screen reader says a task's state (the icon says it to the eye). */
export const TASK_STATUS: Record<RunTaskStatus, string> = {
  todo: 'To do',
  doing: 'In progress',
  review: 'Being reviewed',
  done: 'Done',
  failed: 'Failed',
};

/** A time budget as set: "15 min", "1 h", "1 h 30 min", or "90 s" when not whole minutes. */
export function budgetDuration(totalSeconds: number): string {
  if (totalSeconds % 60 !== 0) return `${totalSeconds} s`;
  const minutes = totalSeconds / 60;
  if (minutes < 60) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  return minutes % 60 ? `${h} h ${minutes % 60} min` : `${h} h`;
}

/** 1234 → "1.2k", 200000 → "200k": token counts at a glance. */
export function compactNumber(value: number): string {
  if (value < 1000) return String(value);
  if (value < 1_000_000) return `${trim(value / 1000)}k`;
  return `${trim(value / 1_000_000)}M`;
}
const trim = (value: number) => (value >= 100 ? Math.round(value) : Math.round(value * 10) / 10).toString();

/** Seconds as "42 s", "3:05", "1:02:09". */
export function duration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.floor(totalSeconds));
  if (seconds < 60) return `${seconds} s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** "2 of 5 tasks done" and the share of the run's tasks that are over (done or failed). */
export function progressOf(run: RunJson): { finished: number; total: number; text: string } {
  const total = run.tasks.length;
  const done = run.tasks.filter((task) => task.status === 'done').length;
  const finished = run.tasks.filter((task) => task.status === 'done' || task.status === 'failed').length;
  if (total === 0) return { finished: 0, total: 0, text: run.status === 'planning' ? 'Writing the plan…' : 'No tasks' };
  return { finished, total, text: `${done} of ${total} task${total === 1 ? '' : 's'} done` };
}

/**
 * One sentence of where the run is, for the polite live region: said again whenever it changes,
 * so a screen reader hears the run move on without hunting for what changed.
 */
export function runAnnouncement(run: RunJson): string {
  const status = RUN_STATUS[run.status].label;
  if (run.status === 'planning') return `Goal run planning: ${run.goal}`;
  if (run.status === 'done') return `Goal run done. ${progressOf(run).text}.`;
  if (run.status !== 'running') return `Goal run ${status.toLowerCase()}${run.stopReason ? `: ${run.stopReason.replace(/[.!]+$/, '')}` : ''}.`;
  const at = run.tasks.findIndex((task) => task.status === 'doing' || task.status === 'review');
  const current = at >= 0 ? ` Task ${at + 1}, ${run.tasks[at]!.title}: ${TASK_STATUS[run.tasks[at]!.status].toLowerCase()}.` : '';
  return `Goal run running. ${progressOf(run).text}.${current}`;
}
