import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { rooms } from '@/lib/realtime/events';
import { broadcastPublisher } from '@/lib/realtime/publisher';
import { queryKeys } from '@/stores/query-keys';
import { RealtimeConnection } from '@/stores/realtime';
import type { ApiClient } from '../helpers/api-client';
import { testDatabaseKinds } from '../helpers/database';
import { setEnv } from '../helpers/env';
import { useHub } from '../helpers/hub';
import { connectSocket, realtimeToken, startRealtimeNode, until, type RealtimeNode, type TestSocket } from '../helpers/realtime';
import { createBrowserStore } from '../helpers/render-hub';
import { createRealtimeServer } from '@/server/realtime/create-realtime-server';
import { realtimeDepsFromEnv } from '@/server/realtime/deps';

const CAP = 3;
const redisUrl = process.env.REDIS_URL;

describe.each(testDatabaseKinds())('sockets per person (%s)', (kind) => {
  const nodes: RealtimeNode[] = [];
  const hub = useHub(kind, { publisher: () => broadcastPublisher(() => nodes[0]?.io as never) });
  const sockets: TestSocket[] = [];
  beforeAll(async () => {
    nodes.push(await startRealtimeNode({ deps: { limits: { socketsPerUser: CAP } } }));
  });
  afterEach(() => sockets.splice(0).forEach((socket) => socket.close()));
  afterAll(async () => Promise.all(nodes.map((node) => node.close())));

  async function open(api: ApiClient, url = nodes[0]!.url) {
    const socket = await connectSocket(url, { token: await realtimeToken(api) });
    sockets.push(socket);
    return socket;
  }

  it(`refuses a person's connection beyond ${CAP} with too_many_connections, and takes one again when a slot frees`, async () => {
    const ada = hub.client();
    const adaUser = await ada.signUp('Ada');
    const open3 = [await open(ada), await open(ada), await open(ada)];
    await expect(open(ada)).rejects.toThrow('too_many_connections');
    // Someone else is not counted against Ada.
    const bob = hub.client();
    await bob.signUp('Bob');
    await open(bob);

    open3[0]!.close();
    await until(() => nodes[0]!.io.of('/').adapter.rooms.get(rooms.user(adaUser.id))?.size === CAP - 1, 3000, 'the closed socket gone');
    await expect(open(ada)).resolves.toBeDefined();
    await expect(open(ada)).rejects.toThrow('too_many_connections');
  });

  it('counts handshakes that race each other: of many at once, exactly the cap get in', async () => {
    const ada = hub.client();
    await ada.signUp('Ada');
    const tokens = await Promise.all(Array.from({ length: 8 }, () => realtimeToken(ada)));
    const results = await Promise.allSettled(tokens.map((token) => connectSocket(nodes[0]!.url, { token })));
    for (const result of results) if (result.status === 'fulfilled') sockets.push(result.value);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(CAP);
    const reasons = results.flatMap((result) => (result.status === 'rejected' ? [(result.reason as Error).message] : []));
    expect(reasons).toEqual(Array(8 - CAP).fill('too_many_connections'));
  });

  it('a browser tab refused for too many connections retries, and connects once another tab closes', async () => {
    const ada = hub.client();
    const user = await ada.signUp('Ada');
    const tabs = [await open(ada), await open(ada), await open(ada)];
    const store = createBrowserStore({ baseUrl: hub.server.url, cookie: ada.cookie, user });
    await store.queryClient.fetchQuery({ queryKey: queryKeys.channels, queryFn: () => store.channels.list() });
    const connection = new RealtimeConnection(store, { url: nodes[0]!.url, socketOptions: { transports: ['websocket'], reconnectionDelay: 20, reconnectionDelayMax: 100 } });
    const errors: string[] = [];
    connection.start().on('connect_error', (error) => errors.push(error.message));
    try {
      await until(() => errors.length >= 2, 5000, 'a refusal and a retry');
      expect(new Set(errors)).toEqual(new Set(['too_many_connections']));
      expect(store.user.connection).toBe('offline');
      tabs[0]!.close();
      await until(() => store.user.connection === 'online', 5000, 'the tab connects');
    } finally {
      connection.stop();
    }
  });

  it('takes the cap from REALTIME_MAX_SOCKETS_PER_USER, as the hub runs it', async () => {
    const restore = setEnv({ REALTIME_MAX_SOCKETS_PER_USER: '2' });
    const server = http.createServer();
    const deps = realtimeDepsFromEnv();
    const realtime = createRealtimeServer(server, { ...deps, log: () => {} });
    try {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const ada = hub.client();
      await ada.signUp('Ada');
      await open(ada, url);
      await open(ada, url);
      await expect(open(ada, url)).rejects.toThrow('too_many_connections');
    } finally {
      sockets.splice(0).forEach((socket) => socket.close());
      await realtime.close();
      await deps.closeRedis();
      restore();
    }
  });

  if (redisUrl && kind === 'postgres') {
    it('counts a person’s sockets on every node', async () => {
      nodes.push(await startRealtimeNode({ redisUrl, deps: { limits: { socketsPerUser: CAP } } }), await startRealtimeNode({ redisUrl, deps: { limits: { socketsPerUser: CAP } } }));
      const [, one, two] = nodes;
      const ada = hub.client();
      await ada.signUp('Ada');
      await open(ada, one!.url);
      await open(ada, two!.url);
      await open(ada, one!.url);
      await expect(open(ada, two!.url)).rejects.toThrow('too_many_connections');
      await expect(open(ada, one!.url)).rejects.toThrow('too_many_connections');
    });
  }
});
