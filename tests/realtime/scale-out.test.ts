import http from 'node:http';
import Redis from 'ioredis';
import { createRealtimeServer } from '@/server/realtime/create-realtime-server';
import { redisPublisher } from '@/lib/realtime/publisher';
import { testDatabaseKinds } from '../helpers/database';
import { useHub } from '../helpers/hub';
import { connectSocket, emitAck, realtimeToken, record, startRealtimeNode, until, type TestSocket } from '../helpers/realtime';

const redisUrl = process.env.REDIS_URL;

describe('publishing through Redis', () => {
  it('never fails a request when Redis is unreachable, and says so once', async () => {
    const lines: string[] = [];
    const { publisher, close } = redisPublisher('redis://127.0.0.1:1', (line) => lines.push(line));
    for (let i = 0; i < 5; i++) {
      expect(() => publisher.toChannel('01900000-0000-7000-8000-000000000000', 'channel:updated', { channelId: 'x' })).not.toThrow();
    }
    await until(() => lines.length > 0, 5000, 'the failure to be logged');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/publishing to Redis failed/);
    await close();
  });
});

// Scale-out needs Redis: two realtime nodes share rooms through the Socket.io Redis adapter, and
// the hub (route handlers) publishes through Redis with the emitter, as separate processes would.
// Like the other real-server rows, it exists only with REDIS_URL (CI sets it).
if (redisUrl) describe.each(testDatabaseKinds())('two realtime nodes over Redis (%s)', (kind) => {
  let emitter: ReturnType<typeof redisPublisher>;
  const hub = useHub(kind, { publisher: () => (emitter = redisPublisher(redisUrl)).publisher });
  let nodes: Awaited<ReturnType<typeof startRealtimeNode>>[] = [];
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    nodes = [await startRealtimeNode({ redisUrl }), await startRealtimeNode({ redisUrl })];
  });
  afterAll(async () => {
    sockets.forEach((socket) => socket.close());
    await Promise.all(nodes.map((node) => node.close()));
    await emitter?.close();
  });

  it('delivers across nodes, and a removal takes effect on every node', async () => {
    const ada = hub.client();
    const bob = hub.client();
    await ada.signUp('Ada');
    const bobUser = await bob.signUp('Bob');
    const adaSocket = await connectSocket(nodes[0]!.url, { token: await realtimeToken(ada) });
    const bobSocket = await connectSocket(nodes[1]!.url, { token: await realtimeToken(bob) });
    sockets.push(adaSocket, bobSocket);
    const { json } = await ada.post('/api/channels', { name: `scale-${Math.random().toString(36).slice(2, 8)}` });
    const channelId: string = json.channel.id;
    await ada.post(`/api/channels/${channelId}/members`, { email: bobUser.email });
    expect(await emitAck(adaSocket, 'channel:join', channelId)).toEqual({ ok: true });
    expect(await emitAck(bobSocket, 'channel:join', channelId)).toEqual({ ok: true });

    const atAda = record(adaSocket, 'message:created');
    const atBob = record(bobSocket, 'message:created');
    const presence = record(adaSocket, 'presence');
    const first = (await ada.post(`/api/channels/${channelId}/messages`, { content: 'hello from node 0' })).json.message;
    const second = (await bob.post(`/api/channels/${channelId}/messages`, { content: 'hello from node 1' })).json.message;
    await until(() => atAda.length === 2 && atBob.length === 2, 5000, 'both messages on both nodes');
    expect(atBob.map((e) => e.message.id)).toEqual([first.id, second.id]);
    expect(atAda.map((e) => e.message.id)).toEqual([first.id, second.id]);

    // Typing crosses nodes through the adapter too.
    const typing = record(adaSocket, 'typing');
    await emitAck(bobSocket, 'typing', channelId);
    await until(() => typing.length === 1, 3000, 'typing across nodes');

    await bob.post('/api/channels', { name: 'noise' }); // unrelated traffic
    const removed = record(bobSocket, 'channel:removed');
    expect((await ada.delete(`/api/channels/${channelId}/members/${bobUser.id}`)).status).toBe(204);
    await until(() => removed.length === 1, 5000, 'removal notice across nodes');
    const third = (await ada.post(`/api/channels/${channelId}/messages`, { content: 'Bob is gone' })).json.message;
    await until(() => atAda.some((e) => e.message.id === third.id), 5000, 'Ada receives');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(atBob.map((e) => e.message.id)).toEqual([first.id, second.id]);
    await until(() => presence.some((p) => p.online.length === 2), 3000, 'presence spans nodes');
  });
});

if (redisUrl) describe('a realtime node shutting down with Redis', () => {
  it('survives its Redis clients going away mid-command (the adapter fires commands without handling them)', async () => {
    const pub = new Redis(redisUrl);
    const sub = new Redis(redisUrl);
    const lines: string[] = [];
    const server = createRealtimeServer(http.createServer(), { verifyToken: async () => undefined, memberChannels: async () => [], isAllowedOrigin: () => true, redis: { pub, sub }, log: (line) => lines.push(line) });
    await until(() => sub.status === 'ready' && pub.status === 'ready', 3000, 'redis clients ready');
    // A broadcast after the publishing connection is gone fails its PUBLISH. The adapter does not
    // handle that promise; unguarded it is an unhandled rejection, which fails this suite (and
    // ends a Node process).
    try {
      pub.disconnect();
      server.io.to('channel:anything').emit('presence', { channelId: 'anything', online: [] });
      await until(() => lines.some((line) => /redis publish failed: Connection is closed/.test(line)), 3000, 'the failure logged');
    } finally {
      await server.close();
      sub.disconnect();
    }
  });
});

if (redisUrl) describe('one of several realtime nodes stopping', () => {
  it("disconnects only its own sockets: the other nodes' members stay connected and keep receiving", async () => {
    const deps = { verifyToken: async (token: unknown) => ({ id: String(token), name: 'Member' }) };
    const [stopping, staying] = [await startRealtimeNode({ redisUrl, deps }), await startRealtimeNode({ redisUrl, deps })];
    const { publisher, close } = redisPublisher(redisUrl);
    const userId = crypto.randomUUID();
    const socket = await connectSocket(staying.url, { token: userId });
    const closed: string[] = [];
    socket.on('disconnect', (reason) => closed.push(reason));
    const removed = record(socket, 'channel:removed');
    try {
      await stopping.close();
      // Published after the stopping node's last command reached Redis, so it arrives after any
      // cluster-wide disconnect that node might have broadcast.
      publisher.toUser(userId, 'channel:removed', { channelId: 'after-the-stop' });
      await until(() => removed.length === 1 || closed.length > 0, 5000, 'the event or a disconnect');
      expect(closed).toEqual([]);
      expect(removed).toEqual([{ channelId: 'after-the-stop' }]);
    } finally {
      socket.close();
      await staying.close();
      await close();
    }
  });
});
