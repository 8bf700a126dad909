import { closeRedisClient } from '@/lib/cache/redis';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Redis from 'ioredis';
import { io as connect, type Socket } from 'socket.io-client';
import { memberChannelIds } from '@/lib/channels/access';
import { getDb } from '@/lib/db';
import { broadcastPublisher } from '@/lib/realtime/publisher';
import type { Ack, ClientToServerEvents, ServerToClientEvents } from '@/lib/realtime/events';
import { verifyRealtimeToken } from '@/lib/realtime/token';
import { createRealtimeServer, type RealtimeDeps } from '@/server/realtime/create-realtime-server';
import type { ApiClient } from './api-client';
import type { TestDatabaseKind } from './database';
import { useHub } from './hub';

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export const ALLOWED_ORIGIN = 'http://hub.test';

/** A realtime node on an ephemeral port, with the hub's real token and membership checks. */
export async function startRealtimeNode(options: { redisUrl?: string; deps?: Partial<RealtimeDeps> } = {}) {
  const server = http.createServer();
  const redis = options.redisUrl ? { pub: new Redis(options.redisUrl), sub: new Redis(options.redisUrl) } : undefined;
  const realtime = createRealtimeServer(server, {
    verifyToken: verifyRealtimeToken,
    memberChannels: async (args) => memberChannelIds(await getDb(), args),
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

export type RealtimeNode = Awaited<ReturnType<typeof startRealtimeNode>>;

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
  return emitRaw(socket, event, { channelId });
}

/** Any event with any arguments (hostile ones too), resolving with the server's acknowledgement. */
export function emitRaw<T = Ack>(socket: TestSocket, event: unknown, ...args: unknown[]): Promise<T> {
  return new Promise((resolve, reject) =>
    (socket.timeout(5000).emit as (e: unknown, ...rest: unknown[]) => void)(event, ...args, (error: Error | null, result: T) =>
      error ? reject(new Error(`no acknowledgement of ${String(event)}`)) : resolve(result),
    ),
  );
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

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A hub whose services publish straight into one realtime node (as in the embedded single
 * process), and people with a connected socket each; sockets close after every test.
 */
export function realtimeSuite(kind: TestDatabaseKind, options: { deps?: Partial<RealtimeDeps> } = {}) {
  let node: RealtimeNode | undefined;
  const hub = useHub(kind, { publisher: () => broadcastPublisher(() => node?.io as never) });
  const sockets: TestSocket[] = [];
  beforeAll(async () => {
    node = await startRealtimeNode(options);
  });
  afterEach(() => sockets.splice(0).forEach((socket) => socket.close()));
  afterAll(async () => node?.close());

  const rt = {
    hub,
    get node(): RealtimeNode {
      if (!node) throw new Error('the realtime node is not running');
      return node;
    },
    /** Another socket for a signed-in person, closed after the test. */
    async connect(api: ApiClient, extra: Parameters<typeof connect>[1] = {}) {
      const socket = await connectSocket(rt.node.url, { token: await realtimeToken(api) }, extra);
      sockets.push(socket);
      return socket;
    },
    async member(name: string) {
      const api = hub.client();
      const user = await api.signUp(name);
      return { api, user, socket: await rt.connect(api) };
    },
    /** Ada's channel with Bob in it; both joined unless `join: false`. */
    async sharedChannel({ join = true } = {}) {
      const ada = await rt.member('Ada');
      const bob = await rt.member('Bob');
      const { json } = await ada.api.post('/api/channels', { name: `rt-${Math.random().toString(36).slice(2, 8)}` });
      const channelId: string = json.channel.id;
      await ada.api.post(`/api/channels/${channelId}/members`, { email: bob.user.email });
      if (join) {
        if (!(await emitAck(ada.socket, 'channel:join', channelId)).ok) throw new Error('Ada could not join');
        if (!(await emitAck(bob.socket, 'channel:join', channelId)).ok) throw new Error('Bob could not join');
      }
      return { ada, bob, channelId };
    },
  };
  return rt;
}
