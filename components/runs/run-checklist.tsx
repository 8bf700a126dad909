'use client';

import { useId } from 'react';
import { useChannel } from '@/components/chat/use-channels';
import { Markdown } from '@/components/ui/markdown';
import type { RunJson } from '@/lib/contracts/runs';
import { budgetDuration, compactNumber, duration, progressOf, RUN_STATUS, runAnnouncement } from './run-format';
import { RunTaskItem } from './run-task-item';
import { StopRunButton } from './stop-run-button';
import { isActive } from './use-runs';
import { useTicking } from './use-ticking';

/**
 * The seconds a run has spent: the server's count, or the clock since it started while it runs
 * (between its events) and until it ended (a run stopped between two steps has counted none yet).
 */
export function elapsedSeconds(run: RunJson, now: number): number {
  const until = isActive(run) ? now : run.endedAt ? Date.parse(run.endedAt) : undefined;
  return until === undefined ? run.usage.seconds : Math.max(run.usage.seconds, (until - Date.parse(run.createdAt)) / 1000);
}

function Meter({ label, used, limit, format, formatLimit = format }: { label: string; used: number; limit: number; format: (value: number) => string; formatLimit?: (value: number) => string }) {
  const share = limit > 0 ? Math.min(1, used / limit) : 0;
  return (
    <div className="min-w-0" data-testid={`run-usage-${label.toLowerCase()}`}>
      <dt className="text-gray-500 dark:text-gray-400">{label}</dt>
      <dd className="whitespace-nowrap tabular-nums text-gray-800 dark:text-gray-100">
        {format(used)} <span className="text-gray-500 dark:text-gray-400">/ {formatLimit(limit)}</span>
        <span aria-hidden className="mt-0.5 block h-1 overflow-hidden rounded-full bg-gray-200 dark:bg-gray-700">
          <span className={`block h-full rounded-full ${share >= 0.9 ? 'bg-amber-500' : 'bg-sky-500'}`} style={{ width: `${share * 100}%` }} />
        </span>
      </dd>
    </div>
  );
}

/**
 * A goal run as a live checklist: the goal, where the run is, each task with its state and
 * assignee, what it spent against its budget, and how it ended. It renders whatever copy of the
 * run it is given; `run:updated` keeps that copy current (RunStore.receive), so it updates live.
 */
export function RunChecklist({ run }: { run: RunJson }) {
  const channel = useChannel(run.channelId).data;
  const members = new Map((channel?.members ?? []).map((member) => [member.id, member]));
  const active = isActive(run);
  const now = useTicking(active);
  const titleId = useId();
  const status = RUN_STATUS[run.status];
  const progress = progressOf(run);
  const supervisor = run.supervisorAgentId ? members.get(run.supervisorAgentId) : undefined;

  return (
    <section
      aria-labelledby={titleId}
      data-testid="run-checklist"
      data-run-id={run.id}
      data-status={run.status}
      className="mt-1 w-full max-w-xl rounded-lg border border-gray-200 bg-white p-3 text-sm shadow-sm dark:border-gray-700 dark:bg-gray-900"
    >
      <header className="flex items-start gap-2">
        <div className="min-w-0 flex-1">
          <p className="text-[0.65rem] font-semibold uppercase tracking-wide text-gray-500 dark:text-gray-400">Goal</p>
          <h3 id={titleId} className="break-words font-semibold text-gray-900 dark:text-gray-50" data-testid="run-goal">
            {run.goal}
          </h3>
        </div>
        <span className={`inline-flex shrink-0 items-center gap-1 rounded px-1.5 py-0.5 text-xs font-semibold ${status.className}`} data-testid="run-status">
          {active && <span aria-hidden className="inline-block h-2.5 w-2.5 animate-spin rounded-full border-2 border-current border-t-transparent" />}
          {status.label}
        </span>
      </header>
      <p className="mt-0.5 text-xs text-gray-500 dark:text-gray-400" data-testid="run-progress">
        {progress.text} · supervised by {run.supervisorAgentId ? (supervisor?.name ?? 'the lead agent') : 'the built-in supervisor'}
      </p>
      {/* Polite: the run's changes are read out when the reader is idle, never interrupting. */}
      <p className="sr-only" role="status" aria-live="polite" data-testid="run-announcement">
        {runAnnouncement(run)}
      </p>

      {run.tasks.length > 0 && (
        <ol aria-label={`Tasks of the goal run, ${progress.text}`} className="mt-2 divide-y divide-gray-100 dark:divide-gray-800" data-testid="run-tasks">
          {run.tasks.map((task, index) => (
            <RunTaskItem key={task.id} task={task} n={index + 1} assignee={task.agentId ? members.get(task.agentId) : undefined} />
          ))}
        </ol>
      )}

      {run.status === 'done' && run.summary && (
        <div className="mt-2 rounded-md bg-emerald-50 px-2 py-1.5 dark:bg-emerald-950/40" data-testid="run-summary">
          <p className="text-xs font-semibold text-emerald-900 dark:text-emerald-200">Summary</p>
          <Markdown source={run.summary} />
        </div>
      )}
      {run.stopReason && (run.status === 'stopped' || run.status === 'failed') && (
        <p className={`mt-2 text-xs ${run.status === 'failed' ? 'text-red-700 dark:text-red-300' : 'text-gray-600 dark:text-gray-300'}`} data-testid="run-stop-reason">
          {run.stopReason}
        </p>
      )}

      <div className="mt-2 flex flex-wrap items-end justify-between gap-2 border-t border-gray-100 pt-2 dark:border-gray-800">
        <dl aria-label="Spent against the budget" className="grid min-w-0 flex-1 basis-64 grid-cols-3 gap-3 text-xs" data-testid="run-usage">
          <Meter label="Steps" used={run.usage.steps} limit={run.budget.steps} format={String} />
          <Meter label="Tokens" used={run.usage.tokens} limit={run.budget.tokens} format={compactNumber} />
          <Meter label="Time" used={elapsedSeconds(run, now)} limit={run.budget.seconds} format={duration} formatLimit={budgetDuration} />
        </dl>
        {active && <StopRunButton run={run} />}
      </div>
    </section>
  );
}
