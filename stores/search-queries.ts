import { infiniteQueryOptions, keepPreviousData, queryOptions } from '@tanstack/react-query';
import type { Message, MessagePage } from '@/lib/api-types';
import type { MessageSearchJson, PersonJson } from '@/lib/contracts/search';
import type { RootStore } from './root-store';

/*
 * Search is server data, read through React Query like history; nothing of it is client state.
 * The keys sit outside ['channels', id, 'messages'], so live events never write into them.
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

/** A page of the history around a message, with a cursor each way (null at either end of the channel). */
export type AroundPage = { messages: Message[]; older: string | null; newer: string | null; targetId?: string; threadId?: string };
type AroundParam = { around: string } | { before: string } | { after: string };
type AroundAnswer = MessagePage & { prevCursor?: string | null; targetId?: string; threadId?: string };

/** Pages in time order: the first centred on the message, older ones before it, newer ones after. */
export const aroundQuery = (root: RootStore, channelId: string, messageId: string) =>
  infiniteQueryOptions({
    queryKey: ['channels', channelId, 'around', messageId] as const,
    queryFn: async ({ pageParam }): Promise<AroundPage> => {
      const { data } = await root.http.get<AroundAnswer>(`/api/channels/${channelId}/messages`, { params: { ...pageParam, limit: 50 } });
      if ('around' in pageParam) return { messages: data.messages, older: data.nextCursor, newer: data.prevCursor ?? null, targetId: data.targetId, threadId: data.threadId };
      if ('before' in pageParam) return { messages: data.messages, older: data.nextCursor, newer: null };
      return { messages: data.messages, older: null, newer: data.nextCursor };
    },
    initialPageParam: { around: messageId } as AroundParam,
    getNextPageParam: (last): AroundParam | undefined => (last.newer ? { after: last.newer } : undefined),
    getPreviousPageParam: (first): AroundParam | undefined => (first.older ? { before: first.older } : undefined),
    staleTime: 30_000,
  });
