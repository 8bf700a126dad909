import { testDatabaseKinds } from '../helpers/database';
import { emitAck, emitRaw, pause, record, until, realtimeSuite } from '../helpers/realtime';

/** The spellings a caller might type for one channel id: all of them name the same room. */
function variants(id: string) {
  const mixed = [...id].map((char, i) => (i % 2 ? char.toUpperCase() : char)).join('');
  return { upper: id.toUpperCase(), mixed, lower: id };
}

describe.each(testDatabaseKinds())('channel ids in socket events, in any case (%s)', (kind) => {
  const rt = realtimeSuite(kind);

  /** No room may exist under a spelling other than the canonical one. */
  const roomsInOtherCases = () => [...rt.node.io.of('/').adapter.rooms.keys()].filter((room) => room.startsWith('channel:') && room !== room.toLowerCase());

  it('joins, relays typing and leaves the one canonical room whatever the case', async () => {
    const { ada, bob, channelId } = await rt.sharedChannel({ join: false });
    const { upper, mixed } = variants(channelId);
    expect(upper).not.toBe(channelId);
    expect(await emitAck(bob.socket, 'channel:join', upper)).toEqual({ ok: true });
    expect(await emitAck(ada.socket, 'channel:join', mixed)).toEqual({ ok: true });
    expect(roomsInOtherCases()).toEqual([]);

    const atBob = record(bob.socket, 'message:created');
    const first = (await ada.api.post(`/api/channels/${channelId}/messages`, { content: 'to the capitalized join' })).json.message;
    await until(() => atBob.some((e) => e.message.id === first.id), 5000, 'the message at the capitalized join');

    const typing = record(bob.socket, 'typing');
    expect(await emitAck(ada.socket, 'typing', upper)).toEqual({ ok: true });
    await until(() => typing.length === 1, 3000, 'typing');
    expect(typing[0]).toEqual({ channelId, user: { id: ada.user.id, name: 'Ada' } });

    const presence = record(ada.socket, 'presence');
    expect(await emitAck(bob.socket, 'channel:leave', mixed)).toEqual({ ok: true });
    await until(() => presence.some((p) => p.channelId === channelId && !p.online.includes(bob.user.id)), 3000, 'Bob gone from presence');
    const atAda = record(ada.socket, 'message:created');
    const second = (await ada.api.post(`/api/channels/${channelId}/messages`, { content: 'after the leave' })).json.message;
    await until(() => atAda.some((e) => e.message.id === second.id), 5000, 'Ada receives');
    await pause(100);
    expect(atBob.map((e) => e.message.id)).toEqual([first.id]);
  });

  it('takes a removed member out of the room whatever case they joined with, and refuses every spelling after', async () => {
    const { ada, bob, channelId } = await rt.sharedChannel({ join: false });
    const { upper, mixed, lower } = variants(channelId);
    const secondTab = await rt.connect(bob.api);
    expect(await emitAck(bob.socket, 'channel:join', upper)).toEqual({ ok: true });
    expect(await emitAck(secondTab, 'channel:join', mixed)).toEqual({ ok: true });
    expect(await emitAck(ada.socket, 'channel:join', lower)).toEqual({ ok: true });
    const batch = await emitRaw(secondTab, 'channels:join', { channelIds: [upper] });
    expect(batch).toEqual({ ok: true, joined: [channelId], refused: [] });

    const removed = record(bob.socket, 'channel:removed');
    const atBob = [record(bob.socket, 'message:created'), record(secondTab, 'message:created')];
    const atAda = record(ada.socket, 'message:created');
    expect((await ada.api.delete(`/api/channels/${channelId}/members/${bob.user.id}`)).status).toBe(204);
    await until(() => removed.length === 1, 5000, 'removal notice');
    const after = (await ada.api.post(`/api/channels/${channelId}/messages`, { content: 'Bob is gone' })).json.message;
    await until(() => atAda.some((e) => e.message.id === after.id), 5000, 'Ada receives');
    await pause(100);
    expect(atBob.flat()).toEqual([]);

    for (const spelling of [upper, mixed, lower]) {
      expect(await emitAck(bob.socket, 'channel:join', spelling)).toMatchObject({ ok: false, error: { code: 'not_found' } });
      expect(await emitAck(secondTab, 'typing', spelling)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    expect(await emitRaw(secondTab, 'channels:join', { channelIds: [upper, mixed, lower] })).toEqual({ ok: true, joined: [], refused: [channelId] });
    expect(roomsInOtherCases()).toEqual([]);
  });
});
