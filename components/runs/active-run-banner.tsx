'use client';

import { progressOf, RUN_STATUS } from './run-format';
import { StopRunButton } from './stop-run-button';
import { useActiveRun } from './use-runs';

/** Above the composer while the channel has a run going: its goal, how far it is, and Stop. */
export function ActiveRunBanner({ channelId }: { channelId: string }) {
  const run = useActiveRun(channelId).data;
  if (!run) return null;
  const progress = progressOf(run);
  const share = progress.total > 0 ? progress.finished / progress.total : 0;
  const jump = () => document.querySelector(`[data-testid=run-checklist][data-run-id="${run.id}"]`)?.scrollIntoView({ behavior: 'smooth', block: 'center' });
  return (
    <div
      className="mb-2 flex items-center gap-3 rounded-md border border-sky-200 bg-sky-50 px-3 py-1.5 text-xs dark:border-sky-900 dark:bg-sky-950/40"
      data-testid="active-run-banner"
      data-run-id={run.id}
    >
      <span aria-hidden className="inline-block h-3 w-3 shrink-0 animate-spin rounded-full border-2 border-sky-500 border-t-transparent" />
      <div className="min-w-0 flex-1">
        <button type="button" onClick={jump} className="block max-w-full truncate text-left font-medium text-sky-900 hover:underline dark:text-sky-100" title={run.goal}>
          <span className="sr-only">Goal run {RUN_STATUS[run.status].label.toLowerCase()}: </span>
          {run.goal}
        </button>
        <div className="mt-0.5 flex items-center gap-2 text-sky-800/80 dark:text-sky-200/80">
          <span className="shrink-0" data-testid="active-run-progress">
            {RUN_STATUS[run.status].label} · {progress.text}
          </span>
          {progress.total > 0 && (
            <span
              role="progressbar"
              aria-label="Tasks finished"
              aria-valuemin={0}
              aria-valuemax={progress.total}
              aria-valuenow={progress.finished}
              className="hidden h-1 w-24 overflow-hidden rounded-full bg-sky-200 sm:block dark:bg-sky-900"
            >
              <span className="block h-full rounded-full bg-sky-500" style={{ width: `${share * 100}%` }} />
            </span>
          )}
        </div>
      </div>
      <StopRunButton run={run} />
    </div>
  );
}
