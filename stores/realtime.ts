import { io, type Socket } from 'socket.io-client';
import type { Channel } from '@/lib/api-types';
import { toApiError } from '@/lib/http/client';
import { CHANNELS_PER_JOIN, type ClientToServerEvents, type JoinManyAck, type ServerToClientEvents } from '@/lib/realtime/events';
import { aroundReachesPresent, flattenAround, type AroundData } from './message-lists';
import { flattenHistory, type HistoryData } from './message-store';
import { queryKeys } from './query-keys';
import type { RootStore } from './root-store';

export type RealtimeSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type ConnectionState = 'connecting' | 'online' | 'offline';

type Options = {
  /** Realtime origin; '' means the hub's own origin (the browser's). */
  url?: string;
  /** Node has no window: tests name the origin and pass extra socket options. */
  socketOptions?: Parameters<typeof io>[1];
};

/**
 * The browser's one realtime connection. Each socket event updates exactly one owner: messages go
 * into React Query's history (MessageStore), typing, presence and unread counts into ChannelStore,
 * the connection state into UserStore. After a reconnect, every channel whose history is loaded
 * fetches what came after its newest message, so nothing sent while offline is lost.
 */
export class RealtimeConnection {
  socket?: RealtimeSocket;
  private joined = new Set<string>();
  private connectedBefore = false;
  /** A channel was added: once its room is joined, fetch the list again, to count what was sent before the join. */
  private recountAfterJoin = false;
  private stopWatching?: () => void;
  /** The token endpoint answered 401: the person signed out, so refused handshakes are final. */
  private signedOut = false;
  private stopped = false;
  private retries = 0;
  private retryTimer?: ReturnType<typeof setTimeout>;
  private stableTimer?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly root: RootStore,
    private readonly options: Options = {},
  ) {}

  start(): RealtimeSocket {
    const origin = this.options.url || (typeof window === 'undefined' ? '' : window.location.origin);
    const socket: RealtimeSocket = io(origin, {
      // A fresh short-lived token for every (re)connection.
      auth: (callback) => {
        this.root.http
          .post<{ token: string }>('/api/realtime/token')
          .then(({ data }) => {
            this.signedOut = false;
            callback({ token: data.token });
          })
          .catch((error: unknown) => {
            this.signedOut = toApiError(error).status === 401;
            callback({ token: '' });
          });
      },
      transports: ['websocket', 'polling'],
      ...this.options.socketOptions,
    });
    this.socket = socket;
    this.root.user.setConnection('connecting');

    socket.on('connect', () => {
      this.root.user.setConnection('online');
      this.markStableLater(socket);
      this.joined.clear();
      // The newest message each channel had before rejoining: events arriving after the join
      // must not move this mark, or the gap before them would never be fetched.
      const marks = this.connectedBefore ? this.newestLoaded() : undefined;
      // Counts moved while offline (messages, reads on other devices): take the server's again.
      if (this.connectedBefore) void this.root.queryClient.invalidateQueries({ queryKey: queryKeys.channels, exact: true });
      this.connectedBefore = true;
      void this.joinKnownChannels().then(() => marks && this.catchUpAll(marks));
    });
    // socket.io-client reconnects by itself after network failures (`socket.active`), but not when
    // the server ended the connection or refused the handshake: those are retried here.
    socket.on('disconnect', (reason) => {
      this.root.user.setConnection('offline');
      clearTimeout(this.stableTimer);
      if (!socket.active && reason === 'io server disconnect') this.retryLater(socket);
    });
    socket.on('connect_error', () => {
      this.root.user.setConnection('offline');
      if (!socket.active && !this.signedOut) this.retryLater(socket);
    });

    // A reply goes to its thread (ThreadStore), never into the channel's main list.
    socket.on('message:created', ({ message }) => (message.threadId ? this.root.threads.receive(message) : this.root.messages.receive(message)));
    socket.on('message:updated', ({ message }) => {
      if (message.threadId) return this.root.threads.receive(message);
      this.root.messages.receiveUpdate(message);
      this.root.threads.receiveParent(message);
    });
    socket.on('thread:updated', ({ channelId, threadId, thread }) => this.root.threads.receiveSummary(channelId, threadId, thread));
    socket.on('message:reactions', ({ channelId, messageId, reactions, threadId }) => this.root.messages.receiveReactions(channelId, messageId, reactions, threadId));
    socket.on('agent:token', ({ messageId, delta }) => this.root.messages.receiveToken(messageId, delta));
    socket.on('agent:activity', ({ channelId, messageId, activity }) => this.root.messages.receiveActivity(channelId, messageId, activity));
    socket.on('run:updated', ({ run }) => this.root.runs.receive(run));
    socket.on('canvas:updated', ({ channelId, nodes }) => this.root.canvas.receive(channelId, nodes));
    socket.on('canvas:removed', ({ channelId, nodeId }) => this.root.canvas.receiveRemoved(channelId, nodeId));
    socket.on('usage:recorded', () => this.root.dashboard.noteUsage());
    socket.on('knowledge:progress', (payload) => this.root.knowledge.receiveProgress(payload));
    socket.on('message:deleted', ({ channelId, messageId, threadId, replyIds }) => {
      if (threadId) return this.root.threads.receiveDelete(channelId, threadId, messageId);
      this.root.messages.receiveDelete(channelId, messageId);
      if (replyIds) this.root.threads.forget(channelId, messageId);
    });
    socket.on('typing', ({ channelId, user }) => this.root.channels.noteTyping(channelId, user));
    socket.on('presence', ({ channelId, online }) => this.root.channels.setPresence(channelId, online));
    socket.on('channel:read', ({ channelId, lastReadId }) => this.root.channels.receiveRead(channelId, lastReadId));
    socket.on('channel:added', () => {
      this.recountAfterJoin = true;
      void this.root.queryClient.invalidateQueries({ queryKey: queryKeys.channels, exact: true });
    });
    socket.on('channel:removed', ({ channelId }) => {
      this.joined.delete(channelId);
      this.root.channels.forget(channelId);
    });
    socket.on('channel:updated', ({ channelId }) => {
      void this.root.queryClient.invalidateQueries({ queryKey: queryKeys.channel(channelId), exact: true });
      void this.root.queryClient.invalidateQueries({ queryKey: queryKeys.channels, exact: true });
      // Its canvas shows the members' abilities and knowledge (refetched only while it is open).
      void this.root.queryClient.invalidateQueries({ queryKey: queryKeys.canvas(channelId), exact: true });
    });

    // Join every channel the sidebar knows, as the list changes (a new channel, an invitation).
    this.stopWatching = this.root.queryClient.getQueryCache().subscribe((event) => {
      if (event.query.queryKey.length === 1 && event.query.queryKey[0] === 'channels') void this.joinKnownChannels();
    });
    return socket;
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.stableTimer);
    this.stopWatching?.();
    this.socket?.disconnect();
    this.socket = undefined;
  }

  /**
   * Connects again after a delay that doubles with each retry (with jitter, within the socket's
   * own reconnectionDelay and reconnectionDelayMax), so a refusing server is not hammered.
   */
  private retryLater(socket: RealtimeSocket) {
    if (this.stopped) return;
    const manager = socket.io;
    const base = Math.min(manager.reconnectionDelayMax(), manager.reconnectionDelay() * 2 ** this.retries);
    const jitter = 1 + (Math.random() * 2 - 1) * manager.randomizationFactor();
    this.retries += 1;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (!this.stopped && !socket.connected) socket.connect();
    }, base * jitter);
  }

  /** A connection that outlives the longest backoff is healthy again: the next retry starts fast. */
  private markStableLater(socket: RealtimeSocket) {
    clearTimeout(this.stableTimer);
    this.stableTimer = setTimeout(() => (this.retries = 0), socket.io.reconnectionDelayMax());
  }

  /** Joins every channel the sidebar knows and this connection has not joined, a batch per event. */
  private async joinKnownChannels() {
    const channels = this.root.queryClient.getQueryData<Channel[]>(queryKeys.channels) ?? [];
    const fresh = channels.map((c) => c.id).filter((id) => !this.joined.has(id));
    const batches = Array.from({ length: Math.ceil(fresh.length / CHANNELS_PER_JOIN) }, (_, i) => fresh.slice(i * CHANNELS_PER_JOIN, (i + 1) * CHANNELS_PER_JOIN));
    await Promise.all(batches.map((batch) => this.join(batch)));
    if (this.recountAfterJoin && fresh.length > 0) {
      this.recountAfterJoin = false;
      void this.root.queryClient.invalidateQueries({ queryKey: queryKeys.channels, exact: true });
    }
  }

  /** Joins channels' rooms with one `channels:join` (one membership query on the server). */
  join(channelIds: string[]): Promise<JoinManyAck> {
    const socket = this.socket;
    if (!socket?.connected) return Promise.resolve({ ok: false, error: { code: 'offline', message: 'Not connected.' } });
    channelIds.forEach((id) => this.joined.add(id));
    return new Promise((resolve) =>
      socket.timeout(10_000).emit('channels:join', { channelIds }, (error: Error | null, result: JoinManyAck) => {
        const joined = new Set(!error && result.ok ? result.joined : []);
        for (const id of channelIds) if (!joined.has(id)) this.joined.delete(id);
        resolve(error ? { ok: false, error: { code: 'timeout', message: 'No answer from the realtime server.' } } : result);
      }),
    );
  }

  typing(channelId: string) {
    this.socket?.emit('typing', { channelId });
  }

  /**
   * channelId -> id of the newest message loaded, for every channel with loaded history or an
   * around view that reaches the present; with both, the older of the two (what one of them
   * missed, the other receives again, by id, so never twice).
   */
  private newestLoaded(): Map<string, string | undefined> {
    const loaded = this.root.queryClient.getQueriesData<HistoryData>({ queryKey: ['channels'] });
    const marks = new Map(
      loaded.filter(([key, data]) => key.length === 3 && key[2] === 'messages' && data).map(([key, data]) => [String(key[1]), flattenHistory(data).at(-1)?.id]),
    );
    for (const [key, data] of this.root.queryClient.getQueriesData<AroundData>({ queryKey: ['channels'] })) {
      if (key.length !== 4 || key[2] !== 'around' || !aroundReachesPresent(data)) continue;
      const newest = flattenAround(data).at(-1)?.id;
      const channelId = String(key[1]);
      const held = marks.get(channelId);
      if (newest && (held === undefined || newest < held)) marks.set(channelId, newest);
    }
    return marks;
  }

  /** After a reconnect: what each loaded channel missed, then a quiet refresh for edits and deletes. */
  private async catchUpAll(marks: Map<string, string | undefined>) {
    await Promise.all([...marks].map(([channelId, lastId]) => this.catchUp(channelId, lastId)));
  }

  async catchUp(channelId: string, lastId: string | undefined) {
    let after = lastId;
    while (after) {
      const { data } = await this.root.http.get<{ messages: Parameters<RootStore['messages']['receive']>[0][]; nextCursor: string | null }>(
        `/api/channels/${channelId}/messages`,
        { params: { after, limit: 200 } },
      );
      for (const message of data.messages) this.root.messages.receive(message);
      after = data.nextCursor ?? undefined;
    }
    await this.root.queryClient.invalidateQueries({ queryKey: queryKeys.messages(channelId) });
  }
}
