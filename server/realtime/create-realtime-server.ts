import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import type Redis from 'ioredis';
import { Server } from 'socket.io';
import type { UserRef } from '@/lib/realtime/events';
import { defaultLimits, type Limits } from './limits';
import { presenceAnnouncer } from './presence';
import { serveSocket } from './serve-socket';
import { capSocketsPerUser } from './sockets-per-user';
import { handshakeError, type IoServer, type IoSocket } from './types';

export type RealtimeDeps = {
  /** Resolves a handshake token to its user, or undefined (the connection is refused). */
  verifyToken(token: unknown): Promise<UserRef | undefined>;
  /** Which of these channels the user belongs to, in one database query, checked at join time. */
  memberChannels(args: { userId: string; channelIds: string[] }): Promise<string[]>;
  /** Browser origins allowed to connect; requests without an Origin (non-browser clients) pass. */
  isAllowedOrigin(origin: string): boolean;
  /** Redis clients for the adapter, so rooms span every realtime node. */
  redis?: { pub: Redis; sub: Redis };
  limits?: Partial<Limits>;
  log?: (line: string) => void;
};

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

/**
 * The realtime tier: authenticates handshakes, caps sockets per person, authorizes joins, relays
 * typing and presence, and carries the events services publish to `channel:<id>` and `user:<id>`
 * rooms. It never writes the database.
 */
export function createRealtimeServer(httpServer: HttpServer, deps: RealtimeDeps) {
  const limits: Limits = { ...defaultLimits, ...deps.limits };
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
    if (!user) return next(handshakeError('unauthorized', 'Sign in again to connect.'));
    socket.data.user = user;
    next();
  });
  io.use(capSocketsPerUser(io, limits.socketsPerUser, log));

  const presence = presenceAnnouncer(io, { intervalMs: limits.presenceIntervalMs, log });

  io.on('connection', (socket: IoSocket) =>
    serveSocket(socket, {
      memberChannels: (args) => deps.memberChannels(args),
      announcePresence: (channelId) => presence.schedule(channelId),
      limits,
      log,
    }),
  );

  return {
    io,
    async close() {
      // This node's sockets only: through the Redis adapter, io.disconnectSockets() reaches every
      // node, so one process stopping (a deploy, a restart) would cut off everyone on all of them.
      io.local.disconnectSockets(true);
      presence.flush();
      await io.close();
    },
  };
}

export type RealtimeServer = ReturnType<typeof createRealtimeServer>;
