import { newId } from '@/lib/ids';
import { listMessages } from '@/lib/messages/history';
import { broadcastPublisher, type Publisher } from '@/lib/realtime/publisher';
import { flattenHistory, type HistoryData } from '@/stores/message-store';
import { historyQuery } from '@/stores/queries';
import { queryKeys } from '@/stores/query-keys';
import { RealtimeConnection } from '@/stores/realtime';
import { cacheKindFor, openTestCache } from '../helpers/cache';
import { testDatabaseKinds } from '../helpers/database';
import { useHub } from '../helpers/hub';
import { startRealtimeNode, until } from '../helpers/realtime';
import { createBrowserStore } from '../helpers/render-hub';

describe.each(testDatabaseKinds())('client catch-up after a reconnect (%s)', (kind) => {
  let node: Awaited<ReturnType<typeof startRealtimeNode>>;
  const hub = useHub(kind, { publisher: () => broadcastPublisher(() => node?.io as never) });
  beforeAll(async () => {
    node = await startRealtimeNode();
  });
  afterAll(async () => node?.close());

  it('loses and duplicates nothing when the connection drops during a burst', async () => {
    const ada = hub.client();
    const bob = hub.client();
    await ada.signUp('Ada');
    const bobUser = await bob.signUp('Bob');
    const { json } = await ada.post('/api/channels', { name: `burst-${Math.random().toString(36).slice(2, 8)}` });
    const channelId: string = json.channel.id;
    await ada.post(`/api/channels/${channelId}/members`, { email: bobUser.email });
    for (let i = 0; i < 5; i++) await ada.post(`/api/channels/${channelId}/messages`, { content: `before ${i}` });

    // Bob's browser: stores over real HTTP, a real socket.io-client connection.
    const store = createBrowserStore({ baseUrl: hub.server.url, cookie: bob.cookie, user: bobUser });
    await store.queryClient.fetchQuery({ queryKey: queryKeys.channels, queryFn: () => store.channels.list() });
    await store.queryClient.fetchInfiniteQuery(historyQuery(store, channelId));
    const connection = new RealtimeConnection(store, {
      url: node.url,
      socketOptions: { transports: ['websocket'], reconnectionDelay: 50, reconnectionDelayMax: 200 },
    });
    const socket = connection.start();
    await until(() => store.channels.presence.get(channelId)?.includes(bobUser.id) ?? false, 5000, 'Bob joined');
    let reconnects = 0;
    socket.io.on('reconnect', () => (reconnects += 1));
    const events: string[] = [];
    socket.on('message:created', ({ message }) => events.push(message.id));
    const connects: number[] = [];
    socket.on('connect', () => connects.push(Date.now()));

    const sent: string[] = [];
    for (let i = 0; i < 60; i++) {
      // The network drops twice in the middle of the burst; the client reconnects by itself.
      if (i === 15 || i === 40) socket.io.engine.close();
      sent.push((await ada.post(`/api/channels/${channelId}/messages`, { content: `burst ${i}` })).json.message.id);
    }

    const server = (await bob.get(`/api/channels/${channelId}/messages?limit=200`)).json.messages.map((m: { id: string }) => m.id);
    expect(server.slice(5)).toEqual(sent);
    const seen = () => flattenHistory(store.queryClient.getQueryData<HistoryData>(queryKeys.messages(channelId))).map((m) => m.id);
    try {
      await until(() => JSON.stringify(seen()) === JSON.stringify(server), 10_000, 'the client to hold exactly the server history');
    } catch (error) {
      const have = seen();
      console.log('catch-up diverged', { events: events.length, connects: connects.length, eventsMissingFromCache: events.filter((id) => !have.includes(id)).length, missingFromEvents: server.filter((id: string) => !events.includes(id)).length, have: have.length, server: server.length, missing: server.filter((id: string) => !have.includes(id)).length, dup: have.length - new Set(have).size, reconnects, conn: store.user.connection, pages: store.queryClient.getQueryData<HistoryData>(queryKeys.messages(channelId))?.pages.map((p) => p.messages.length) });
      throw error;
    }
    expect(new Set(seen()).size).toBe(seen().length);
    expect(reconnects).toBeGreaterThanOrEqual(1);
    expect(store.user.connection).toBe('online');
    connection.stop();
  });

  it('keeps a live message that lands while a history fetch is in flight', async () => {
    const ada = hub.client();
    const adaUser = await ada.signUp('Ada');
    const { json } = await ada.post('/api/channels', { name: `race-${Math.random().toString(36).slice(2, 8)}` });
    const channelId: string = json.channel.id;
    const first = (await ada.post(`/api/channels/${channelId}/messages`, { content: 'first' })).json.message;
    const store = createBrowserStore({ baseUrl: hub.server.url, cookie: ada.cookie, user: adaUser });
    await store.queryClient.fetchInfiniteQuery(historyQuery(store, channelId));

    // A background refresh starts; before its (older) answer is written, a live message arrives.
    const refresh = store.queryClient.refetchQueries({ queryKey: queryKeys.messages(channelId) });
    expect(store.queryClient.isFetching({ queryKey: queryKeys.messages(channelId) })).toBe(1);
    const live = { ...first, id: newId(), content: 'arrived mid-refresh', clientId: undefined, createdAt: new Date().toISOString() };
    store.messages.receive(live);
    await refresh;
    const ids = flattenHistory(store.queryClient.getQueryData<HistoryData>(queryKeys.messages(channelId))).map((m) => m.id);
    expect(ids).toEqual([first.id, live.id]);
  });
});

describe.each(testDatabaseKinds())('a message is in the history before anyone hears of it (%s)', (kind) => {
  // What a reconnecting client asks the moment it hears of a message: the history after the one
  // before it. Asked from inside the publication, as early as any client could ask.
  const asked: Promise<{ cache: string; ids: string[] }>[] = [];
  let reader: { userId: string; channelId: string; after: string } | undefined;
  const publisher: Publisher = {
    toChannel(channelId, event, payload) {
      if (event !== 'message:created' || !reader || reader.channelId !== channelId) return;
      const { message } = payload as { message: { id: string } };
      const query = { limit: 50, after: reader.after };
      asked.push(
        listMessages({ userId: reader.userId, channelId, query }).then((page) => ({
          cache: page.cache,
          ids: page.messagesJson.map((json) => (JSON.parse(json) as { id: string }).id).filter((id) => id === message.id),
        })),
      );
    },
    toUser() {},
    removeFromChannel() {},
    closeChannel() {},
  };
  // A cache whose writes land late (a busy Redis, another process's connection): a message must
  // not be published before its window holds it, or a catch-up read in between misses it for good.
  const slowCache = async () => {
    const cache = await openTestCache(cacheKindFor(kind));
    const write = cache.write.bind(cache);
    cache.write = async (...args: Parameters<typeof write>) => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      return write(...args);
    };
    return cache;
  };
  const hub = useHub(kind, { publisher: () => publisher, cache: slowCache });

  it('a catch-up read made as message:created goes out finds the message (the cached window holds it first)', async () => {
    const ada = hub.client();
    const adaUser = await ada.signUp('Ada');
    const { json } = await ada.post('/api/channels', { name: `order-${Math.random().toString(36).slice(2, 8)}` });
    const channelId: string = json.channel.id;
    let previous: string = (await ada.post(`/api/channels/${channelId}/messages`, { content: 'first' })).json.message.id;
    // The window is cached (a history read fills it), so catch-up reads are answered from it.
    expect((await ada.get(`/api/channels/${channelId}/messages`)).headers.get('x-cache')).toBe('MISS');
    for (let i = 0; i < 5; i++) {
      reader = { userId: adaUser.id, channelId, after: previous };
      previous = (await ada.post(`/api/channels/${channelId}/messages`, { content: `next ${i}` })).json.message.id;
    }
    reader = undefined;
    const found = await Promise.all(asked);
    // Each read was answered from the cached window (the path that could miss it), and found it.
    expect(found).toEqual(Array.from({ length: 5 }, () => ({ cache: 'HIT', ids: [expect.any(String)] })));
  });
});
