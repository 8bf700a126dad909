import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import type { UsageRange } from '@/lib/api-types';
import { queryKeys } from './query-keys';
import type { RootStore } from './root-store';

/**
 * Query definitions shared by the components that render them and the sidebar that prefetches
 * them, so a hovered channel is fetched exactly as it will be shown.
 */
export const channelQuery = (root: RootStore, channelId: string) =>
  queryOptions({ queryKey: queryKeys.channel(channelId), queryFn: () => root.channels.get(channelId) });

export const historyQuery = (root: RootStore, channelId: string) =>
  infiniteQueryOptions({
    queryKey: queryKeys.messages(channelId),
    queryFn: ({ pageParam }) => root.messages.fetchPage(channelId, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    // A channel visited before renders at once from memory and refreshes in the background.
    staleTime: 5_000,
  });

export const agentsQuery = (root: RootStore) => queryOptions({ queryKey: queryKeys.agents, queryFn: () => root.agents.list() });

export const keysQuery = (root: RootStore) => queryOptions({ queryKey: queryKeys.keys, queryFn: () => root.dashboard.keys() });

export const usageQuery = (root: RootStore, range: UsageRange) =>
  queryOptions({ queryKey: queryKeys.usage(range), queryFn: () => root.dashboard.usage(range), staleTime: 0 });
