import { io, type Socket } from 'socket.io-client';
import type { Channel } from '@/lib/api-types';
import type { Ack, ClientToServerEvents, ServerToClientEvents } from '@/lib/realtime/events';
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
  private stopWatching?: () => void;

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
          .then(({ data }) => callback({ token: data.token }))
          .catch(() => callback({ token: '' }));
      },
      transports: ['websocket', 'polling'],
      ...this.options.socketOptions,
    });
    this.socket = socket;
    this.root.user.setConnection('connecting');

    socket.on('connect', () => {
      this.root.user.setConnection('online');
      this.joined.clear();
      // The newest message each channel had before rejoining: events arriving after the join
      // must not move this mark, or the gap before them would never be fetched.
      const marks = this.connectedBefore ? this.newestLoaded() : undefined;
      this.connectedBefore = true;
      void this.joinKnownChannels().then(() => marks && this.catchUpAll(marks));
    });
    socket.on('disconnect', () => this.root.user.setConnection('offline'));
    socket.on('connect_error', () => this.root.user.setConnection('offline'));

    socket.on('message:created', ({ message }) => this.root.messages.receive(message));
    socket.on('message:updated', ({ message }) => this.root.messages.receiveUpdate(message));
    socket.on('agent:token', ({ messageId, delta }) => this.root.messages.receiveToken(messageId, delta));
    socket.on('usage:recorded', () => this.root.dashboard.noteUsage());
    socket.on('message:deleted', ({ channelId, messageId }) => this.root.messages.receiveDelete(channelId, messageId));
    socket.on('typing', ({ channelId, user }) => this.root.channels.noteTyping(channelId, user));
    socket.on('presence', ({ channelId, online }) => this.root.channels.setPresence(channelId, online));
    socket.on('channel:added', () => void this.root.queryClient.invalidateQueries({ queryKey: queryKeys.channels, exact: true }));
    socket.on('channel:removed', ({ channelId }) => {
      this.joined.delete(channelId);
      this.root.channels.forget(channelId);
    });
    socket.on('channel:updated', ({ channelId }) => {
      void this.root.queryClient.invalidateQueries({ queryKey: queryKeys.channel(channelId), exact: true });
      void this.root.queryClient.invalidateQueries({ queryKey: queryKeys.channels, exact: true });
    });

    // Join every channel the sidebar knows, as the list changes (a new channel, an invitation).
    this.stopWatching = this.root.queryClient.getQueryCache().subscribe((event) => {
      if (event.query.queryKey.length === 1 && event.query.queryKey[0] === 'channels') void this.joinKnownChannels();
    });
    return socket;
  }

  stop() {
    this.stopWatching?.();
    this.socket?.disconnect();
    this.socket = undefined;
  }

  private async joinKnownChannels() {
    const channels = this.root.queryClient.getQueryData<Channel[]>(queryKeys.channels) ?? [];
    await Promise.all(channels.filter((c) => !this.joined.has(c.id)).map((c) => this.join(c.id)));
  }

  join(channelId: string): Promise<Ack> {
    const socket = this.socket;
    if (!socket?.connected) return Promise.resolve({ ok: false, error: { code: 'offline', message: 'Not connected.' } });
    this.joined.add(channelId);
    return new Promise((resolve) =>
      socket.timeout(10_000).emit('channel:join', { channelId }, (error: Error | null, result: Ack) => {
        if (error || !result.ok) this.joined.delete(channelId);
        resolve(error ? { ok: false, error: { code: 'timeout', message: 'No answer from the realtime server.' } } : result);
      }),
    );
  }

  typing(channelId: string) {
    this.socket?.emit('typing', { channelId });
  }

  /** channelId -> id of the newest message loaded, for every channel with loaded history. */
  private newestLoaded(): Map<string, string | undefined> {
    const loaded = this.root.queryClient.getQueriesData<HistoryData>({ queryKey: ['channels'] });
    return new Map(
      loaded.filter(([key, data]) => key.length === 3 && key[2] === 'messages' && data).map(([key, data]) => [String(key[1]), flattenHistory(data).at(-1)?.id]),
    );
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
