'use client';

import { PendingLabel } from '@/components/ui/pending-label';
import { useAction } from '@/components/ui/use-action';
import type { RunJson } from '@/lib/contracts/runs';
import { useStores } from '@/stores/context';

/** Stops a run in progress (POST .../stop); the stopped run comes back through RunStore.receive. */
export function StopRunButton({ run, className = '' }: { run: RunJson; className?: string }) {
  const { runs } = useStores();
  const stop = useAction(() => runs.stop(run.channelId, run.id));
  return (
    <span className="inline-flex flex-wrap items-center gap-2">
      <button
        type="button"
        onClick={() => stop.run()}
        disabled={stop.pending}
        data-testid="stop-run"
        aria-label={stop.pending ? undefined : `Stop the goal run: ${run.goal}`}
        className={`rounded-md border border-gray-300 bg-white px-2 py-0.5 text-xs font-medium text-gray-700 hover:bg-gray-100 disabled:opacity-60 dark:border-gray-600 dark:bg-gray-800 dark:text-gray-200 dark:hover:bg-gray-700 ${className}`}
      >
        <PendingLabel pending={stop.pending} idle="■ Stop" busy="Stopping…" />
      </button>
      {stop.error && (
        <span role="alert" className="text-xs text-red-600 dark:text-red-400" data-testid="stop-run-error">
          {stop.error.message}
        </span>
      )}
    </span>
  );
}
