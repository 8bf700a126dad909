import { infiniteQueryOptions, keepPreviousData, queryOptions } from '@tanstack/react-query';
import type { MessagePage } from '@/lib/api-types';
import type { MessageSearchJson, PersonJson } from '@/lib/contracts/search';
import type { AroundPage, AroundParam } from './message-lists';
import { queryKeys } from './query-keys';
import type { RootStore } from './root-store';

/*
 * Search is server data, read through React Query like history; nothing of it is client state.
 * Results sit outside ['channels', ...], so live events never write into them; an around view
 * (the channel opened at a result) is a list of the channel's messages, and they do.
 */

export const messageSearchQuery = (root: RootStore, q: string, limit = 20) =>
  queryOptions({
    queryKey: ['search', 'messages', q, limit] as const,
    queryFn: async ({ signal }) => (await root.http.get<MessageSearchJson>('/api/search', { params: { q, limit }, signal })).data.results,
    enabled: q.trim().length > 0,
    staleTime: 10_000,
    // The list keeps showing the last answer while the next one is typed, instead of flashing empty.
    placeholderData: keepPreviousData,
    retry: false,
  });

export const peopleSearchQuery = (root: RootStore, q: string) =>
  queryOptions({
    queryKey: ['search', 'people', q] as const,
    queryFn: async ({ signal }) => (await root.http.get<{ people: PersonJson[] }>('/api/search/people', { params: { q }, signal })).data.people,
    enabled: q.trim().length > 0,
    staleTime: 30_000,
    placeholderData: keepPreviousData,
    retry: false,
  });

type AroundAnswer = MessagePage & { prevCursor?: string | null; targetId?: string; threadId?: string };

/**
 * Pages in time order: the first centred on the message, older ones before it, newer ones after.
 * Live events keep it current (MessageStore writes into every around view of the channel as into
 * its history), so it is never refetched as stale: a refetch would walk forward from the oldest
 * page's cursor and lose the pages after it.
 */
export const aroundQuery = (root: RootStore, channelId: string, messageId: string) =>
  infiniteQueryOptions({
    queryKey: queryKeys.around(channelId, messageId),
    queryFn: async ({ pageParam }): Promise<AroundPage> => {
      const { data } = await root.http.get<AroundAnswer>(`/api/channels/${channelId}/messages`, { params: { ...pageParam, limit: 50 } });
      if ('around' in pageParam) return { messages: data.messages, older: data.nextCursor, newer: data.prevCursor ?? null, targetId: data.targetId, threadId: data.threadId };
      if ('before' in pageParam) return { messages: data.messages, older: data.nextCursor, newer: null };
      return { messages: data.messages, older: null, newer: data.nextCursor };
    },
    initialPageParam: { around: messageId } as AroundParam,
    getNextPageParam: (last): AroundParam | undefined => (last.newer ? { after: last.newer } : undefined),
    getPreviousPageParam: (first): AroundParam | undefined => (first.older ? { before: first.older } : undefined),
    staleTime: Infinity,
  });
