import { testDatabaseKinds } from '../helpers/database';
import { connectSocket, emitAck, emitRaw, pause, realtimeToken, record, until, realtimeSuite, type TestSocket } from '../helpers/realtime';

type Ack = { ok: boolean; error?: { code: string; message: string } };

const valid = '01900000-0000-7000-8000-000000000000';
const json = (text: string) => JSON.parse(text) as unknown;

/** Payloads no client event accepts. */
const badPayloads = (channelId: string): [string, unknown][] => [
  ['null', null],
  ['an empty array', []],
  ['an array holding the payload', [{ channelId }]],
  ['a number', 42],
  ['a boolean', true],
  ['the bare id as a string', channelId],
  ['an empty object', {}],
  ['an extra key', { channelId, admin: true }],
  ['a numeric id', { channelId: 42 }],
  ['a null id', { channelId: null }],
  ['an array id', { channelId: [channelId] }],
  ['an object id', { channelId: { toString: 'x' } }],
  ['an id with a space', { channelId: `${channelId} ` }],
  ['an id with a NUL', { channelId: `${channelId}\u0000` }],
  ['an oversize string id', { channelId: 'a'.repeat(15_000) }],
  ['a __proto__ key', json(`{"channelId": "${channelId}", "__proto__": {"polluted": "yes"}}`)],
  ['a constructor.prototype key', json(`{"channelId": "${channelId}", "constructor": {"prototype": {"polluted": "yes"}}}`)],
  ['binary', { channelId: Buffer.from(channelId) }],
];

const badBatches = (channelId: string): [string, unknown][] => [
  ['null', null],
  ['a string list', { channelIds: channelId }],
  ['null ids', { channelIds: null }],
  ['numbers', { channelIds: [1, 2, 3] }],
  ['a null in the list', { channelIds: [channelId, null] }],
  ['nested arrays', { channelIds: json(`${'['.repeat(500)}${']'.repeat(500)}`) }],
  ['a huge array', { channelIds: Array(6000).fill(0) }],
  ['over the cap', { channelIds: Array(201).fill(channelId) }],
  ['an extra key', { channelIds: [channelId], admin: true }],
  ['a __proto__ key', json(`{"channelIds": ["${channelId}"], "__proto__": {"polluted": "yes"}}`)],
  ['the ids in the wrong field', { channelId }],
];

describe.each(testDatabaseKinds())('hostile socket input (%s)', (kind) => {
  // Limits high enough that every hostile event reaches its handler (the flood limit has its own test).
  const rt = realtimeSuite(kind, { deps: { limits: { eventsPerSecond: 10_000, burst: 10_000 } } });

  it('answers every malformed event with an error ack or ignores it, and keeps serving everyone', async () => {
    const { ada, bob, channelId } = await rt.sharedChannel();
    const carol = await rt.member('Carol');
    const disconnects: string[] = [];
    bob.socket.on('disconnect', (reason) => disconnects.push(reason));

    for (const event of ['channel:join', 'channel:leave', 'typing']) {
      for (const [what, payload] of badPayloads(channelId)) {
        const ack = await emitRaw<Ack>(bob.socket, event, payload);
        expect({ event, what, ack }).toMatchObject({ event, what, ack: { ok: false, error: { code: 'invalid_request' } } });
      }
      // Without any payload, the acknowledgement is the only argument: it is still answered.
      expect(await emitRaw<Ack>(bob.socket, event)).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
      // No acknowledgement, or something that is not a function where it would be: nothing breaks.
      (bob.socket.emit as (...args: unknown[]) => void)(event, { channelId });
      (bob.socket.emit as (...args: unknown[]) => void)(event, null);
      (bob.socket.emit as (...args: unknown[]) => void)(event, { channelId }, 42, 'extra');
      (bob.socket.emit as (...args: unknown[]) => void)(event);
    }
    for (const [what, payload] of badBatches(channelId)) {
      const ack = await emitRaw<Ack>(bob.socket, 'channels:join', payload);
      expect({ what, ack }).toMatchObject({ what, ack: { ok: false, error: { code: 'invalid_request' } } });
    }
    expect(await emitRaw(bob.socket, 'channels:join', { channelIds: [] })).toEqual({ ok: true, joined: [], refused: [] });

    // Events nobody serves, including names that mean something to an EventEmitter.
    for (const event of ['admin:drop', 'error', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'presence', 'message:created', 42]) {
      expect({ event, ack: await emitRaw<Ack>(bob.socket, event, { channelId }) }).toMatchObject({ event, ack: { ok: false, error: { code: 'invalid_request' } } });
      (bob.socket.emit as (...args: unknown[]) => void)(event, { channelId });
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    // The barrage left Bob connected and in the room, and everyone is still served.
    expect(await emitAck(bob.socket, 'channel:join', channelId)).toEqual({ ok: true });
    expect(await emitAck(carol.socket, 'channel:join', valid)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const atBob = record(bob.socket, 'message:created');
    const atAda = record(ada.socket, 'message:created');
    const sent = (await ada.api.post(`/api/channels/${channelId}/messages`, { content: 'still here?' })).json.message;
    await until(() => atBob.length === 1 && atAda.length === 1, 5000, 'the message at both');
    expect(atBob[0]!.message.id).toBe(sent.id);
    expect(disconnects).toEqual([]);
  });

  it('makes no broadcasts for joins that change nothing, nor for leaving rooms one is not in', async () => {
    const { ada, bob, channelId } = await rt.sharedChannel();
    const eve = await rt.member('Eve');
    // Presence is coalesced per channel (50 ms): let the joins of sharedChannel be announced first.
    await pause(150);
    const presence = record(ada.socket, 'presence');
    for (let i = 0; i < 5; i++) {
      expect(await emitRaw(bob.socket, 'channels:join', { channelIds: [channelId] })).toEqual({ ok: true, joined: [channelId], refused: [] });
      expect(await emitAck(bob.socket, 'channel:join', channelId)).toEqual({ ok: true });
      expect(await emitAck(eve.socket, 'channel:leave', channelId)).toEqual({ ok: true });
    }
    // A real change is still announced, and it is the first announcement Ada sees.
    const tab = await rt.connect(bob.api);
    expect(await emitAck(tab, 'channel:join', channelId)).toEqual({ ok: true });
    await until(() => presence.length > 0, 3000, 'the real join announced');
    await pause(100);
    expect(presence).toEqual([{ channelId, online: [ada.user.id, bob.user.id].sort() }]);
  });

  it('cuts off a socket that sends a packet over the size limit, and no one else', async () => {
    const { ada, bob, channelId } = await rt.sharedChannel();
    const mallory: TestSocket = await connectSocket(rt.node.url, { token: await realtimeToken(bob.api) });
    const gone: string[] = [];
    mallory.on('disconnect', (reason) => gone.push(reason));
    mallory.emit('channel:join', { channelId: 'x'.repeat(64 * 1024) } as never, () => {});
    await until(() => gone.length === 1, 5000, 'the oversize sender cut off');
    expect(gone[0]).toMatch(/transport (close|error)/);
    mallory.close();

    const atBob = record(bob.socket, 'message:created');
    await ada.api.post(`/api/channels/${channelId}/messages`, { content: 'others go on' });
    await until(() => atBob.length === 1, 5000, 'Bob still receives');
    await pause(50);
    expect(bob.socket.connected).toBe(true);
  });
});
