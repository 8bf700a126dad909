import { memberChannelIds } from '@/lib/channels/access';
import { getDb } from '@/lib/db';
import { CHANNELS_PER_JOIN, rooms } from '@/lib/realtime/events';
import { queryKeys } from '@/stores/query-keys';
import { RealtimeConnection } from '@/stores/realtime';
import type { ApiClient } from '../helpers/api-client';
import { testDatabaseKinds } from '../helpers/database';
import { connectSocket, emitRaw, pause, realtimeToken, record, startRealtimeNode, until, realtimeSuite, type TestSocket } from '../helpers/realtime';
import { createBrowserStore } from '../helpers/render-hub';

const CHANNELS = 200;

/** `count` channels owned by the caller, made over HTTP a few at a time; their ids in order. */
async function makeChannels(api: ApiClient, count: number, prefix = 'many'): Promise<string[]> {
  const tag = Math.random().toString(36).slice(2, 8);
  const ids: string[] = [];
  for (let start = 0; start < count; start += 10) {
    const made = await Promise.all(
      Array.from({ length: Math.min(10, count - start) }, (_, i) => api.post('/api/channels', { name: `${prefix}-${tag}-${String(start + i).padStart(3, '0')}` })),
    );
    for (const res of made) {
      if (res.status !== 201) throw new Error(`channel: ${res.status} ${res.text}`);
      ids.push(res.json.channel.id);
    }
  }
  return ids;
}

describe.each(testDatabaseKinds())('a person in many channels (%s)', (kind) => {
  // Membership queries are counted, to prove a batched join costs one (and its re-check).
  const queries: number[] = [];
  const rt = realtimeSuite(kind, {
    deps: {
      memberChannels: async (args) => {
        queries.push(args.channelIds.length);
        return memberChannelIds(await getDb(), args);
      },
    },
  });

  it(`joins ${CHANNELS} rooms in one event with one membership query, and receives in every one`, async () => {
    const ada = await rt.member('Ada');
    const ids = await makeChannels(ada.api, CHANNELS);
    const stranger = (await makeChannels((await rt.member('Eve')).api, 1, 'eve'))[0]!;
    queries.length = 0;
    expect(CHANNELS_PER_JOIN).toBeGreaterThanOrEqual(CHANNELS);
    const ack = await emitRaw<{ ok: true; joined: string[]; refused: string[] }>(ada.socket, 'channels:join', { channelIds: ids });
    expect(ack).toEqual({ ok: true, joined: ids, refused: [] });
    // One query to check, one to re-check after joining (a removal may race the join).
    expect(queries).toEqual([CHANNELS, CHANNELS]);
    // A channel she is not in is refused by name, next to one she is in.
    expect(await emitRaw(ada.socket, 'channels:join', { channelIds: [stranger, ids[0]] })).toEqual({ ok: true, joined: [ids[0]], refused: [stranger] });

    const received = record(ada.socket, 'message:created');
    for (const channelId of ids) expect((await ada.api.post(`/api/channels/${channelId}/messages`, { content: `into ${channelId}` })).status).toBe(201);
    await until(() => received.length === CHANNELS, 15_000, `a message in each of ${CHANNELS} channels`);
    expect(new Set(received.map((e) => e.message.channelId))).toEqual(new Set(ids));
    expect(ada.socket.connected).toBe(true);
  });

  it('refuses a batch over the cap, or with a bad id, with an error ack and joins nothing', async () => {
    const ada = await rt.member('Ada');
    const [own] = await makeChannels(ada.api, 1);
    const tooMany = Array.from({ length: CHANNELS_PER_JOIN + 1 }, () => own);
    expect(await emitRaw(ada.socket, 'channels:join', { channelIds: tooMany })).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(await emitRaw(ada.socket, 'channels:join', { channelIds: [own, 'nope'] })).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(rt.node.io.of('/').adapter.rooms.get(rooms.channel(own!))).toBeUndefined();
  });

  it(`keeps every room in the browser: the store joins ${CHANNELS} channels cheaply and stays online`, async () => {
    const bob = await rt.member('Bob');
    const ada = await rt.member('Ada');
    const ids = await makeChannels(bob.api, CHANNELS, 'bob');
    // Ada joins a sample that includes the last channels, and writes into each.
    const sample = [ids[0]!, ids[99]!, ...ids.slice(-5)];
    for (const channelId of sample) expect((await bob.api.post(`/api/channels/${channelId}/members`, { email: ada.user.email })).status).toBe(201);

    const store = createBrowserStore({ baseUrl: rt.hub.server.url, cookie: bob.api.cookie, user: bob.user });
    await store.queryClient.fetchQuery({ queryKey: queryKeys.channels, queryFn: () => store.channels.list() });
    expect(store.queryClient.getQueryData<unknown[]>(queryKeys.channels)).toHaveLength(CHANNELS);
    queries.length = 0;
    const connection = new RealtimeConnection(store, { url: rt.node.url, socketOptions: { transports: ['websocket'] } });
    const socket = connection.start();
    const disconnects: string[] = [];
    socket.on('disconnect', (reason) => disconnects.push(reason));
    try {
      await until(() => store.channels.presence.get(ids.at(-1)!)?.includes(bob.user.id) ?? false, 10_000, 'the last channel joined');
      expect(queries).toEqual([CHANNELS, CHANNELS]);

      for (const channelId of sample) await ada.api.post(`/api/channels/${channelId}/messages`, { content: 'ping' });
      await until(() => sample.every((channelId) => store.channels.unreadIn(channelId) === 1), 10_000, 'an unread message in each sampled channel');
      await pause(100);
      expect(disconnects).toEqual([]);
      expect(store.user.connection).toBe('online');
    } finally {
      connection.stop();
    }
  });

  it('forgets refusals over time: bursts now and then never disconnect, a sustained flood does', async () => {
    const limited = await startRealtimeNode({ deps: { limits: { eventsPerSecond: 50, burst: 5, refusalsBeforeDisconnect: 15 } } });
    let socket: TestSocket | undefined;
    try {
      const api = rt.hub.client();
      await api.signUp('Bursty');
      socket = await connectSocket(limited.url, { token: await realtimeToken(api) });
      const disconnects: string[] = [];
      socket.on('disconnect', (reason) => disconnects.push(reason));
      const unknownChannel = '01900000-0000-7000-8000-000000000000';
      let refusedInAll = 0;
      // Five bursts of 12 (each over the burst of 5), with pauses: 35 refusals in all, over 15.
      for (let round = 0; round < 5; round++) {
        const acks = await Promise.all(Array.from({ length: 12 }, () => emitRaw<{ ok: boolean; error?: { code: string } }>(socket!, 'typing', { channelId: unknownChannel })));
        const refused = acks.filter((ack) => ack.error?.code === 'rate_limited').length;
        expect(refused).toBeGreaterThan(0);
        refusedInAll += refused;
        await pause(400);
      }
      expect(refusedInAll).toBeGreaterThan(15);
      expect(disconnects).toEqual([]);
      expect(await emitRaw(socket, 'typing', { channelId: unknownChannel })).toMatchObject({ error: { code: 'forbidden' } });

      // A flood: hundreds at once, without waiting for answers.
      for (let i = 0; i < 300; i++) socket.emit('typing', { channelId: unknownChannel });
      await until(() => disconnects.length === 1, 5000, 'the flood to be cut off');
      expect(disconnects).toEqual(['io server disconnect']);
    } finally {
      socket?.close();
      await limited.close();
    }
  });
});
