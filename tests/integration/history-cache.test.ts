import { readChannelSnapshot } from '@/lib/cache/channel-cache';
import { testDatabaseKinds } from '../helpers/database';
import { useHub } from '../helpers/hub';
import type { ApiClient } from '../helpers/api-client';

describe.each(testDatabaseKinds())('channel history cache over HTTP (%s)', (kind) => {
  const hub = useHub(kind);

  async function channelWith(count: number) {
    const api: ApiClient = hub.client();
    const user = await api.signUp('Cora');
    const { json } = await api.post('/api/channels', { name: `cache-${Math.random().toString(36).slice(2, 8)}` });
    const channelId: string = json.channel.id;
    const sent: { id: string; content: string }[] = [];
    for (let i = 0; i < count; i++) sent.push((await api.post(`/api/channels/${channelId}/messages`, { content: `m${i}` })).json.message);
    const history = (query = '') => api.get(`/api/channels/${channelId}/messages${query}`);
    return { api, user, channelId, sent, history };
  }

  it('misses once, then hits, with Server-Timing for cache and db', async () => {
    const { history, sent } = await channelWith(3);
    const first = await history();
    expect(first.headers.get('x-cache')).toBe('MISS');
    expect(first.headers.get('server-timing')).toMatch(/^cache;dur=\d+\.\d+, db;dur=\d+\.\d+$/);
    const second = await history();
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(second.json).toEqual(first.json);
    expect(second.json.messages.map((m: { id: string }) => m.id)).toEqual(sent.map((m) => m.id));
    // A hit needs no database at all.
    expect(second.headers.get('server-timing')).toMatch(/db;dur=0\.00$/);
  });

  it('caches an empty channel as empty', async () => {
    const { history } = await channelWith(0);
    expect((await history()).headers.get('x-cache')).toBe('MISS');
    const again = await history();
    expect(again.headers.get('x-cache')).toBe('HIT');
    expect(again.json).toEqual({ messages: [], nextCursor: null });
  });

  it('keeps the cached window equal to the database through sends, edits and deletes', async () => {
    const { api, channelId, history } = await channelWith(2);
    await history();
    const sent = (await api.post(`/api/channels/${channelId}/messages`, { content: 'new one' })).json.message;
    const afterSend = await history();
    expect(afterSend.headers.get('x-cache')).toBe('HIT');
    expect(afterSend.json.messages.at(-1)).toEqual(sent);

    await api.patch(`/api/channels/${channelId}/messages/${sent.id}`, { content: 'edited' });
    const afterEdit = await history();
    expect(afterEdit.headers.get('x-cache')).toBe('MISS');
    expect(afterEdit.json.messages.at(-1).content).toBe('edited');

    await api.delete(`/api/channels/${channelId}/messages/${sent.id}`);
    const afterDelete = await history();
    expect(afterDelete.json.messages.map((m: { content: string }) => m.content)).toEqual(['m0', 'm1']);
    expect((await history()).headers.get('x-cache')).toBe('HIT');
  });

  it('serves pages inside the window from the cache and older pages from Postgres, with no gap', async () => {
    const { sent, history } = await channelWith(230);
    await history(); // fill
    const seen: string[] = [];
    const outcomes: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await history(`?limit=60${cursor ? `&before=${cursor}` : ''}`);
      outcomes.push(page.headers.get('x-cache')!);
      seen.unshift(...page.json.messages.map((m: { id: string }) => m.id));
      cursor = page.json.nextCursor;
    } while (cursor);
    expect(seen).toEqual(sent.map((m) => m.id));
    // 230 messages, a 200-message window: pages 1-3 (180 newest) hit, the 4th reaches past it.
    expect(outcomes).toEqual(['HIT', 'HIT', 'HIT', 'BYPASS']);

    const catchUp = await history(`?after=${sent[199]!.id}`);
    expect(catchUp.headers.get('x-cache')).toBe('HIT');
    expect(catchUp.json.messages.map((m: { id: string }) => m.id)).toEqual(sent.slice(200).map((m) => m.id));
    const oldCatchUp = await history(`?after=${sent[5]!.id}&limit=10`);
    expect(oldCatchUp.headers.get('x-cache')).toBe('BYPASS');
    expect(oldCatchUp.json.messages.map((m: { id: string }) => m.id)).toEqual(sent.slice(6, 16).map((m) => m.id));
  });

  it('refuses a removed member at once, even with the member set cached', async () => {
    const { api, user, channelId, history } = await channelWith(1);
    const guest = hub.client();
    const guestUser = await guest.signUp('Gus');
    await api.post(`/api/channels/${channelId}/members`, { email: guestUser.email });
    expect((await guest.get(`/api/channels/${channelId}/messages`)).status).toBe(200);
    expect((await guest.get(`/api/channels/${channelId}/messages`)).headers.get('x-cache')).toBe('HIT');
    const snapshot = await readChannelSnapshot(hub.cache, { channelId, userId: guestUser.id });
    expect(snapshot.member).toBe(true);

    await api.delete(`/api/channels/${channelId}/members/${guestUser.id}`);
    expect((await guest.get(`/api/channels/${channelId}/messages`)).status).toBe(404);
    expect((await history()).status).toBe(200);
    expect((await readChannelSnapshot(hub.cache, { channelId, userId: user.id })).member).toBe(true);
  });

  it('refuses non-members and does not cache a channel that does not exist', async () => {
    const { channelId } = await channelWith(1);
    const stranger = hub.client();
    await stranger.signUp('Stan');
    expect((await stranger.get(`/api/channels/${channelId}/messages`)).status).toBe(404);
    expect((await stranger.get(`/api/channels/${channelId}/messages`)).status).toBe(404);
    const ghost = '01900000-0000-7000-8000-000000000000';
    expect((await stranger.get(`/api/channels/${ghost}/messages`)).status).toBe(404);
    expect((await readChannelSnapshot(hub.cache, { channelId: ghost, userId: 'x' })).member).toBeUndefined();
  });

  it('recovers from a flushed cache with the same answer', async () => {
    const { channelId, history } = await channelWith(5);
    const before = await history();
    await hub.cache.backend.deleteByPrefix(`channel:${channelId}:`);
    const after = await history();
    expect(after.headers.get('x-cache')).toBe('MISS');
    expect(after.json).toEqual(before.json);
  });
});
