import { eq, sql } from 'drizzle-orm';
import OpenAI from 'openai';
import { setModelProvider } from '@/lib/ai';
import { createOpenAIProvider } from '@/lib/ai/openai';
import { estimateTokens } from '@/lib/ai/provider';
import { repliesSettled } from '@/lib/agents/replies';
import { usageDaily, usageEvents } from '@/lib/db/schema';
import { purgeUsageDays, reserveCall, USAGE_DAYS_KEPT, utcDay } from '@/lib/usage/budget';
import { broadcastPublisher } from '@/lib/realtime/publisher';
import { startOpenAIServer } from '../fixtures/openai-server';
import type { ApiClient } from '../helpers/api-client';
import { testDatabaseKinds } from '../helpers/database';
import { withEnv } from '../helpers/env';
import { useHub } from '../helpers/hub';
import { uniqueName } from '../helpers/people';
import { connectSocket, emitAck, realtimeToken, record, startRealtimeNode, until, type TestSocket } from '../helpers/realtime';
import type { MessageJson } from '@/lib/contracts/messages';

const secondsToMidnight = () => Math.ceil((Math.floor(Date.now() / 86_400_000) * 86_400_000 + 86_400_000 - Date.now()) / 1000);

describe.each(testDatabaseKinds())('the spend ceiling: send limits and daily model budgets (%s)', (kind) => {
  let model: Awaited<ReturnType<typeof startOpenAIServer>>;
  let node: Awaited<ReturnType<typeof startRealtimeNode>>;
  const hub = useHub(kind, { publisher: () => broadcastPublisher(() => node?.io as never) });
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    model = await startOpenAIServer({ tokens: 3 });
    setModelProvider(createOpenAIProvider({ apiKey: 'sk-test', baseURL: model.baseURL, timeoutMs: 2000 }));
    node = await startRealtimeNode();
  });
  afterEach(async () => {
    await repliesSettled();
    sockets.splice(0).forEach((socket) => socket.close());
  });
  afterAll(async () => {
    setModelProvider(undefined);
    await node?.close();
    await model?.close();
  });

  /** Bea owns an agent in her channel; Max is a member who mentions it. */
  async function sharedChannel() {
    const owner = hub.client();
    const bea = await owner.signUp('Bea');
    const member = hub.client();
    const max = await member.signUp('Max');
    const channelId: string = (await owner.post('/api/channels', { name: uniqueName('budget') })).json.channel.id;
    const agent = (await owner.post('/api/agents', { name: 'Echo', handle: uniqueName('echo').toLowerCase(), instructions: 'Echo.', model: 'fixture-model' })).json.agent;
    expect((await owner.post(`/api/channels/${channelId}/members`, { agentId: agent.id })).status).toBe(201);
    expect((await owner.post(`/api/channels/${channelId}/members`, { email: max.email })).status).toBe(201);
    const socket = await connectSocket(node.url, { token: await realtimeToken(member) });
    sockets.push(socket);
    expect(await emitAck(socket, 'channel:join', channelId)).toEqual({ ok: true });
    const history = async (api: ApiClient) => (await api.get(`/api/channels/${channelId}/messages?limit=200`)).json.messages as MessageJson[];
    return { owner, bea, member, max, channelId, agent, socket, history };
  }

  it('caps a 500-message @mention spam: the send limit refuses the flood, the budget caps the model calls, every reply says why', async () => {
    await withEnv({ SEND_RATE_LIMIT_MESSAGES: '40', SEND_RATE_LIMIT_WINDOW_SECONDS: '60', AGENT_DAILY_CALLS: '12', AGENT_DAILY_TOKENS: '0' }, async () => {
      const { owner, bea, member, max, channelId, agent, socket, history } = await sharedChannel();
      const updates = record(socket, 'message:updated');
      const before = model.requests.length;
      const statuses: number[] = [];
      for (let i = 0; i < 500; i += 25) {
        const batch = await Promise.all(Array.from({ length: 25 }, (_, j) => member.post(`/api/channels/${channelId}/messages`, { content: `@${agent.handle} ping ${i + j}` })));
        for (const answer of batch) {
          statuses.push(answer.status);
          if (answer.status === 429) expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
        }
      }
      expect(statuses.filter((s) => s === 201)).toHaveLength(40);
      expect(statuses.filter((s) => s === 429)).toHaveLength(460);
      await repliesSettled();

      // 40 messages were stored, each answered; only 12 model calls were made.
      expect(model.requests.length - before).toBe(12);
      const replies = (await history(member)).filter((m) => m.author.kind === 'agent');
      expect(replies).toHaveLength(40);
      expect(replies.filter((m) => m.status === 'complete')).toHaveLength(12);
      const refused = replies.filter((m) => m.status === 'error');
      expect(refused).toHaveLength(28);
      for (const reply of refused) {
        expect(reply.error).toEqual({ code: 'budget_exceeded', message: expect.stringMatching(/^Daily model budget used up: .*12 model calls for today\. It resets at 00:00 UTC/) });
      }
      // ...and the channel saw it live, over the socket.
      await until(() => updates.filter((u) => u.message.status === 'error').length === 28, 3000, 'the refused replies, live');
      expect(updates.find((u) => u.message.status === 'error')!.message.error!.code).toBe('budget_exceeded');

      // The asker paid, not the agent's owner: Max's budget is used up, Bea's untouched.
      const rows = await hub.db.db.select().from(usageEvents).where(eq(usageEvents.channelId, channelId));
      expect(rows).toHaveLength(12);
      expect(rows.every((row) => row.ownerId === max.id)).toBe(true);
      expect((await member.get('/api/usage')).json.budget.calls).toEqual({ used: 12, limit: 12 });
      expect((await owner.get('/api/usage')).json.budget.calls).toEqual({ used: 0, limit: 12 });
      // So the owner's own questions are still answered.
      await owner.post(`/api/channels/${channelId}/messages`, { content: `@${agent.handle} still there?` });
      await repliesSettled();
      expect((await history(owner)).filter((m) => m.author.kind === 'agent').at(-1)).toMatchObject({ status: 'complete' });
      const after = await hub.db.db.select().from(usageEvents).where(eq(usageEvents.channelId, channelId));
      expect(after.map((row) => row.ownerId).sort()).toEqual([...Array(12).fill(max.id), bea.id].sort());
    });
  });

  it('answers the public API 429 with Retry-After until the budget resets, and shows the budget on the usage page', async () => {
    await withEnv({ AGENT_DAILY_CALLS: '2', AGENT_DAILY_TOKENS: '0' }, async () => {
      const api = hub.client();
      const user = await api.signUp('Caller');
      const agent = (await api.post('/api/agents', { name: 'Solo', handle: 'solo', instructions: '', model: 'fixture-model' })).json.agent;
      const channelId = (await api.post('/api/channels', { name: uniqueName('asked') })).json.channel.id;
      await api.post(`/api/channels/${channelId}/members`, { agentId: agent.id });
      const { secret } = (await api.post('/api/keys', { name: 'Budget' })).json;
      const v1 = (path: string, body: unknown) =>
        fetch(`${hub.server.url}/api/v1${path}`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const chat = (stream = false) => v1(`/agents/${agent.id}/chat`, { messages: [{ role: 'user', content: 'hi' }], stream });

      expect((await chat()).status).toBe(200);
      expect((await chat(true)).status).toBe(200);
      const calls = model.requests.length;
      for (const refused of [await chat(), await chat(true), await v1(`/channels/${channelId}/query`, { question: 'hi' })]) {
        expect(refused.status).toBe(429);
        expect(refused.headers.get('content-type')).toMatch(/application\/json/);
        const retryAfter = Number(refused.headers.get('retry-after'));
        expect(Math.abs(retryAfter - secondsToMidnight())).toBeLessThanOrEqual(2);
        const body = await refused.json();
        expect(body.error).toMatchObject({ code: 'rate_limited', message: expect.stringMatching(/^Daily model budget used up: You have used your 2 model calls for today/) });
      }
      const openai = new OpenAI({ apiKey: secret, baseURL: `${hub.server.url}/api/v1`, maxRetries: 0 });
      await expect(openai.chat.completions.create({ model: `agent:${agent.id}`, messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 429 });
      expect(model.requests.length).toBe(calls); // nothing reached the model

      const usage = (await api.get('/api/usage')).json;
      expect(usage.budget).toEqual({
        calls: { used: 2, limit: 2 },
        tokens: { used: expect.any(Number), limit: null },
        resetsAt: new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 + 86_400_000).toISOString(),
      });
      expect(usage.budget.tokens.used).toBe(usage.totals.promptTokens + usage.totals.completionTokens);

      // The budget is per UTC day: once today's count is yesterday's, calls are answered again.
      await hub.db.db.update(usageDaily).set({ day: sql`${usageDaily.day} - 1` }).where(eq(usageDaily.ownerId, user.id));
      expect((await chat()).status).toBe(200);
      expect((await api.get('/api/usage')).json.budget.calls).toEqual({ used: 1, limit: 2 });
    });
  });

  it('ends the other calls of a channel query once the budget refuses one, instead of letting them spend', async () => {
    await withEnv({ AGENT_DAILY_CALLS: '1', AGENT_DAILY_TOKENS: '0' }, async () => {
      const api = hub.client();
      const user = await api.signUp('Asker');
      const channelId = (await api.post('/api/channels', { name: uniqueName('halted') })).json.channel.id;
      for (const handle of ['slow-a', 'slow-b']) {
        // fixture-hang never answers: only an abort ends the call that got the day's one slot.
        const agent = (await api.post('/api/agents', { name: handle, handle, instructions: '', model: 'fixture-hang' })).json.agent;
        await api.post(`/api/channels/${channelId}/members`, { agentId: agent.id });
      }
      const { secret } = (await api.post('/api/keys', { name: 'Query' })).json;
      const refused = await fetch(`${hub.server.url}/api/v1/channels/${channelId}/query`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ question: 'Both of you?' }),
      });
      expect(refused.status).toBe(429);
      const outcomes = async () => (await hub.db.db.select().from(usageEvents).where(eq(usageEvents.ownerId, user.id))).map((row) => row.outcome);
      // The admitted call is recorded when it ends: at once when aborted, after the 2 s model timeout if not.
      let seen: string[] = [];
      for (const deadline = Date.now() + 5000; seen.length === 0 && Date.now() < deadline; ) {
        seen = await outcomes();
        if (seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(seen).toEqual(['cancelled']);
    });
  });

  it('caps tokens too (AGENT_DAILY_TOKENS), and 0 means unlimited', async () => {
    await withEnv({ AGENT_DAILY_CALLS: '0', AGENT_DAILY_TOKENS: '40' }, async () => {
      const api = hub.client();
      await api.signUp('Tokens');
      const agent = (await api.post('/api/agents', { name: 'Wordy', handle: 'wordy', instructions: '', model: 'fixture-model' })).json.agent;
      const { secret } = (await api.post('/api/keys', { name: 'Tokens' })).json;
      const chat = () =>
        fetch(`${hub.server.url}/api/v1/agents/${agent.id}/chat`, {
          method: 'POST',
          headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
          body: JSON.stringify({ messages: [{ role: 'user', content: 'one two three four five six seven eight' }] }),
        });
      const statuses: number[] = [];
      for (let i = 0; i < 10 && statuses.at(-1) !== 429; i++) statuses.push((await chat()).status);
      expect(statuses.at(-1)).toBe(429);
      expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(1);
      const budget = (await api.get('/api/usage')).json.budget;
      expect(budget.calls).toEqual({ used: statuses.length - 1, limit: null });
      expect(budget.tokens.limit).toBe(40);
      // Refused because the next prompt (estimated as the hub estimates it) no longer fits.
      const prompt = estimateTokens(model.requests.at(-1)!.messages.map((m) => m.content).join('\n'));
      expect(budget.tokens.used + prompt).toBeGreaterThan(40);
      expect((await (await chat()).json()).error.message).toMatch(/40 tokens for today/);
    });
  });

  it('admits a call only if its prompt fits in what is left of the token budget, on the first call of the day too', async () => {
    await withEnv({ AGENT_DAILY_CALLS: '0', AGENT_DAILY_TOKENS: '1000' }, async () => {
      const api = hub.client();
      const user = await api.signUp('Big prompt');
      const agent = (await api.post('/api/agents', { name: 'Reader', handle: 'reader', instructions: '', model: 'fixture-model' })).json.agent;
      const { secret } = (await api.post('/api/keys', { name: 'Big' })).json;
      const chat = (content: string) =>
        fetch(`${hub.server.url}/api/v1/agents/${agent.id}/chat`, {
          method: 'POST',
          headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
          body: JSON.stringify({ messages: [{ role: 'user', content }] }),
        });
      const big = 'word '.repeat(400_000); // 2 MB, about 500,000 tokens
      const before = model.requests.length;

      // The first call of the day: nothing counted yet, and still the prompt must fit.
      const first = await chat(big);
      expect(first.status).toBe(429);
      expect((await first.json()).error.message).toMatch(/^Daily model budget too small for this call: its prompt is about 50\d,\d{3} tokens, and 1,000 of your 1,000 tokens for today are left/);
      expect(model.requests.length).toBe(before);
      expect((await api.get('/api/usage')).json.budget.tokens).toEqual({ used: 0, limit: 1000 });

      // One token left: a large prompt is refused, however far the count is from the limit in calls.
      expect((await chat('hi')).status).toBe(200);
      await hub.db.db.update(usageDaily).set({ tokens: 999 }).where(eq(usageDaily.ownerId, user.id));
      expect((await chat(big)).status).toBe(429);
      expect((await chat('x'.repeat(40))).status).toBe(429);
      expect(model.requests.length).toBe(before + 1);
      expect((await api.get('/api/usage')).json.budget).toMatchObject({ calls: { used: 1, limit: null }, tokens: { used: 999, limit: 1000 } });

      // Exactly at the limit is inside it: prompt + used <= limit.
      await hub.db.db.update(usageDaily).set({ tokens: 990 }).where(eq(usageDaily.ownerId, user.id));
      expect(await reserveCall({ userId: user.id, promptTokens: 10, subject: 'you' })).toBe(utcDay(Date.now()));
      await expect(reserveCall({ userId: user.id, promptTokens: 1, subject: 'you' })).rejects.toMatchObject({ code: 'budget_exceeded' });
      expect((await api.get('/api/usage')).json.budget.tokens).toEqual({ used: 1000, limit: 1000 });
    });
  });

  it('keeps the call and token limits exact when calls race', async () => {
    await withEnv({ AGENT_DAILY_CALLS: '5', AGENT_DAILY_TOKENS: '100' }, async () => {
      const user = await hub.client().signUp('Racer');
      const results = await Promise.allSettled(Array.from({ length: 12 }, () => reserveCall({ userId: user.id, promptTokens: 1, subject: 'you' })));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
      // And the token limit, never overshot: calls of 15 tokens racing for 100 (no call limit) take 90.
      await withEnv({ AGENT_DAILY_CALLS: '0' }, async () => {
        const other = await hub.client().signUp('Racer two');
        const racing = await Promise.allSettled(Array.from({ length: 14 }, () => reserveCall({ userId: other.id, promptTokens: 15, subject: 'you' })));
        expect(racing.filter((r) => r.status === 'fulfilled')).toHaveLength(6);
        const [row] = await hub.db.db.select().from(usageDaily).where(eq(usageDaily.ownerId, other.id));
        expect(row).toMatchObject({ calls: 6, tokens: 90 });
      });
    });
  });

  it('purges daily budget rows older than the days it keeps (purgeUsageDays)', async () => {
    const user = await hub.client().signUp('Old days');
    const now = Date.now();
    const day = (ago: number) => utcDay(now - ago * 86_400_000);
    await hub.db.db.insert(usageDaily).values([0, 1, 39, 40, 41, 400].map((ago) => ({ ownerId: user.id, day: day(ago), calls: 1, tokens: 1 })));
    expect(await purgeUsageDays({ olderThanDays: 40, now })).toBe(2);
    const kept = await hub.db.db.select({ day: usageDaily.day }).from(usageDaily).where(eq(usageDaily.ownerId, user.id));
    expect(kept.map((row) => row.day).sort()).toEqual([day(40), day(39), day(1), day(0)]);
    // The default keeps 40 days too, and a purge with nothing to do removes nothing.
    expect(USAGE_DAYS_KEPT).toBe(40);
    expect(await purgeUsageDays({ now })).toBe(0);
  });
});
