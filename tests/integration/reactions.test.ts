import { testDatabaseKinds } from '../helpers/database';
import { realtimeSuite, record, until } from '../helpers/realtime';
import type { ApiClient } from '../helpers/api-client';

type Reaction = { emoji: string; count: number; me: boolean; userIds?: string[]; names?: string[] };

describe.each(testDatabaseKinds())('message reactions (%s)', (kind) => {
  const rt = realtimeSuite(kind);

  const path = (channelId: string, messageId: string, emoji: string) => `/api/channels/${channelId}/messages/${messageId}/reactions/${encodeURIComponent(emoji)}`;
  const put = (api: ApiClient, channelId: string, messageId: string, emoji: string) => api.request('PUT', path(channelId, messageId, emoji));
  const del = (api: ApiClient, channelId: string, messageId: string, emoji: string) => api.request('DELETE', path(channelId, messageId, emoji));

  async function setup() {
    const { ada, bob, channelId } = await rt.sharedChannel();
    const message = (await ada.api.post(`/api/channels/${channelId}/messages`, { content: 'react to me' })).json.message as { id: string };
    const history = () => ada.api.get(`/api/channels/${channelId}/messages`);
    const shown = async (api: ApiClient = ada.api) => {
      const res = await api.get(`/api/channels/${channelId}/messages`);
      return { cache: res.headers.get('x-cache'), reactions: (res.json.messages.find((m: { id: string }) => m.id === message.id)?.reactions ?? []) as Reaction[] };
    };
    return { ada, bob, channelId, messageId: message.id, history, shown };
  }

  it('is idempotent both ways: adding twice counts once, removing an absent one is fine', async () => {
    const { ada, channelId, messageId } = await setup();
    const first = await put(ada.api, channelId, messageId, '👍');
    expect(first.status).toBe(200);
    expect(first.json.reactions).toEqual([{ emoji: '👍', count: 1, me: true, userIds: [ada.user.id], names: ['Ada'] }]);
    const again = await put(ada.api, channelId, messageId, '👍');
    expect(again.status).toBe(200);
    expect(again.json.reactions).toEqual(first.json.reactions);

    const removed = await del(ada.api, channelId, messageId, '👍');
    expect(removed.status).toBe(200);
    expect(removed.json.reactions).toEqual([]);
    const absent = await del(ada.api, channelId, messageId, '👍');
    expect(absent.status).toBe(200);
    expect(absent.json.reactions).toEqual([]);
  });

  it.each([
    ['plain letters', 'abc'],
    ['a digit alone', '1'],
    ['two emojis', '👍👍'],
    ['an emoji with text', '👍ok'],
    ['a long string', '😀'.repeat(40)],
    ['a joiner alone', '\u200d'],
  ])('refuses %s with 400 invalid_request', async (_name, emoji) => {
    const { ada, channelId, messageId } = await setup();
    const res = await put(ada.api, channelId, messageId, emoji);
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('invalid_request');
  });

  it('refuses an empty emoji (no route segment) without storing anything', async () => {
    const { ada, channelId, messageId, shown } = await setup();
    const res = await ada.api.request('PUT', `/api/channels/${channelId}/messages/${messageId}/reactions/%20`);
    expect(res.status).toBe(400);
    expect((await shown()).reactions).toEqual([]);
  });

  it.each([
    ['a ZWJ sequence', '👩‍💻'],
    ['a skin tone', '👍🏽'],
    ['a ZWJ family with skin tones', '👩🏻‍🤝‍👨🏿'],
    ['a flag', '🇫🇷'],
    ['a keycap', '1️⃣'],
    ['a heart with its presentation selector', '❤️'],
  ])('accepts %s as one emoji', async (_name, emoji) => {
    const { ada, channelId, messageId } = await setup();
    const res = await put(ada.api, channelId, messageId, emoji);
    expect(res.status).toBe(200);
    expect(res.json.reactions[0].emoji).toBe(emoji);
  });

  it('counts several people, most used first, with who reacted and `me` per caller', async () => {
    const { ada, bob, channelId, messageId, shown } = await setup();
    const cara = rt.hub.client();
    const caraUser = await cara.signUp('Cara');
    await ada.api.post(`/api/channels/${channelId}/members`, { email: caraUser.email });

    await put(ada.api, channelId, messageId, '🎉');
    await put(bob.api, channelId, messageId, '👍');
    await put(cara, channelId, messageId, '👍');
    const bobs = await put(bob.api, channelId, messageId, '🎉');
    expect(bobs.json.reactions).toEqual([
      // Equal counts: the emoji used first comes first.
      { emoji: '🎉', count: 2, me: true, userIds: [ada.user.id, bob.user.id], names: ['Ada', 'Bob'] },
      { emoji: '👍', count: 2, me: true, userIds: [bob.user.id, caraUser.id], names: ['Bob', 'Cara'] },
    ]);
    const caras = await put(cara, channelId, messageId, '👍');
    expect(caras.json.reactions.map((r: Reaction) => [r.emoji, r.me])).toEqual([['🎉', false], ['👍', true]]);

    await del(ada.api, channelId, messageId, '🎉');
    // History is shared by every member: `me` is false there, `userIds` say who.
    const { reactions } = await shown(bob.api);
    expect(reactions).toEqual([
      { emoji: '👍', count: 2, me: false, userIds: [bob.user.id, caraUser.id], names: ['Bob', 'Cara'] },
      { emoji: '🎉', count: 1, me: false, userIds: [bob.user.id], names: ['Bob'] },
    ]);
  });

  it('sends message:reactions to the room on a real socket, and nothing for a repeat', async () => {
    const { ada, bob, channelId, messageId } = await setup();
    const seen = record(bob.socket, 'message:reactions');
    await put(ada.api, channelId, messageId, '🚀');
    await until(() => seen.length === 1, 5000, 'the reaction event');
    expect(seen[0]).toEqual({ channelId, messageId, reactions: [{ emoji: '🚀', count: 1, me: false, userIds: [ada.user.id], names: ['Ada'] }] });

    // A repeat changes nothing and announces nothing; the removal after it is the next event.
    await put(ada.api, channelId, messageId, '🚀');
    await del(ada.api, channelId, messageId, '🚀');
    await until(() => seen.length >= 2, 5000, 'the removal event');
    expect(seen[1]).toEqual({ channelId, messageId, reactions: [] });
    expect(seen).toHaveLength(2);
    // A top-level message's event is as it always was: no threadId key at all.
    expect(seen.every((event) => !('threadId' in event))).toBe(true);
  });

  it('names the thread in message:reactions for a reply, so a browser can update the open thread', async () => {
    const { ada, bob, channelId, messageId } = await setup();
    const reply = (await bob.api.post(`/api/channels/${channelId}/messages`, { content: 'a reply', threadId: messageId })).json.message as { id: string };
    const seen = record(ada.socket, 'message:reactions');
    await put(bob.api, channelId, reply.id, '👀');
    await until(() => seen.length === 1, 5000, 'the reply reaction event');
    expect(seen[0]).toEqual({ channelId, messageId: reply.id, threadId: messageId, reactions: [{ emoji: '👀', count: 1, me: false, userIds: [bob.user.id], names: ['Bob'] }] });
    await del(bob.api, channelId, reply.id, '👀');
    await until(() => seen.length === 2, 5000, 'the reply removal event');
    expect(seen[1]).toEqual({ channelId, messageId: reply.id, threadId: messageId, reactions: [] });
  });

  it('never serves a stale reaction list from the history cache', async () => {
    const { ada, bob, channelId, messageId, history, shown } = await setup();
    await history();
    expect((await history()).headers.get('x-cache')).toBe('HIT');

    await put(bob.api, channelId, messageId, '👀');
    const afterAdd = await shown();
    expect(afterAdd.reactions.map((r) => [r.emoji, r.count])).toEqual([['👀', 1]]);
    const hit = await shown();
    expect(hit.cache).toBe('HIT');
    expect(hit.reactions.map((r) => [r.emoji, r.count])).toEqual([['👀', 1]]);

    await put(ada.api, channelId, messageId, '👀');
    expect((await shown()).reactions[0]!.count).toBe(2);
    await del(bob.api, channelId, messageId, '👀');
    await del(ada.api, channelId, messageId, '👀');
    const cleared = await shown();
    expect(cleared.reactions).toEqual([]);
    const clearedHit = await shown();
    expect(clearedHit.cache).toBe('HIT');
    expect(clearedHit.reactions).toEqual([]);
  });

  it('keeps reactions on an edited message and in its message:updated event', async () => {
    const { ada, bob, channelId, messageId } = await setup();
    await put(bob.api, channelId, messageId, '✅');
    const updates = record(bob.socket, 'message:updated');
    const edited = await ada.api.patch(`/api/channels/${channelId}/messages/${messageId}`, { content: 'edited' });
    expect(edited.json.message.reactions).toEqual([{ emoji: '✅', count: 1, me: false, userIds: [bob.user.id], names: ['Bob'] }]);
    await until(() => updates.length === 1, 5000, 'the edit event');
    expect(updates[0]!.message.reactions?.[0]?.emoji).toBe('✅');
  });

  it('answers 404 to a non-member, and for a message of another channel', async () => {
    const { ada, channelId, messageId, shown } = await setup();
    const eve = rt.hub.client();
    await eve.signUp('Eve');
    const refused = await put(eve, channelId, messageId, '👍');
    expect(refused.status).toBe(404);
    expect(refused.json.error.code).toBe('not_found');
    expect((await del(eve, channelId, messageId, '👍')).status).toBe(404);

    const other = (await ada.api.post('/api/channels', { name: `other-${Math.random().toString(36).slice(2, 8)}` })).json.channel.id as string;
    expect((await put(ada.api, other, messageId, '👍')).status).toBe(404);
    expect((await put(ada.api, channelId, '00000000-0000-7000-8000-000000000000', '👍')).status).toBe(404);
    expect((await shown()).reactions).toEqual([]);
  });

  it('caps the different emojis on one message, while adding to one already there still works', async () => {
    const { ada, bob, channelId, messageId } = await setup();
    const emojis = [...'😀😁😂🤣😃😄😅😆😉😊😋😎😍😘🥰😗😙😚🙂🤗🤩🤔🤨😐😑😶🙄😏😣😥😮🤐😯😪😫🥱😴😌😛😜😝🤤😒😓😔😕🙃🤑😲🙁'];
    expect(emojis).toHaveLength(50);
    for (const emoji of emojis) expect((await put(ada.api, channelId, messageId, emoji)).status).toBe(200);
    const over = await put(ada.api, channelId, messageId, '🤯');
    expect(over.status).toBe(400);
    expect(over.json.error.message).toMatch(/at most 50 different reactions/);
    expect((await put(bob.api, channelId, messageId, '😀')).json.reactions[0]).toMatchObject({ emoji: '😀', count: 2 });
  });
});
