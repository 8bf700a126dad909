import { SignJWT } from 'jose';
import { resetEnv } from '@/lib/env';
import { broadcastPublisher } from '@/lib/realtime/publisher';
import type { ApiClient } from '../helpers/api-client';
import { testDatabaseKinds } from '../helpers/database';
import { useHub } from '../helpers/hub';
import { ALLOWED_ORIGIN, connectSocket, emitAck, realtimeToken, record, startRealtimeNode, until, type TestSocket } from '../helpers/realtime';

describe.each(testDatabaseKinds())('realtime server (%s)', (kind) => {
  let node: Awaited<ReturnType<typeof startRealtimeNode>>;
  // Services publish straight into this node, as in the embedded single process.
  const hub = useHub(kind, { publisher: () => broadcastPublisher(() => node?.io as never) });
  const sockets: TestSocket[] = [];

  const SECRET = 'realtime-test-secret-0123456789abcdef';
  const savedSecret = process.env.REALTIME_SECRET;
  beforeAll(async () => {
    process.env.REALTIME_SECRET = SECRET;
    resetEnv();
    node = await startRealtimeNode();
  });
  afterEach(() => sockets.splice(0).forEach((socket) => socket.close()));
  afterAll(async () => {
    await node?.close();
    process.env.REALTIME_SECRET = savedSecret;
    resetEnv();
  });

  async function member(name: string) {
    const api: ApiClient = hub.client();
    const user = await api.signUp(name);
    const socket = await connectSocket(node.url, { token: await realtimeToken(api) });
    sockets.push(socket);
    return { api, user, socket };
  }

  async function sharedChannel() {
    const ada = await member('Ada');
    const bob = await member('Bob');
    const { json } = await ada.api.post('/api/channels', { name: `rt-${Math.random().toString(36).slice(2, 8)}` });
    const channelId: string = json.channel.id;
    await ada.api.post(`/api/channels/${channelId}/members`, { email: bob.user.email });
    expect(await emitAck(ada.socket, 'channel:join', channelId)).toEqual({ ok: true });
    expect(await emitAck(bob.socket, 'channel:join', channelId)).toEqual({ ok: true });
    return { ada, bob, channelId };
  }

  it('refuses a missing, forged or expired token, and a foreign origin', async () => {
    await expect(connectSocket(node.url, {})).rejects.toThrow('unauthorized');
    await expect(connectSocket(node.url, { token: 'not-a-token' })).rejects.toThrow('unauthorized');
    const forged = await new SignJWT({ name: 'Mallory' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('01900000-0000-7000-8000-000000000000')
      .setAudience('neurocache-realtime')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('a-secret-that-is-not-the-hubs-secret-at-all'));
    await expect(connectSocket(node.url, { token: forged })).rejects.toThrow('unauthorized');
    const expired = await new SignJWT({ name: 'Late' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('01900000-0000-7000-8000-000000000000')
      .setAudience('neurocache-realtime')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 600)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 300)
      .sign(new TextEncoder().encode(SECRET));
    await expect(connectSocket(node.url, { token: expired })).rejects.toThrow('unauthorized');

    const api = hub.client();
    await api.signUp('Origin');
    const token = await realtimeToken(api);
    await expect(connectSocket(node.url, { token }, { extraHeaders: { origin: 'http://evil.test' } })).rejects.toThrow();
    sockets.push(await connectSocket(node.url, { token }, { extraHeaders: { origin: ALLOWED_ORIGIN } }));
    expect((await hub.client().post('/api/realtime/token')).status).toBe(401);
  });

  it('refuses a join by a non-member, or with a bad payload, with an error ack', async () => {
    const { ada, bob, channelId } = await sharedChannel();
    const eve = await member('Eve');
    expect(await emitAck(eve.socket, 'channel:join', channelId)).toEqual({ ok: false, error: { code: 'not_found', message: 'Channel not found.' } });
    expect(await emitAck(eve.socket, 'channel:join', 'nope')).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    // Eve's socket is live: a channel of her own reaches her.
    const atEve = record(eve.socket, 'message:created');
    const own = (await eve.api.post('/api/channels', { name: `eve-${Math.random().toString(36).slice(2, 8)}` })).json.channel.id;
    expect(await emitAck(eve.socket, 'channel:join', own)).toEqual({ ok: true });
    const hers = (await eve.api.post(`/api/channels/${own}/messages`, { content: 'mine' })).json.message;
    await until(() => atEve.length === 1, 5000, 'Eve receives in her own channel');

    // A member's message into the channel she was refused reaches its room (Bob has it), not her.
    const atBob = record(bob.socket, 'message:created');
    const sent = await ada.api.post(`/api/channels/${channelId}/messages`, { content: 'not for Eve' });
    expect(sent.status).toBe(201);
    await until(() => atBob.some((e) => e.message.id === sent.json.message.id), 5000, 'Bob receives');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(atEve.map((e) => e.message.id)).toEqual([hers.id]);
  });

  it('delivers each member’s messages to both, once each, in order', async () => {
    const { ada, bob, channelId } = await sharedChannel();
    const atAda = record(ada.socket, 'message:created');
    const atBob = record(bob.socket, 'message:created');
    const sent: string[] = [];
    for (let i = 0; i < 6; i++) {
      const author = i % 2 ? bob : ada;
      sent.push((await author.api.post(`/api/channels/${channelId}/messages`, { content: `m${i}` })).json.message.id);
    }
    await until(() => atAda.length >= 6 && atBob.length >= 6, 5000, 'six messages at both');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(atAda.map((e) => e.message.id)).toEqual(sent);
    expect(atBob.map((e) => e.message.id)).toEqual(sent);
    expect(atBob[1]!.message).toMatchObject({ content: 'm1', author: { kind: 'user', id: bob.user.id, name: 'Bob' } });
  });

  it('carries edits and deletes to the room', async () => {
    const { ada, bob, channelId } = await sharedChannel();
    const updated = record(bob.socket, 'message:updated');
    const deleted = record(bob.socket, 'message:deleted');
    const { json } = await ada.api.post(`/api/channels/${channelId}/messages`, { content: 'draft' });
    await ada.api.patch(`/api/channels/${channelId}/messages/${json.message.id}`, { content: 'final' });
    await ada.api.delete(`/api/channels/${channelId}/messages/${json.message.id}`);
    await until(() => deleted.length === 1, 5000, 'delete event');
    expect(updated.map((e) => e.message.content)).toEqual(['final']);
    expect(deleted).toEqual([{ channelId, messageId: json.message.id }]);
  });

  it('takes a removed member out of the room at once', async () => {
    const { ada, bob, channelId } = await sharedChannel();
    const removed = record(bob.socket, 'channel:removed');
    const atBob = record(bob.socket, 'message:created');
    const atAda = record(ada.socket, 'message:created');
    expect((await ada.api.delete(`/api/channels/${channelId}/members/${bob.user.id}`)).status).toBe(204);
    const { json } = await ada.api.post(`/api/channels/${channelId}/messages`, { content: 'after removal' });
    await until(() => atAda.some((e) => e.message.id === json.message.id), 5000, 'Ada sees her message');
    await until(() => removed.length === 1, 5000, 'removal notice');
    expect(removed).toEqual([{ channelId }]);
    expect(atBob).toEqual([]);
    expect(await emitAck(bob.socket, 'channel:join', channelId)).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('relays typing to others, throttled, and only from members in the room', async () => {
    const { ada, bob, channelId } = await sharedChannel();
    const atBob = record(bob.socket, 'typing');
    const atAda = record(ada.socket, 'typing');
    for (let i = 0; i < 5; i++) expect(await emitAck(ada.socket, 'typing', channelId)).toEqual({ ok: true });
    await until(() => atBob.length === 1, 2000, 'typing');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(atBob).toEqual([{ channelId, user: { id: ada.user.id, name: 'Ada' } }]);
    expect(atAda).toEqual([]);
    const eve = await member('Eve');
    expect(await emitAck(eve.socket, 'typing', channelId)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('tells the room who is online, across tabs', async () => {
    const { ada, bob, channelId } = await sharedChannel();
    const presence = record(ada.socket, 'presence');
    const sorted = [ada.user.id, bob.user.id].sort();
    const secondTab = await connectSocket(node.url, { token: await realtimeToken(bob.api) });
    sockets.push(secondTab);
    expect(await emitAck(secondTab, 'channel:join', channelId)).toEqual({ ok: true });
    await until(() => presence.some((p) => JSON.stringify(p.online) === JSON.stringify(sorted)), 3000, 'both online');
    bob.socket.close(); // one of Bob's tabs closes: he is still online
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(presence.at(-1)).toEqual({ channelId, online: sorted });
    secondTab.close();
    await until(() => JSON.stringify(presence.at(-1)?.online) === JSON.stringify([ada.user.id]), 3000, 'Bob offline');
  });

  it('refuses a flood of events with rate_limited acks', async () => {
    const { ada, channelId } = await sharedChannel();
    const acks = await Promise.all(Array.from({ length: 60 }, () => emitAck(ada.socket, 'typing', channelId)));
    const limited = acks.filter((ack) => !ack.ok && ack.error.code === 'rate_limited');
    expect(limited.length).toBeGreaterThan(0);
    expect(acks.filter((ack) => ack.ok).length).toBeGreaterThanOrEqual(29);
  });
});
