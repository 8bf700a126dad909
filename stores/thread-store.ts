import { infiniteQueryOptions, queryOptions, type InfiniteData } from '@tanstack/react-query';
import { makeAutoObservable } from 'mobx';
import type { Message, MessagePage } from '@/lib/api-types';
import type { ThreadSummaryJson } from '@/lib/contracts/messages';
import { queryKeys } from './query-keys';
import type { RootStore } from './root-store';

/** A thread page as GET .../messages?threadId= answers it: replies, the parent, and the caller's read state. */
export type ThreadPage = MessagePage & { parent: Message; read: { lastReadId: string | null; unreadCount: number; unread: boolean } };
export type ThreadData = InfiniteData<ThreadPage, string | undefined>;
export type UnreadThreads = { threads: { threadId: string; unreadCount: number }[] };

export const THREAD_PAGE_SIZE = 50;

/**
 * Threads in the browser. Server data stays in React Query: each open thread's pages under
 * queryKeys.thread, the caller's unread threads under queryKeys.unreadThreads; the parent in the
 * channel's history carries the shared summary. This store owns which thread is open, and applies
 * the socket's thread events to those queries, so a reply never lands in the channel's main list.
 */
export class ThreadStore {
  /** The thread the panel shows (mirrors `?thread=` in the address). */
  openId: string | null = null;

  constructor(private readonly root: RootStore) {
    makeAutoObservable<ThreadStore, 'root'>(this, { root: false });
  }

  open(threadId: string | null) {
    this.openId = threadId;
  }

  async fetchPage(channelId: string, threadId: string, before?: string): Promise<ThreadPage> {
    const params = { threadId, limit: THREAD_PAGE_SIZE, ...(before ? { before } : {}) };
    return (await this.root.http.get<ThreadPage>(`/api/channels/${channelId}/messages`, { params })).data;
  }

  async fetchUnread(channelId: string): Promise<UnreadThreads> {
    return (await this.root.http.get<UnreadThreads>(`/api/channels/${channelId}/threads/unread`)).data;
  }

  /** Sends a reply; the clientId makes a retried POST safe. */
  async send(channelId: string, threadId: string, content: string): Promise<Message> {
    const { data } = await this.root.http.post<{ message: Message }>(`/api/channels/${channelId}/messages`, { content, threadId, clientId: crypto.randomUUID() });
    this.upsert(data.message);
    return data.message;
  }

  /** The caller has seen the thread up to `lastReadId`: the server keeps it (other devices follow), the badge goes. */
  async markRead(channelId: string, threadId: string, lastReadId: string): Promise<void> {
    this.root.queryClient.setQueryData<UnreadThreads>(queryKeys.unreadThreads(channelId), (old) => old && { threads: old.threads.filter((t) => t.threadId !== threadId) });
    await this.root.http.put(`/api/channels/${channelId}/threads/${threadId}/read`, { lastReadId });
    // A refetch set off by the reply's own event may have read the list before this mark landed.
    await this.root.queryClient.invalidateQueries({ queryKey: queryKeys.unreadThreads(channelId), exact: true });
  }

  unreadCount(channelId: string, threadId: string): number {
    return this.root.queryClient.getQueryData<UnreadThreads>(queryKeys.unreadThreads(channelId))?.threads.find((t) => t.threadId === threadId)?.unreadCount ?? 0;
  }

  /** A reply arrived (message:created or message:updated with a threadId). */
  receive(message: Message) {
    this.upsert(message);
  }

  /** A top-level message changed (an edit): an open thread shows the new parent too. */
  receiveParent(message: Message) {
    this.root.queryClient.setQueryData<ThreadData>(queryKeys.thread(message.channelId, message.id), (old) =>
      old && { ...old, pages: old.pages.map((page) => ({ ...page, parent: message })) },
    );
  }

  receiveDelete(channelId: string, threadId: string, messageId: string) {
    this.root.queryClient.setQueryData<ThreadData>(queryKeys.thread(channelId, threadId), (old) =>
      old && { ...old, pages: old.pages.map((page) => ({ ...page, messages: page.messages.filter((m) => m.id !== messageId) })) },
    );
  }

  /** A parent was deleted with its thread: its pages go, and the panel closes. */
  forget(channelId: string, threadId: string) {
    this.root.queryClient.removeQueries({ queryKey: queryKeys.thread(channelId, threadId) });
    if (this.openId === threadId) this.openId = null;
  }

  /** thread:updated: the parent's summary, wherever the parent is shown; and whether it is unread for us now. */
  receiveSummary(channelId: string, threadId: string, thread: ThreadSummaryJson | null) {
    const withSummary = (message: Message): Message => {
      if (thread) return { ...message, thread };
      const rest = { ...message };
      delete rest.thread;
      return rest;
    };
    // The channel's history, its around views, and the open thread's head.
    this.root.messages.rewrite(channelId, threadId, withSummary);
    // Unread is per person and decided by the server (who started it, who read what).
    void this.root.queryClient.invalidateQueries({ queryKey: queryKeys.unreadThreads(channelId), exact: true });
  }

  /** Into the thread's newest page, by id (never twice), in id order; nothing when the thread is not loaded. */
  private upsert(message: Message) {
    if (!message.threadId) return;
    this.root.queryClient.setQueryData<ThreadData>(queryKeys.thread(message.channelId, message.threadId), (old) => {
      if (!old || old.pages.length === 0) return old;
      let replaced = false;
      const pages = old.pages.map((page) => {
        const index = page.messages.findIndex((m) => m.id === message.id);
        if (index === -1) return page;
        replaced = true;
        return { ...page, messages: page.messages.map((m) => (m.id === message.id ? message : m)) };
      });
      if (replaced) return { ...old, pages };
      const [newest, ...rest] = pages;
      const messages = [...newest!.messages, message].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      return { ...old, pages: [{ ...newest!, messages }, ...rest] };
    });
  }
}

export const threadQuery = (root: RootStore, channelId: string, threadId: string) =>
  infiniteQueryOptions({
    queryKey: queryKeys.thread(channelId, threadId),
    queryFn: ({ pageParam }) => root.threads.fetchPage(channelId, threadId, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    staleTime: 5_000,
  });

export const unreadThreadsQuery = (root: RootStore, channelId: string) =>
  queryOptions({ queryKey: queryKeys.unreadThreads(channelId), queryFn: () => root.threads.fetchUnread(channelId), staleTime: 30_000 });

/** Thread pages flattened oldest first (page 0 is the newest). */
export function flattenThread(data: InfiniteData<ThreadPage, unknown> | undefined): Message[] {
  return data ? data.pages.slice().reverse().flatMap((page) => page.messages) : [];
}
