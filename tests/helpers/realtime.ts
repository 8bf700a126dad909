import { closeRedisClient } from '@/lib/cache/redis';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Redis from 'ioredis';
import { io as connect, type Socket } from 'socket.io-client';
import { isMember } from '@/lib/channels/access';
import { getDb } from '@/lib/db';
import type { Ack, ClientToServerEvents, ServerToClientEvents } from '@/lib/realtime/events';
import { verifyRealtimeToken } from '@/lib/realtime/token';
import { createRealtimeServer, type RealtimeDeps } from '@/server/realtime/create-realtime-server';
import type { ApiClient } from './api-client';

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export const ALLOWED_ORIGIN = 'http://hub.test';

/** A realtime node on an ephemeral port, with the hub's real token and membership checks. */
export async function startRealtimeNode(options: { redisUrl?: string; deps?: Partial<RealtimeDeps> } = {}) {
  const server = http.createServer();
  const redis = options.redisUrl ? { pub: new Redis(options.redisUrl), sub: new Redis(options.redisUrl) } : undefined;
  const realtime = createRealtimeServer(server, {
    verifyToken: verifyRealtimeToken,
    canJoin: async (args) => isMember(await getDb(), args),
    isAllowedOrigin: (origin) => origin === ALLOWED_ORIGIN,
    redis,
    log: () => {},
    ...options.deps,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    io: realtime.io,
    async close() {
      await realtime.close();
      if (redis) await Promise.all([closeRedisClient(redis.pub), closeRedisClient(redis.sub)]);
    },
  };
}

export async function realtimeToken(api: ApiClient): Promise<string> {
  const res = await api.post('/api/realtime/token');
  if (res.status !== 200) throw new Error(`token: ${res.status}`);
  return res.json.token;
}

/** A connected socket.io-client, or the connect error's message. */
export function connectSocket(url: string, auth: Record<string, unknown>, extra: Parameters<typeof connect>[1] = {}): Promise<TestSocket> {
  const socket: TestSocket = connect(url, { auth, transports: ['websocket'], forceNew: true, reconnection: false, ...extra });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

export function emitAck(socket: TestSocket, event: 'channel:join' | 'channel:leave' | 'typing', channelId: unknown): Promise<Ack> {
  return new Promise((resolve) => (socket.emit as (e: string, p: unknown, a: (r: Ack) => void) => void)(event, { channelId }, resolve));
}

/** Collects every payload of an event, for assertions on what arrived (and how often). */
export function record<E extends keyof ServerToClientEvents>(socket: TestSocket, event: E) {
  const seen: Parameters<ServerToClientEvents[E]>[0][] = [];
  (socket.on as (e: string, f: (p: unknown) => void) => void)(event, (payload) => seen.push(payload as Parameters<ServerToClientEvents[E]>[0]));
  return seen;
}

export async function until(check: () => boolean, timeoutMs = 5000, what = 'condition') {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
