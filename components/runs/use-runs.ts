'use client';

import { queryOptions, useQuery } from '@tanstack/react-query';
import type { RunJson } from '@/lib/contracts/runs';
import { useStores } from '@/stores/context';
import { queryKeys } from '@/stores/query-keys';
import type { RootStore } from '@/stores/root-store';

/** A run still working: the one a channel may have at a time (a second start answers 409). */
export const isActive = (run: RunJson) => run.status === 'planning' || run.status === 'running';

/** A channel's goal runs, newest first; `run:updated` keeps the cached list live (RunStore.receive). */
export const runsQuery = (root: RootStore, channelId: string) =>
  queryOptions({ queryKey: queryKeys.runs(channelId), queryFn: () => root.runs.list(channelId) });

export function useRuns(channelId: string) {
  return useQuery(runsQuery(useStores(), channelId));
}

/**
 * One run, selected from its channel's list, so every view of it (message, banner, canvas) shares
 * one copy. A run the list lacks (older than its page, or announced before its first event) is
 * fetched by itself once, into that same list.
 */
export function useRun(channelId: string, runId: string) {
  const root = useStores();
  const selected = useQuery({ ...runsQuery(root, channelId), select: (runs) => runs.find((run) => run.id === runId) });
  const missing = selected.isSuccess && !selected.data;
  const single = useQuery({ queryKey: [...queryKeys.runs(channelId), runId], queryFn: () => root.runs.load(channelId, runId), enabled: missing, staleTime: Infinity, retry: false });
  // An ended run fetched by itself stays readable after the list is refetched without it.
  return { run: selected.data ?? (missing ? single.data : undefined), pending: selected.isPending || (missing && single.isPending && single.fetchStatus !== 'idle'), error: selected.error ?? (missing ? single.error : null) };
}

/** The channel's run in progress, if any. */
export function useActiveRun(channelId: string) {
  return useQuery({ ...runsQuery(useStores(), channelId), select: (runs) => runs.find(isActive) });
}
