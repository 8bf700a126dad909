import type { InfiniteData } from '@tanstack/react-query';
import type { ActivityJson } from '@/lib/contracts/abilities';
import { makeAutoObservable, reaction, runInAction } from 'mobx';
import type { Message, MessagePage } from '@/lib/api-types';
import type { ReactionJson } from '@/lib/contracts/messages';
import { toApiError } from '@/lib/http/client';
import { upsertAround, upsertHistory, withMessage, withoutMessage, type AroundData, type HistoryData } from './message-lists';
import { queryKeys } from './query-keys';
import { toggledReaction } from './reaction-list';
import type { RootStore } from './root-store';
import type { ThreadData } from './thread-store';

export type OutgoingMessage = {
  clientId: string;
  channelId: string;
  content: string;
  state: 'sending' | 'failed';
  error?: string;
  /**
   * Held back for going too fast (a 429, or queued behind messages that were): it goes out again by
   * itself, in order, once Retry-After has passed (ms since epoch). Unset, a failed message waits
   * for a manual Retry.
   */
  retryAt?: number;
  createdAt: string;
};

export type { HistoryData };

/** The query kinds under ['channels', id, kind] that hold a channel's messages: a fetch of any may race a live change. */
const MESSAGE_LISTS = new Set(['messages', 'around', 'threads']);

/** Per user, so nobody inherits another person's unsent messages on a shared browser. */
export const outboxStorageKey = (userId: string) => `nc-outbox:${userId}`;
export const PAGE_SIZE = 50;

/**
 * Messages on the server live in React Query's infinite history; this store owns the outbox:
 * messages the user sent that the server has not confirmed. A failed send stays here, marked,
 * until it is retried or discarded, and survives a reload. A retry reuses the clientId, so the
 * server never stores a second copy.
 */
export class MessageStore {
  outbox = new Map<string, OutgoingMessage>();
  /** messageId -> text streamed so far, for agent replies in progress. */
  streams = new Map<string, string>();
  /** Tool calls of agent replies still streaming (`agent:activity`), by message id, then by activity id. */
  activities = new Map<string, { channelId: string; steps: Map<string, ActivityJson> }>();
  /** clientIds this tab has settled (delivered or discarded), so other tabs' copies do not bring them back. */
  private settled = new Set<string>();
  private stopPersisting?: () => void;
  /** Live changes that landed while a fetch of a message list was in flight, by the query's hash, replayed onto its result. */
  private replays = new Map<string, Array<() => void>>();
  /** While the server refuses sends for going too fast (429): until when (ms since epoch), else 0. */
  throttledUntil = 0;
  private throttledReason = '';
  private resumeTimer?: ReturnType<typeof setTimeout>;
  /** While the held messages are being sent again, one at a time. */
  private resuming = false;

  constructor(private readonly root: RootStore) {
    makeAutoObservable<MessageStore, 'root' | 'settled' | 'stopPersisting' | 'replays' | 'resumeTimer' | 'resuming'>(this, {
      root: false,
      settled: false,
      stopPersisting: false,
      replays: false,
      resumeTimer: false,
      resuming: false,
    });
    // A fetch that started before a live change would overwrite it with older data: once the
    // fetch's result is written, the changes it raced are applied again (by id, so never twice).
    root.queryClient.getQueryCache().subscribe((event) => {
      if (event.type !== 'updated' || event.action.type !== 'success' || event.action.manual) return;
      const pending = this.replays.get(event.query.queryHash);
      if (!pending) return;
      this.replays.delete(event.query.queryHash);
      pending.forEach((apply) => apply());
    });
  }

  /** Applies a live change now, and again after each fetch in flight of a list of its channel's messages. */
  private live(channelId: string, apply: () => void) {
    apply();
    for (const query of this.root.queryClient.getQueryCache().findAll({ queryKey: queryKeys.channel(channelId), fetchStatus: 'fetching' })) {
      if (!MESSAGE_LISTS.has(String(query.queryKey[2]))) continue;
      this.replays.set(query.queryHash, [...(this.replays.get(query.queryHash) ?? []), apply]);
    }
  }

  /** A live edit (or status change) of a message. */
  receiveUpdate(message: Message) {
    // The message's own text supersedes what streamed (a finished reply, or a retry starting over).
    this.streams.delete(message.id);
    if (message.status !== 'streaming') this.activities.delete(message.id);
    this.live(message.channelId, () => void this.upsert(message));
  }

  /** A tool call of a reply in progress started, ended or failed. */
  receiveActivity(channelId: string, messageId: string, activity: ActivityJson) {
    // Set, then read back: the map holds an observable copy of what it is given.
    if (!this.activities.has(messageId)) this.activities.set(messageId, { channelId, steps: new Map() });
    this.activities.get(messageId)!.steps.set(activity.id, activity);
  }

  /** The steps a reply shows: live ones while it streams, then those the message kept. */
  activitiesOf(message: Message): ActivityJson[] {
    const live = this.activities.get(message.id);
    if (message.status === 'streaming' && live) return [...live.steps.values()];
    return message.activities ?? [];
  }

  /** What agents are doing in a channel right now: the latest running step of each reply ("Searching the web for …"). */
  workingIn(channelId: string): { messageId: string; agent?: string; title: string }[] {
    const doing: { messageId: string; agent?: string; title: string }[] = [];
    const pages = this.root.queryClient.getQueryData<InfiniteData<MessagePage>>(queryKeys.messages(channelId))?.pages ?? [];
    for (const [messageId, entry] of this.activities) {
      if (entry.channelId !== channelId) continue;
      const running = [...entry.steps.values()].filter((step) => step.status === 'running');
      if (running.length === 0) continue;
      const agent = pages.flatMap((page) => page.messages).find((message) => message.id === messageId)?.author.name;
      doing.push({ messageId, agent, title: running.at(-1)!.title });
    }
    return doing;
  }

  /**
   * A token of an agent's reply in progress. Streamed text is kept beside the history, not in it,
   * so a history refetch mid-stream (whose copy is still empty) cannot erase it.
   */
  receiveToken(messageId: string, delta: string) {
    this.streams.set(messageId, (this.streams.get(messageId) ?? '') + delta);
  }

  /** What a message shows: for a reply still streaming, the text streamed so far. */
  textOf(message: Message): string {
    return message.status === 'streaming' ? (this.streams.get(message.id) ?? message.content) : message.content;
  }

  /** Stops an agent's reply in progress (what it wrote so far stays). */
  async stopReply(channelId: string, messageId: string): Promise<void> {
    const { data } = await this.root.http.post<{ message: Message }>(`/api/channels/${channelId}/messages/${messageId}/stop`);
    runInAction(() => this.streams.delete(messageId));
    this.upsert(data.message);
  }

  /** Runs a failed or stopped agent reply again, in the same message. */
  async retryReply(channelId: string, messageId: string): Promise<void> {
    const { data } = await this.root.http.post<{ message: Message }>(`/api/channels/${channelId}/messages/${messageId}/retry`);
    // Not clearing the stream: the new reply's first tokens may already be here (the reset itself
    // arrived as message:updated, ahead of them on the socket).
    this.upsert(data.message);
  }

  /** A live `message:reactions`: the message's whole list, as the server has it now (`threadId` for a reply). */
  receiveReactions(channelId: string, messageId: string, reactions: ReactionJson[], threadId?: string) {
    this.live(channelId, () => this.patch(channelId, messageId, () => reactions, threadId));
  }

  /**
   * Adds (`on`) or removes the viewer's reaction. The history shows it at once; the server's
   * answer then replaces the list; a failure takes back only this change (others' reactions that
   * arrived meanwhile stay) and rethrows for the caller to show.
   */
  async react(channelId: string, messageId: string, emoji: string, on: boolean, threadId?: string): Promise<void> {
    const viewer = this.root.user.user;
    if (!viewer) return;
    const me = { id: viewer.id, name: viewer.name };
    this.patch(channelId, messageId, (list) => toggledReaction(list, emoji, me, on), threadId);
    const path = `/api/channels/${channelId}/messages/${messageId}/reactions/${encodeURIComponent(emoji)}`;
    try {
      const { data } = on ? await this.root.http.put<{ reactions: ReactionJson[] }>(path) : await this.root.http.delete<{ reactions: ReactionJson[] }>(path);
      this.patch(channelId, messageId, () => data.reactions, threadId);
    } catch (error) {
      this.patch(channelId, messageId, (list) => toggledReaction(list, emoji, me, !on), threadId);
      throw toApiError(error);
    }
  }

  /** Rewrites one message's reactions wherever it is loaded. */
  private patch(channelId: string, messageId: string, next: (list: ReactionJson[] | undefined) => ReactionJson[], threadId?: string) {
    this.rewrite(channelId, messageId, (m) => ({ ...m, reactions: next(m.reactions) }), threadId);
  }

  /**
   * Rewrites one message in every loaded copy of it. A reply (`threadId`) is in its thread's pages
   * only; a top-level message is in the channel's history, its around views, and, as a parent,
   * at the head of its open thread.
   */
  rewrite(channelId: string, messageId: string, next: (message: Message) => Message, threadId?: string) {
    const { queryClient } = this.root;
    if (threadId) {
      queryClient.setQueryData<ThreadData>(queryKeys.thread(channelId, threadId), (old) => old && withMessage(old, messageId, next));
      return;
    }
    queryClient.setQueryData<HistoryData>(queryKeys.messages(channelId), (old) => old && withMessage(old, messageId, next));
    queryClient.setQueriesData<AroundData>({ queryKey: queryKeys.aroundAll(channelId) }, (old) => old && withMessage(old, messageId, next));
    queryClient.setQueryData<ThreadData>(queryKeys.thread(channelId, messageId), (old) => old && { ...old, pages: old.pages.map((page) => ({ ...page, parent: next(page.parent) })) });
  }

  /** A live deletion. */
  receiveDelete(channelId: string, messageId: string) {
    this.live(channelId, () => this.drop(channelId, messageId));
  }

  /** Outbox entries of a channel not yet in its history (a restored entry may already be stored). */
  pendingFor(channelId: string, history: Message[] = []): OutgoingMessage[] {
    const stored = new Set(history.map((m) => m.clientId).filter(Boolean));
    return [...this.outbox.values()]
      .filter((m) => m.channelId === channelId && !stored.has(m.clientId))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async fetchPage(channelId: string, before?: string): Promise<MessagePage> {
    const params = { limit: PAGE_SIZE, ...(before ? { before } : {}) };
    return (await this.root.http.get<MessagePage>(`/api/channels/${channelId}/messages`, { params })).data;
  }

  send(channelId: string, content: string): string {
    const clientId = crypto.randomUUID();
    const createdAt = new Date().toISOString();
    // While sends are refused, or the held ones are going out again, a new message waits its turn
    // behind them, so messages still arrive in the order they were written.
    if (this.throttledUntil > 0) {
      this.outbox.set(clientId, { clientId, channelId, content, state: 'failed', error: this.throttledReason, retryAt: this.throttledUntil, createdAt });
    } else if (this.resuming) {
      this.outbox.set(clientId, { clientId, channelId, content, state: 'sending', retryAt: Date.now(), createdAt });
    } else {
      this.outbox.set(clientId, { clientId, channelId, content, state: 'sending', createdAt });
      void this.deliver(clientId);
    }
    return clientId;
  }

  retry(clientId: string) {
    if (this.outbox.get(clientId)?.state === 'failed') void this.deliver(clientId);
  }

  discard(clientId: string) {
    this.outbox.delete(clientId);
    this.settled.add(clientId);
  }

  clearOutbox() {
    this.stopPersisting?.();
    this.stopPersisting = undefined;
    this.outbox.clear();
    clearTimeout(this.resumeTimer);
    this.throttledUntil = 0;
    this.throttledReason = '';
  }

  /** The messages held back for going too fast, oldest first. */
  private heldBack(): OutgoingMessage[] {
    return [...this.outbox.values()].filter((e) => e.retryAt !== undefined).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** A 429 for sending too fast: the message is kept, and it and everything held go out again after Retry-After. */
  private throttled(entry: OutgoingMessage, message: string, seconds: number) {
    runInAction(() => {
      this.throttledUntil = Math.max(this.throttledUntil, Date.now() + seconds * 1000);
      this.throttledReason = message;
      for (const held of [entry, ...this.heldBack()]) {
        held.state = 'failed';
        held.error = message;
        held.retryAt = this.throttledUntil;
      }
    });
    clearTimeout(this.resumeTimer);
    this.resumeTimer = setTimeout(() => void this.resume(), Math.max(0, this.throttledUntil - Date.now()));
  }

  /**
   * Sends the held messages again, oldest first, one at a time (messages written meanwhile join
   * the end), until none is left or one is refused for going too fast again (which holds the rest
   * for the next Retry-After). One that fails otherwise keeps its error for a manual Retry, and
   * the others go on: none is left promising a send that will not happen.
   */
  private async resume() {
    if (this.resuming) return; // the running pass picks up everything held
    runInAction(() => {
      this.throttledUntil = 0;
      this.resuming = true;
    });
    try {
      for (let next = this.heldBack()[0]; next; next = this.heldBack()[0]) {
        if ((await this.deliver(next.clientId)) === 'throttled') return;
      }
    } finally {
      runInAction(() => (this.resuming = false));
    }
  }

  /** Sends one outbox entry; answers how it went. */
  private async deliver(clientId: string): Promise<'delivered' | 'throttled' | 'failed'> {
    const entry = this.outbox.get(clientId);
    if (!entry) return 'failed';
    runInAction(() => {
      entry.state = 'sending';
      entry.error = undefined;
      entry.retryAt = undefined;
    });
    try {
      const { data } = await this.root.http.post<{ message: Message }>(`/api/channels/${entry.channelId}/messages`, {
        content: entry.content,
        clientId,
      });
      // A history fetch already in flight would overwrite the cache without this message.
      await this.root.queryClient.cancelQueries({ queryKey: queryKeys.messages(entry.channelId) });
      const placed = this.upsert(data.message);
      if (!placed) await this.root.queryClient.invalidateQueries({ queryKey: queryKeys.messages(entry.channelId) });
      runInAction(() => {
        this.outbox.delete(clientId);
        this.settled.add(clientId);
      });
      return 'delivered';
    } catch (error) {
      const apiError = toApiError(error);
      const wait = apiError.status === 429 ? (apiError.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds : undefined;
      if (typeof wait === 'number' && wait > 0) {
        this.throttled(entry, `${apiError.message.replace(/ Try again in \d+ s\.$/, '')} Kept: it sends again by itself.`, wait);
        return 'throttled';
      }
      runInAction(() => {
        entry.state = 'failed';
        entry.error = apiError.message;
      });
      return 'failed';
    }
  }

  /**
   * A message from the realtime tier or a catch-up: confirms our own pending copy (by clientId),
   * goes into the history (by id, so never twice), and counts as unread elsewhere.
   */
  receive(message: Message) {
    const mine = message.author.kind === 'user' && message.author.id === this.root.user.user?.id;
    if (mine && message.clientId && this.outbox.has(message.clientId)) {
      this.outbox.delete(message.clientId);
      this.settled.add(message.clientId);
    }
    const outcome: { placed: ReturnType<MessageStore['upsert']> } = { placed: false };
    this.live(message.channelId, () => {
      const result = this.upsert(message); // always run: `||=` would skip the replay
      outcome.placed ||= result;
    });
    if (!mine && outcome.placed !== 'replaced') this.root.channels.noteIncoming(message);
  }

  async edit(channelId: string, messageId: string, content: string): Promise<Message> {
    const { data } = await this.root.http.patch<{ message: Message }>(`/api/channels/${channelId}/messages/${messageId}`, { content });
    this.upsert(data.message);
    return data.message;
  }

  async remove(channelId: string, messageId: string): Promise<void> {
    await this.root.http.delete(`/api/channels/${channelId}/messages/${messageId}`);
    this.drop(channelId, messageId);
  }

  /**
   * Puts a message into the cached history: replaces the copy with its id, else inserts it in id
   * order. Answers how, or false when there is no loaded history to put it in.
   */
  upsert(message: Message): 'inserted' | 'replaced' | false {
    // A reply belongs to its thread (ThreadStore), never to the channel's main list.
    if (message.threadId) {
      this.root.threads.receive(message);
      return false;
    }
    let placed: 'inserted' | 'replaced' | false = false;
    this.root.queryClient.setQueryData<HistoryData>(queryKeys.messages(message.channelId), (old) => {
      if (!old || old.pages.length === 0) return old;
      const result = upsertHistory(old, message);
      placed = result.placed;
      return result.data;
    });
    // An around view (the channel opened at a search result) is kept the same way.
    this.root.queryClient.setQueriesData<AroundData>({ queryKey: queryKeys.aroundAll(message.channelId) }, (old) => old && upsertAround(old, message));
    return placed;
  }

  /** Takes a top-level message out of the channel's history and its around views. */
  drop(channelId: string, messageId: string) {
    this.root.queryClient.setQueryData<HistoryData>(queryKeys.messages(channelId), (old) => old && withoutMessage(old, messageId));
    this.root.queryClient.setQueriesData<AroundData>({ queryKey: queryKeys.aroundAll(channelId) }, (old) => old && withoutMessage(old, messageId));
  }

  /**
   * Keeps the outbox in localStorage under the user's key: restored on start (an entry that was
   * in flight when the page closed is offered for retry; the clientId makes that safe) and merged
   * with other tabs' entries on every write.
   */
  persistFor(userId: string) {
    this.clearOutbox();
    if (typeof window === 'undefined') return;
    const key = outboxStorageKey(userId);
    const load = (): OutgoingMessage[] => {
      try {
        return JSON.parse(window.localStorage.getItem(key) ?? '[]') as OutgoingMessage[];
      } catch {
        return [];
      }
    };
    const adopt = (entries: OutgoingMessage[]) =>
      runInAction(() => {
        for (const entry of entries) {
          if (!this.outbox.has(entry.clientId) && !this.settled.has(entry.clientId)) {
            // Nothing here will send it by itself (no Retry-After timer runs for it in this tab),
            // so it waits for a manual Retry, and says so rather than what it was promised.
            const error = entry.retryAt !== undefined || !entry.error ? 'Not sent.' : entry.error;
            this.outbox.set(entry.clientId, { ...entry, state: 'failed', error, retryAt: undefined });
          }
        }
      });
    adopt(load());
    const stopReaction = reaction(
      () => [...this.outbox.values()].map((entry) => ({ ...entry })),
      (mine) => {
        const theirs = load().filter((e) => !this.settled.has(e.clientId) && !this.outbox.has(e.clientId));
        window.localStorage.setItem(key, JSON.stringify([...theirs, ...mine]));
      },
    );
    const onStorage = (event: StorageEvent) => {
      if (event.key === key) adopt(load());
    };
    window.addEventListener('storage', onStorage);
    this.stopPersisting = () => {
      stopReaction();
      window.removeEventListener('storage', onStorage);
    };
  }
}

/** History pages flattened oldest first (page 0 of the infinite query is the newest). */
export function flattenHistory(data: InfiniteData<MessagePage, unknown> | undefined): Message[] {
  if (!data) return [];
  return data.pages
    .slice()
    .reverse()
    .flatMap((page) => page.messages);
}
