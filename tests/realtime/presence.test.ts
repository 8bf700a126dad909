import { memberChannelIds } from '@/lib/channels/access';
import { getDb } from '@/lib/db';
import { rooms } from '@/lib/realtime/events';
import type { ApiClient } from '../helpers/api-client';
import { testDatabaseKinds } from '../helpers/database';
import { emitAck, emitRaw, pause, realtimeSuite, record, until } from '../helpers/realtime';

const INTERVAL_MS = 50;

/**
 * Membership checks that, once armed, wait until `count` of them are waiting and then all answer
 * together: joins that finish in the same instant, whatever the machine's speed.
 */
function membershipGate() {
  let waiting: (() => void)[] = [];
  let count = 0;
  return {
    arm: (calls: number) => void (count = calls),
    async check(args: { userId: string; channelIds: string[] }) {
      const answer = await memberChannelIds(await getDb(), args);
      if (!count) return answer;
      await new Promise<void>((resolve) => {
        waiting.push(resolve);
        if (waiting.length < count) return;
        const release = waiting;
        waiting = [];
        release.forEach((go) => go());
      });
      return answer;
    },
  };
}

async function makeChannels(api: ApiClient, count: number): Promise<string[]> {
  const tag = Math.random().toString(36).slice(2, 8);
  const ids: string[] = [];
  for (let start = 0; start < count; start += 10) {
    const made = await Promise.all(Array.from({ length: Math.min(10, count - start) }, (_, i) => api.post('/api/channels', { name: `herd-${tag}-${start + i}` })));
    ids.push(...made.map((res) => res.json.channel.id as string));
  }
  return ids;
}

describe.each(testDatabaseKinds())('presence announcements (%s)', (kind) => {
  const gate = membershipGate();
  const rt = realtimeSuite(kind, { deps: { memberChannels: (args) => gate.check(args), limits: { presenceIntervalMs: INTERVAL_MS } } });
  afterEach(() => gate.arm(0));

  /** Counts the presence lookups (fetchSockets) of each channel room on the node. */
  function countLookups() {
    const adapter = rt.node.io.of('/').adapter;
    const original = adapter.fetchSockets.bind(adapter);
    const lookups = new Map<string, number>();
    adapter.fetchSockets = (opts) => {
      for (const room of opts.rooms) if (room.startsWith('channel:')) lookups.set(room, (lookups.get(room) ?? 0) + 1);
      return original(opts);
    };
    return { lookups, restore: () => void (adapter.fetchSockets = original) };
  }

  it('announces 20 people joining a channel at once with one lookup and one broadcast that lists them all', async () => {
    const owner = await rt.member('Owner');
    const [channelId] = await makeChannels(owner.api, 1);
    const people = [];
    for (let i = 0; i < 20; i++) {
      const person = await rt.member(`Herd ${i}`);
      expect((await owner.api.post(`/api/channels/${channelId}/members`, { email: person.user.email })).status).toBe(201);
      people.push(person);
    }
    expect(await emitAck(owner.socket, 'channel:join', channelId)).toEqual({ ok: true });
    await pause(INTERVAL_MS * 3); // the owner's own join is announced before the herd arrives
    const presence = record(owner.socket, 'presence');
    const { lookups, restore } = countLookups();
    try {
      gate.arm(20);
      const acks = await Promise.all(people.map((p) => emitAck(p.socket, 'channel:join', channelId!)));
      expect(acks.every((ack) => ack.ok)).toBe(true);
      const everyone = [owner.user.id, ...people.map((p) => p.user.id)].sort();
      await until(() => presence.length > 0, 5000, 'the herd announced');
      await pause(INTERVAL_MS * 3);
      expect(presence).toEqual([{ channelId, online: everyone }]);
      expect(lookups.get(rooms.channel(channelId!))).toBe(1);
    } finally {
      restore();
    }
  });

  it('announces each of 200 channels once when three tabs rejoin them all at once (a reconnect herd)', async () => {
    const ada = await rt.member('Ada');
    const ids = await makeChannels(ada.api, 200);
    const tabs = [ada.socket, await rt.connect(ada.api), await rt.connect(ada.api)];
    const seen = tabs.map((tab) => record(tab, 'presence'));
    const { lookups, restore } = countLookups();
    try {
      gate.arm(tabs.length);
      const acks = await Promise.all(tabs.map((tab) => emitRaw<{ joined: string[] }>(tab, 'channels:join', { channelIds: ids })));
      expect(acks.map((ack) => ack.joined.length)).toEqual([200, 200, 200]);
      await until(() => seen.every((events) => events.length >= 200), 10_000, 'every channel announced to every tab');
      await pause(INTERVAL_MS * 3);
      for (const events of seen) {
        expect(events).toHaveLength(200);
        expect(new Set(events.map((e) => e.channelId))).toEqual(new Set(ids));
        expect(events.every((e) => e.online.length === 1 && e.online[0] === ada.user.id)).toBe(true);
      }
      expect(ids.map((id) => lookups.get(rooms.channel(id)))).toEqual(ids.map(() => 1));
    } finally {
      restore();
    }
  });

  it('gives the last word to the room as it is: a slow lookup never overwrites a later change', async () => {
    const { ada, bob, channelId } = await rt.sharedChannel();
    await pause(INTERVAL_MS * 3);
    const presence = record(ada.socket, 'presence');
    const adapter = rt.node.io.of('/').adapter;
    const original = adapter.fetchSockets.bind(adapter);
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let first = true;
    // The first lookup sees the room with Bob's new tab in it, then answers late.
    adapter.fetchSockets = (opts) => {
      const answer = original(opts);
      if (!first || !opts.rooms.has(rooms.channel(channelId))) return answer;
      first = false;
      return held.then(() => answer);
    };
    try {
      const tab = await rt.connect(bob.api);
      expect(await emitAck(tab, 'channel:join', channelId)).toEqual({ ok: true });
      await until(() => !first, 5000, 'the first lookup');
      // Bob leaves from both tabs while that lookup hangs.
      expect(await emitAck(tab, 'channel:leave', channelId)).toEqual({ ok: true });
      expect(await emitAck(bob.socket, 'channel:leave', channelId)).toEqual({ ok: true });
      await pause(INTERVAL_MS * 3);
      release();
      await until(() => presence.some((p) => !p.online.includes(bob.user.id)), 5000, 'Bob gone');
      await pause(INTERVAL_MS * 3);
      expect(presence.at(-1)).toEqual({ channelId, online: [ada.user.id] });
    } finally {
      adapter.fetchSockets = original;
      release();
    }
  });

  it('still announces a leave and a disconnect', async () => {
    const { ada, bob, channelId } = await rt.sharedChannel();
    const eve = await rt.member('Eve');
    const presence = record(ada.socket, 'presence');
    expect((await ada.api.post(`/api/channels/${channelId}/members`, { email: eve.user.email })).status).toBe(201);
    expect(await emitAck(eve.socket, 'channel:join', channelId)).toEqual({ ok: true });
    await until(() => presence.at(-1)?.online.length === 3, 5000, 'three online');
    expect(await emitAck(bob.socket, 'channel:leave', channelId)).toEqual({ ok: true });
    await until(() => presence.at(-1)?.online.length === 2, 5000, 'Bob left');
    expect(presence.at(-1)).toEqual({ channelId, online: [ada.user.id, eve.user.id].sort() });
    eve.socket.close();
    await until(() => presence.at(-1)?.online.length === 1, 5000, 'Eve disconnected');
    expect(presence.at(-1)).toEqual({ channelId, online: [ada.user.id] });
  });
});
