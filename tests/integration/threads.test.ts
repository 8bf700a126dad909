import { eq } from 'drizzle-orm';
import { setModelProvider } from '@/lib/ai';
import { createOfflineProvider, OFFLINE_LABEL } from '@/lib/ai/offline';
import { createOpenAIProvider } from '@/lib/ai/openai';
import { repliesSettled } from '@/lib/agents/replies';
import { readChannelSnapshot } from '@/lib/cache/channel-cache';
import { messages } from '@/lib/db/schema';
import type { MessageJson } from '@/lib/contracts/messages';
import { startOpenAIServer } from '../fixtures/openai-server';
import type { ApiClient } from '../helpers/api-client';
import { testDatabaseKinds } from '../helpers/database';
import { uniqueName } from '../helpers/people';
import { emitAck, realtimeSuite, record, until } from '../helpers/realtime';

type Page = { messages: MessageJson[]; nextCursor: string | null; parent?: MessageJson; read?: { lastReadId: string | null; unreadCount: number; unread: boolean } };

describe.each(testDatabaseKinds())('threads (%s)', (kind) => {
  const rt = realtimeSuite(kind);
  const hub = rt.hub;
  afterEach(() => repliesSettled());

  /** Ada's channel with Bob in it, both with sockets in its room, and a parent message of Ada's. */
  async function newThread() {
    const { ada, bob, channelId } = await rt.sharedChannel();
    const base = `/api/channels/${channelId}/messages`;
    const say = async (api: ApiClient, content: string, threadId?: string) => {
      const res = await api.post(base, { content, ...(threadId ? { threadId } : {}) });
      expect(res.status).toBe(201);
      return res.json.message as MessageJson;
    };
    const parent = await say(ada.api, 'Shall we ship on Friday?');
    const page = async (api: ApiClient, query = '') => {
      const res = await api.get(`${base}?threadId=${parent.id}${query}`);
      return { status: res.status, cache: res.headers.get('x-cache'), body: res.json as Page };
    };
    const channel = async (api: ApiClient = ada.api, query = '') => {
      const res = await api.get(`${base}${query}`);
      return { cache: res.headers.get('x-cache'), body: res.json as Page };
    };
    return { ada, bob, channelId, base, say, parent, page, channel };
  }

  it('stores replies under their parent, keeps them out of the channel, and summarizes them on the parent', async () => {
    const { ada, bob, say, parent, page, channel } = await newThread();
    const r1 = await say(bob.api, 'Friday works', parent.id);
    const r2 = await say(ada.api, 'Great', parent.id);
    const r3 = await say(bob.api, 'I will write the notes', parent.id);
    expect(r1.threadId).toBe(parent.id);
    expect(r1.thread).toBeUndefined();

    const top = (await channel()).body.messages;
    expect(top.map((m) => m.id)).toEqual([parent.id]);
    expect(top[0]!.thread).toEqual({
      replyCount: 3,
      lastReplyAt: r3.createdAt,
      // Each once, in order of their first reply.
      participants: [
        { kind: 'user', id: bob.user.id, name: 'Bob' },
        { kind: 'user', id: ada.user.id, name: 'Ada' },
      ],
    });

    const all = await page(ada.api);
    expect(all.status).toBe(200);
    expect(all.body.messages.map((m) => m.id)).toEqual([r1.id, r2.id, r3.id]);
    expect(all.body.messages.every((m) => m.threadId === parent.id)).toBe(true);
    expect(all.body.parent).toMatchObject({ id: parent.id, thread: { replyCount: 3 } });
    expect(all.body.nextCursor).toBeNull();
  });

  it('pages a thread oldest first with before and after, from its cached window and past it', async () => {
    const { ada, say, parent, page } = await newThread();
    const replies: MessageJson[] = [];
    for (let i = 0; i < 7; i++) replies.push(await say(ada.api, `reply ${i}`, parent.id));
    const ids = replies.map((m) => m.id);

    const newest = await page(ada.api, '&limit=3');
    expect(newest.body.messages.map((m) => m.id)).toEqual(ids.slice(4));
    expect(newest.body.nextCursor).toBe(ids[4]);
    const older = await page(ada.api, `&limit=3&before=${newest.body.nextCursor}`);
    expect(older.body.messages.map((m) => m.id)).toEqual(ids.slice(1, 4));
    const oldest = await page(ada.api, `&limit=3&before=${older.body.nextCursor}`);
    expect(oldest.body.messages.map((m) => m.id)).toEqual(ids.slice(0, 1));
    expect(oldest.body.nextCursor).toBeNull();
    const after = await page(ada.api, `&limit=4&after=${ids[1]}`);
    expect(after.body.messages.map((m) => m.id)).toEqual(ids.slice(2, 6));
    expect(after.body.nextCursor).toBe(ids[5]);
    expect((await page(ada.api, '&limit=0')).status).toBe(400);
  });

  it('refuses a reply to a reply (400) and a thread of another channel or none (404), for writes and reads', async () => {
    const { ada, base, say, parent, page } = await newThread();
    const reply = await say(ada.api, 'in the thread', parent.id);
    const nested = await ada.api.post(base, { content: 'deeper', threadId: reply.id });
    expect(nested.status).toBe(400);
    expect(nested.json.error).toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/reply in its thread/) });

    const other = (await ada.api.post('/api/channels', { name: uniqueName('other') })).json.channel;
    const foreign = (await ada.api.post(`/api/channels/${other.id}/messages`, { content: 'elsewhere' })).json.message as MessageJson;
    const wrongChannel = await ada.api.post(base, { content: 'x', threadId: foreign.id });
    expect(wrongChannel.status).toBe(404);
    expect(wrongChannel.json.error).toEqual({ code: 'not_found', message: 'Thread not found.' });
    expect((await ada.api.post(base, { content: 'x', threadId: '0190c0de-0000-7000-8000-000000000000' })).status).toBe(404);
    expect((await ada.api.post(base, { content: 'x', threadId: 'nope' })).status).toBe(400);

    expect((await ada.api.get(`${base}?threadId=${foreign.id}`)).status).toBe(404);
    expect((await ada.api.get(`${base}?threadId=0190c0de-0000-7000-8000-000000000000`)).status).toBe(404);
    expect((await ada.api.get(`${base}?threadId=${reply.id}`)).status).toBe(400);
    // A stranger learns nothing about the thread: the channel is not found.
    const stranger = hub.client();
    await stranger.signUp('Eve');
    const peek = await stranger.get(`${base}?threadId=${parent.id}`);
    expect(peek.status).toBe(404);
    expect(peek.json.error.message).toBe('Channel not found.');
    // Nothing was stored by the refused writes.
    expect((await page(ada.api)).body.messages.map((m) => m.id)).toEqual([reply.id]);
  });

  it('serves a thread page from its window (MISS, then HIT) and never a stale parent in the channel', async () => {
    const { ada, bob, channelId, say, parent, page, channel } = await newThread();
    await say(bob.api, 'first', parent.id);
    expect((await page(ada.api)).cache).toBe('MISS');
    const hit = await page(ada.api);
    expect(hit.cache).toBe('HIT');
    expect(hit.body.messages).toHaveLength(1);

    expect((await channel()).cache).toBe('MISS');
    expect((await channel()).cache).toBe('HIT');
    const second = await say(ada.api, 'second', parent.id);
    // The reply joined the thread's window in place.
    const afterReply = await page(bob.api);
    expect(afterReply.cache).toBe('HIT');
    expect(afterReply.body.messages.at(-1)).toEqual(second);
    // The channel window was dropped with the old summary: the next read shows the new one.
    const top = await channel();
    expect(top.cache).toBe('MISS');
    expect(top.body.messages[0]!.thread!.replyCount).toBe(2);
    expect((await channel()).body.messages[0]!.thread!.replyCount).toBe(2);
    // The channel's window never holds replies; the thread's holds exactly them.
    const channelWindow = await readChannelSnapshot(hub.cache, { channelId, userId: ada.user.id });
    expect(channelWindow.window!.items.map((i) => i.id)).toEqual([parent.id]);
    const threadWindow = await readChannelSnapshot(hub.cache, { channelId, userId: ada.user.id, threadId: parent.id });
    expect(threadWindow.window!.items.map((i) => JSON.parse(i.json).content)).toEqual(['first', 'second']);

    // An edit of a reply drops the thread's window: the page shows the new text.
    await ada.api.patch(`/api/channels/${channelId}/messages/${second.id}`, { content: 'second, edited' });
    const edited = await page(ada.api);
    expect(edited.cache).toBe('MISS');
    expect(edited.body.messages.at(-1)!.content).toBe('second, edited');
  });

  it('takes a deleted reply off its parent, recomputing participants, and a deleted parent takes its thread with it', async () => {
    const { ada, bob, channelId, base, say, parent, page, channel } = await newThread();
    const mine = await say(ada.api, 'mine', parent.id);
    const bobs = await say(bob.api, 'bobs', parent.id);
    await page(ada.api); // fill the thread's window
    await channel();
    const deleted = record(ada.socket, 'message:deleted');
    const updated = record(ada.socket, 'thread:updated');

    expect((await bob.api.delete(`${base}/${bobs.id}`)).status).toBe(204);
    const after = await channel();
    expect(after.body.messages[0]!.thread).toEqual({ replyCount: 1, lastReplyAt: mine.createdAt, participants: [{ kind: 'user', id: ada.user.id, name: 'Ada' }] });
    expect((await page(ada.api)).body.messages.map((m) => m.id)).toEqual([mine.id]);
    await until(() => deleted.length === 1 && updated.length === 1, 5000, 'the reply delete events');
    expect(deleted[0]).toEqual({ channelId, messageId: bobs.id, threadId: parent.id });
    expect(updated[0]).toEqual({ channelId, threadId: parent.id, thread: after.body.messages[0]!.thread });

    // The last reply gone: no summary at all.
    expect((await ada.api.delete(`${base}/${mine.id}`)).status).toBe(204);
    expect((await channel()).body.messages[0]!.thread).toBeUndefined();
    await until(() => updated.length === 2, 5000, 'the empty summary');
    expect(updated[1]!.thread).toBeNull();

    const again = await say(bob.api, 'one more', parent.id);
    await page(ada.api);
    expect((await ada.api.delete(`${base}/${parent.id}`)).status).toBe(204);
    expect(await hub.db.db.select({ id: messages.id }).from(messages).where(eq(messages.id, again.id))).toEqual([]);
    expect((await page(ada.api)).status).toBe(404);
    expect((await channel()).body.messages).toEqual([]);
    await until(() => deleted.length === 3, 5000, 'the parent delete event');
    expect(deleted[2]).toEqual({ channelId, messageId: parent.id, replyIds: [again.id] });
  });

  it('publishes replies and summaries live to both people in the room', async () => {
    const { ada, bob, channelId, say, parent } = await newThread();
    const adaCreated = record(ada.socket, 'message:created');
    const bobCreated = record(bob.socket, 'message:created');
    const bobSummaries = record(bob.socket, 'thread:updated');
    const reply = await say(ada.api, 'live reply', parent.id);
    await until(() => adaCreated.length === 1 && bobCreated.length === 1 && bobSummaries.length === 1, 5000, 'the live reply');
    expect(bobCreated[0]!.message).toEqual(reply);
    expect(bobCreated[0]!.message.threadId).toBe(parent.id);
    expect(bobSummaries[0]).toEqual({ channelId, threadId: parent.id, thread: { replyCount: 1, lastReplyAt: reply.createdAt, participants: [{ kind: 'user', id: ada.user.id, name: 'Ada' }] } });
    // A socket outside the room hears nothing of it.
    const eve = await rt.member('Eve');
    const eveHeard = record(eve.socket, 'message:created');
    expect((await emitAck(eve.socket, 'channel:join', channelId)).ok).toBe(false);
    await say(bob.api, 'second', parent.id);
    await until(() => bobSummaries.length === 2, 5000, 'the second summary');
    expect(bobSummaries[1]!.thread!.replyCount).toBe(2);
    expect(eveHeard).toEqual([]);
  });

  it('marks replies by others unread until read, per person, and keeps the shared cached JSON free of it', async () => {
    const { ada, bob, channelId, say, parent, page, channel } = await newThread();
    const unread = async (api: ApiClient) => (await api.get(`/api/channels/${channelId}/threads/unread`)).json.threads;
    const r1 = await say(bob.api, 'one', parent.id);
    const r2 = await say(bob.api, 'two', parent.id);
    // Ada started the thread: Bob's replies are unread for her; Bob wrote them, so not for him.
    expect(await unread(ada.api)).toEqual([{ threadId: parent.id, unreadCount: 2 }]);
    expect(await unread(bob.api)).toEqual([]);
    expect((await page(ada.api)).body.read).toEqual({ lastReadId: null, unreadCount: 2, unread: true });
    expect((await page(bob.api)).body.read).toEqual({ lastReadId: r2.id, unreadCount: 0, unread: false });

    const mark = (api: ApiClient, lastReadId: string) => api.request('PUT', `/api/channels/${channelId}/threads/${parent.id}/read`, { lastReadId });
    const marked = await mark(ada.api, r1.id);
    expect(marked.status).toBe(200);
    expect(marked.json.thread).toEqual({ threadId: parent.id, lastReadId: r1.id, unreadCount: 1, unread: true });
    expect((await mark(ada.api, r2.id)).json.thread.unread).toBe(false);
    // A late, older mark never moves it back.
    expect((await mark(ada.api, r1.id)).json.thread).toMatchObject({ lastReadId: r2.id, unread: false });
    expect(await unread(ada.api)).toEqual([]);
    // Ada writing in the thread does not make it unread for her; Bob's next reply does.
    await say(ada.api, 'thanks', parent.id);
    expect(await unread(ada.api)).toEqual([]);
    expect(await unread(bob.api)).toEqual([{ threadId: parent.id, unreadCount: 1 }]);

    const other = await say(ada.api, 'top level');
    expect((await mark(ada.api, other.id)).status).toBe(400);
    expect((await mark(ada.api, 'bad')).status).toBe(400);
    const stranger = hub.client();
    await stranger.signUp('Eve');
    expect((await stranger.get(`/api/channels/${channelId}/threads/unread`)).status).toBe(404);
    expect((await mark(stranger, r1.id)).status).toBe(404);
    // Both read the same channel JSON: no per-person state in it.
    expect(JSON.stringify((await channel(ada.api)).body.messages)).toBe(JSON.stringify((await channel(bob.api)).body.messages));
  });

  it('has a mentioned agent answer in the thread, on the offline model, with the thread as its context', async () => {
    setModelProvider(createOfflineProvider({ tokenDelayMs: 0 }));
    try {
      const { ada, channelId, say, parent, page, channel } = await newThread();
      const agent = (await ada.api.post('/api/agents', { name: 'Scribe', handle: 'scribe', description: 'Writes release notes', instructions: '' })).json.agent;
      expect((await ada.api.post(`/api/channels/${channelId}/members`, { agentId: agent.id })).status).toBe(201);
      const created = record(ada.socket, 'message:created');
      const ask = await say(ada.api, '@scribe write the release notes', parent.id);
      await repliesSettled();
      const thread = (await page(ada.api)).body;
      expect(thread.messages.map((m) => m.id)[0]).toBe(ask.id);
      const answer = thread.messages[1]!;
      expect(answer).toMatchObject({ author: { kind: 'agent', id: agent.id }, threadId: parent.id, replyTo: ask.id, status: 'complete' });
      expect(answer.content).toContain(OFFLINE_LABEL);
      // The placeholder went into the thread, live.
      await until(() => created.some((e) => e.message.id === answer.id), 5000, 'the placeholder');
      expect(created.find((e) => e.message.id === answer.id)!.message).toMatchObject({ status: 'streaming', threadId: parent.id });
      const top = (await channel()).body.messages;
      expect(top.map((m) => m.id)).toEqual([parent.id]);
      expect(top[0]!.thread).toMatchObject({ replyCount: 2, participants: [{ id: ada.user.id }, { kind: 'agent', id: agent.id, name: 'Scribe' }] });
    } finally {
      setModelProvider(undefined);
    }
  });

  it('gives an agent in a thread the parent and replies, not the channel, through the openai SDK', async () => {
    const model = await startOpenAIServer({ reply: () => 'Notes drafted.' });
    setModelProvider(createOpenAIProvider({ apiKey: 'sk-test', baseURL: model.baseURL, timeoutMs: 2000 }));
    try {
      const { ada, bob, channelId, say, parent, page } = await newThread();
      const agent = (await ada.api.post('/api/agents', { name: 'Scribe', handle: 'scribe', instructions: 'Be brief.', model: 'fixture-model' })).json.agent;
      await ada.api.post(`/api/channels/${channelId}/members`, { agentId: agent.id });
      await say(bob.api, 'Friday it is', parent.id);
      await say(bob.api, 'An unrelated top-level message');
      await say(ada.api, '@scribe summarize this thread', parent.id);
      await repliesSettled();
      expect(model.requests).toHaveLength(1);
      const turns = model.requests[0]!.messages.filter((m) => m.role !== 'system').map((m) => m.content);
      expect(turns).toEqual(['Ada: Shall we ship on Friday?', 'Bob: Friday it is', 'Ada: @scribe summarize this thread']);
      expect(model.requests[0]!.messages[0]!.content).toContain('replying in a thread');
      expect((await page(ada.api)).body.messages.at(-1)).toMatchObject({ author: { id: agent.id }, content: 'Notes drafted.', threadId: parent.id });
    } finally {
      setModelProvider(undefined);
      await model.close();
    }
  });
});
