import type { ChannelJson } from '@/lib/contracts/channels';
import type { MessageJson } from '@/lib/contracts/messages';
import { getDb } from '@/lib/db';
import { mentionedPeople } from '@/lib/mentions';
import { insertInOrder } from '@/lib/messages/insert';
import type { ApiClient } from '../helpers/api-client';
import { testDatabaseKinds } from '../helpers/database';
import { emitAck, realtimeSuite, record, until } from '../helpers/realtime';

describe('mentionedPeople', () => {
  const people = [
    { id: 'ada', name: 'Ada Lovelace' },
    { id: 'ada2', name: 'Ada Byron' },
    { id: 'bob', name: 'Bob' },
  ];
  it('matches full names, handles and first names, longest first, case-insensitively', () => {
    expect(mentionedPeople('@ada lovelace can you look?', people)).toEqual(['ada']);
    expect(mentionedPeople('ping @ada-byron', people)).toEqual(['ada2']);
    expect(mentionedPeople('@BOB and @Ada', people).sort()).toEqual(['ada', 'ada2', 'bob']);
  });
  it('ignores code, quotes, emails and names that only start the same', () => {
    expect(mentionedPeople('`@bob` "@bob" bob@bob.com @bobby', people)).toEqual([]);
    expect(mentionedPeople('> @bob said\nok', people)).toEqual([]);
    expect(mentionedPeople('no mention at all', people)).toEqual([]);
  });
});

describe.each(testDatabaseKinds())('read state and mentions (%s)', (kind) => {
  const rt = realtimeSuite(kind);

  const channelIn = async (api: ApiClient, channelId: string) => ((await api.get('/api/channels')).json.channels as ChannelJson[]).find((c) => c.id === channelId)!;
  const put = (api: ApiClient, path: string, body: unknown) => api.request('PUT', path, body);
  const say = async (api: ApiClient, channelId: string, content: string) => {
    const res = await api.post(`/api/channels/${channelId}/messages`, { content });
    expect(res.status).toBe(201);
    return res.json.message as MessageJson;
  };

  it('stores the people a message mentions, and counts unread and mentions per member, not their own', async () => {
    const { ada, bob, channelId } = await rt.sharedChannel({ join: false });
    const created = record(bob.socket, 'message:created');
    expect(await emitAck(bob.socket, 'channel:join', channelId)).toEqual({ ok: true });

    const plain = await say(ada.api, channelId, 'morning all');
    const mention = await say(ada.api, channelId, '@Bob can you review this?');
    const self = await say(ada.api, channelId, 'note to @Ada: remember');
    expect(plain.mentions).toBeUndefined();
    expect(mention.mentions).toEqual([bob.user.id]);
    expect(self.mentions).toBeUndefined();
    // The live event carries the mentions, so the sidebar can count them as they come.
    await until(() => created.length === 3, 5000, 'three messages');
    expect(created.map((e) => e.message.mentions)).toEqual([undefined, [bob.user.id], undefined]);

    expect(await channelIn(bob.api, channelId)).toMatchObject({ lastReadId: null, unreadCount: 3, mentionCount: 1 });
    expect(await channelIn(ada.api, channelId)).toMatchObject({ lastReadId: null, unreadCount: 0, mentionCount: 0 });
    await say(bob.api, channelId, 'on it');
    expect(await channelIn(bob.api, channelId)).toMatchObject({ unreadCount: 3, mentionCount: 1 });

    // An edit that adds a mention counts it.
    const edited = await ada.api.patch(`/api/channels/${channelId}/messages/${plain.id}`, { content: 'morning @bob' });
    expect(edited.json.message.mentions).toEqual([bob.user.id]);
    expect(await channelIn(bob.api, channelId)).toMatchObject({ unreadCount: 3, mentionCount: 2 });
  });

  it('moves the read mark forward only, follows the person across devices, and tells their other sockets', async () => {
    const { ada, bob, channelId } = await rt.sharedChannel();
    const phone = await rt.connect(bob.api);
    const reads = record(phone, 'channel:read');
    const adaReads = record(ada.socket, 'channel:read');
    const first = await say(ada.api, channelId, 'one @bob');
    const second = await say(ada.api, channelId, 'two');
    const third = await say(ada.api, channelId, 'three @bob');

    // Bob's laptop reads up to the second message: the phone hears of it and sees the same counts.
    const read = await put(bob.api, `/api/channels/${channelId}/read`, { lastReadId: second.id });
    expect(read.status).toBe(200);
    expect(read.json).toEqual({ lastReadId: second.id });
    await until(() => reads.length === 1, 5000, 'the read event');
    expect(reads).toEqual([{ channelId, lastReadId: second.id }]);
    // The phone has its own session: the read state comes from the server, not from the laptop.
    const bobOnPhone = rt.hub.client();
    expect((await bobOnPhone.post('/api/auth/sign-in', { email: bob.user.email, password: 'correct horse battery' })).status).toBe(200);
    expect(await channelIn(bobOnPhone, channelId)).toMatchObject({ lastReadId: second.id, unreadCount: 1, mentionCount: 1 });

    // An older mark (a slow device) changes nothing and sends nothing.
    const back = await put(bobOnPhone, `/api/channels/${channelId}/read`, { lastReadId: first.id });
    expect(back.status).toBe(200);
    expect(back.json).toEqual({ lastReadId: second.id });
    const again = await put(bobOnPhone, `/api/channels/${channelId}/read`, { lastReadId: second.id });
    expect(again.json).toEqual({ lastReadId: second.id });
    expect(await channelIn(bob.api, channelId)).toMatchObject({ lastReadId: second.id, unreadCount: 1, mentionCount: 1 });

    await put(bobOnPhone, `/api/channels/${channelId}/read`, { lastReadId: third.id });
    await until(() => reads.length === 2, 5000, 'the second read event');
    expect(reads.at(-1)).toEqual({ channelId, lastReadId: third.id });
    expect(await channelIn(bob.api, channelId)).toMatchObject({ lastReadId: third.id, unreadCount: 0, mentionCount: 0 });
    // Ada's read state is her own; her sockets heard nothing of Bob's.
    expect(await channelIn(ada.api, channelId)).toMatchObject({ lastReadId: null, unreadCount: 0 });
    expect(adaReads).toEqual([]);
  });

  it('refuses a message of another channel (404), a channel the caller is not in (404) and bad ids (400)', async () => {
    const { ada, bob, channelId } = await rt.sharedChannel({ join: false });
    const elsewhere = (await ada.api.post('/api/channels', { name: `other-${Math.random().toString(36).slice(2, 8)}` })).json.channel;
    const foreign = await say(ada.api, elsewhere.id, 'not in the shared channel');
    const mine = await say(ada.api, channelId, 'hello');
    const stranger = await rt.member('Stranger');
    const answers = [
      await put(bob.api, `/api/channels/${channelId}/read`, { lastReadId: foreign.id }),
      await put(bob.api, `/api/channels/${elsewhere.id}/read`, { lastReadId: foreign.id }),
      await put(stranger.api, `/api/channels/${channelId}/read`, { lastReadId: mine.id }),
    ];
    for (const res of answers) {
      expect(res.status).toBe(404);
      expect(res.json.error.code).toBe('not_found');
    }
    for (const body of [{}, { lastReadId: 'nope' }, { lastReadId: mine.id, extra: 1 }]) {
      const res = await put(bob.api, `/api/channels/${channelId}/read`, body);
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe('invalid_request');
    }
    expect(await channelIn(bob.api, channelId)).toMatchObject({ lastReadId: null, unreadCount: 1 });
  });

  it('counts only top-level messages as unread (thread replies count as mentions), in every channel of the list', async () => {
    const { ada, bob, channelId } = await rt.sharedChannel({ join: false });
    const others: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const channel = (await ada.api.post('/api/channels', { name: `many-${i}-${Math.random().toString(36).slice(2, 6)}` })).json.channel;
      await ada.api.post(`/api/channels/${channel.id}/members`, { email: bob.user.email });
      for (let j = 0; j <= i; j += 1) await say(ada.api, channel.id, j === 0 ? `@Bob in ${i}` : `more ${j}`);
      others.push(channel.id);
    }
    const listed = (await bob.api.get('/api/channels')).json.channels as ChannelJson[];
    expect(others.map((id) => listed.find((c) => c.id === id)).map((c) => [c!.unreadCount, c!.mentionCount])).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
      [4, 1],
      [5, 1],
    ]);
    expect(listed.find((c) => c.id === channelId)).toMatchObject({ unreadCount: 0, mentionCount: 0 });

    // A reply in a thread is not a top-level message: it counts only when it mentions Bob.
    const parent = await say(ada.api, channelId, 'a thread starts here');
    const db = await getDb();
    await insertInOrder(db, channelId, { authorKind: 'user', authorUserId: ada.user.id, content: 'in the thread', threadId: parent.id });
    await insertInOrder(db, channelId, { authorKind: 'user', authorUserId: ada.user.id, content: '@Bob in the thread', threadId: parent.id, mentions: [bob.user.id] });
    expect(await channelIn(bob.api, channelId)).toMatchObject({ unreadCount: 1, mentionCount: 1 });
  });
});
