import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import type Redis from 'ioredis';
import { Server, type Socket } from 'socket.io';
import { channelPayload, rooms, type Ack, type ClientToServerEvents, type ServerToClientEvents, type SocketData, type UserRef } from '@/lib/realtime/events';

export type RealtimeDeps = {
  /** Resolves a handshake token to its user, or undefined (the connection is refused). */
  verifyToken(token: unknown): Promise<UserRef | undefined>;
  /** Membership, checked against the database at join time. */
  canJoin(args: { userId: string; channelId: string }): Promise<boolean>;
  /** Browser origins allowed to connect; requests without an Origin (non-browser clients) pass. */
  isAllowedOrigin(origin: string): boolean;
  /** Redis clients for the adapter, so rooms span every realtime node. */
  redis?: { pub: Redis; sub: Redis };
  limits?: Partial<Limits>;
  log?: (line: string) => void;
};

type Limits = {
  /** Client events a socket may send per second, sustained, and in a burst. */
  eventsPerSecond: number;
  burst: number;
  /** Largest client message, in bytes. */
  maxPayloadBytes: number;
  /** A socket's typing events per channel are relayed at most this often. */
  typingIntervalMs: number;
};

const defaults: Limits = { eventsPerSecond: 10, burst: 30, maxPayloadBytes: 16 * 1024, typingIntervalMs: 1000 };

type IoServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/**
 * The Redis adapter fires publish and (un)subscribe commands without handling their promises, so
 * a command caught by a Redis outage or by shutdown would be an unhandled rejection, which ends
 * a Node process. Each such command keeps its rejection for any caller that awaits it, and
 * otherwise the failure is logged.
 */
function guardAdapterClient(client: Redis, log: (line: string) => void): Redis {
  for (const name of ['publish', 'subscribe', 'psubscribe', 'unsubscribe', 'punsubscribe'] as const) {
    const original = (client[name] as (...args: unknown[]) => Promise<unknown>).bind(client);
    (client as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
      const pending = original(...args);
      pending.catch((error: unknown) => log(`[realtime] redis ${name} failed: ${error instanceof Error ? error.message : error}`));
      return pending;
    };
  }
  return client;
}

const refuse = (code: string, message: string): Ack => ({ ok: false, error: { code, message } });

/** A token bucket per socket: bursts are fine, floods are refused. */
function bucket({ eventsPerSecond, burst }: Limits) {
  let tokens = burst;
  let last = Date.now();
  return () => {
    const now = Date.now();
    tokens = Math.min(burst, tokens + ((now - last) / 1000) * eventsPerSecond);
    last = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}

/**
 * The realtime tier: authenticates handshakes, authorizes joins, relays typing and presence, and
 * carries the events services publish to `channel:<id>` and `user:<id>` rooms. It never writes
 * the database.
 */
export function createRealtimeServer(httpServer: HttpServer, deps: RealtimeDeps) {
  const limits = { ...defaults, ...deps.limits };
  const log = deps.log ?? ((line: string) => console.log(line));
  const io: IoServer = new Server(httpServer, {
    maxHttpBufferSize: limits.maxPayloadBytes,
    allowRequest: (req, callback) => {
      const origin = req.headers.origin;
      callback(null, !origin || deps.isAllowedOrigin(origin));
    },
    // Other upgrade requests on this server (Next.js dev's HMR socket) are not ours to destroy.
    destroyUpgrade: false,
    ...(deps.redis ? { adapter: createAdapter(guardAdapterClient(deps.redis.pub, log), guardAdapterClient(deps.redis.sub, log)) } : {}),
  });

  io.use(async (socket, next) => {
    const user = await deps.verifyToken(socket.handshake.auth?.token);
    if (!user) return next(new Error('unauthorized'));
    socket.data.user = user;
    next();
  });

  /** Who is online in a channel, across tabs and nodes, told to everyone in it. */
  async function announcePresence(channelId: string) {
    try {
      const sockets = await io.in(rooms.channel(channelId)).fetchSockets();
      const online = [...new Set(sockets.map((s) => s.data.user.id))].sort();
      io.to(rooms.channel(channelId)).emit('presence', { channelId, online });
    } catch (error) {
      log(`[realtime] presence for ${channelId} failed: ${error instanceof Error ? error.message : error}`);
    }
  }

  io.on('connection', (socket: IoSocket) => {
    const user = socket.data.user;
    void socket.join(rooms.user(user.id));
    const allow = bucket(limits);
    const lastTyping = new Map<string, number>();
    let refused = 0;

    socket.use(([, , maybeAck], next) => {
      if (allow()) return next();
      refused += 1;
      if (typeof maybeAck === 'function') maybeAck(refuse('rate_limited', 'Too many events; slow down.'));
      // A client that keeps flooding is cut off; a well-behaved one never gets here.
      if (refused > limits.burst * 3) socket.disconnect(true);
    });

    const withChannel = (payload: unknown, ack: ((result: Ack) => void) | undefined, run: (channelId: string) => Promise<Ack>) => {
      const reply = typeof ack === 'function' ? ack : () => {};
      const parsed = channelPayload.safeParse(payload);
      if (!parsed.success) return reply(refuse('invalid_request', 'Send {channelId} with a channel id.'));
      run(parsed.data.channelId).then(reply, (error: unknown) => {
        log(`[realtime] ${socket.id} failed: ${error instanceof Error ? error.message : error}`);
        reply(refuse('internal_error', 'Something went wrong on our side.'));
      });
    };

    socket.on('channel:join', (payload, ack) =>
      withChannel(payload, ack, async (channelId) => {
        if (!(await deps.canJoin({ userId: user.id, channelId }))) return refuse('not_found', 'Channel not found.');
        await socket.join(rooms.channel(channelId));
        // A removal that committed between the check and the join would have missed this socket.
        if (!(await deps.canJoin({ userId: user.id, channelId }))) {
          await socket.leave(rooms.channel(channelId));
          return refuse('not_found', 'Channel not found.');
        }
        void announcePresence(channelId);
        return { ok: true };
      }),
    );

    socket.on('channel:leave', (payload, ack) =>
      withChannel(payload, ack, async (channelId) => {
        await socket.leave(rooms.channel(channelId));
        void announcePresence(channelId);
        return { ok: true };
      }),
    );

    socket.on('typing', (payload, ack) =>
      withChannel(payload, ack, async (channelId) => {
        if (!socket.rooms.has(rooms.channel(channelId))) return refuse('forbidden', 'Join the channel first.');
        const now = Date.now();
        if (now - (lastTyping.get(channelId) ?? 0) >= limits.typingIntervalMs) {
          lastTyping.set(channelId, now);
          socket.to(rooms.channel(channelId)).emit('typing', { channelId, user });
        }
        return { ok: true };
      }),
    );

    socket.on('disconnecting', () => {
      const channels = [...socket.rooms].filter((room) => room.startsWith('channel:')).map((room) => room.slice('channel:'.length));
      // After the socket has left its rooms, tell the others who is still there.
      socket.once('disconnect', () => channels.forEach((channelId) => void announcePresence(channelId)));
    });
  });

  return {
    io,
    async close() {
      io.disconnectSockets(true);
      await io.close();
    },
  };
}

export type RealtimeServer = ReturnType<typeof createRealtimeServer>;
