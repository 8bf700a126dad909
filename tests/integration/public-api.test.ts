import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import OpenAI from 'openai';
import { setModelProvider } from '@/lib/ai';
import { createOpenAIProvider } from '@/lib/ai/openai';
import { apiKeys, usageEvents } from '@/lib/db/schema';
import { resetEnv } from '@/lib/env';
import { generateKey, isWellFormedKey } from '@/lib/keys/format';
import { agentsOut, chatOut, completionOut, errorBody, queryOut } from '@/lib/public-api/schemas';
import { startOpenAIServer, type FixtureRequest } from '../fixtures/openai-server';
import type { ApiClient } from '../helpers/api-client';
import { testDatabaseKinds } from '../helpers/database';
import { useHub } from '../helpers/hub';
import { uniqueName } from '../helpers/people';

const handleOf = (request: FixtureRequest) => request.messages[0]?.content.match(/You are .+? \(@([a-z0-9-]+)\)/)?.[1];
const isSynthesis = (request: FixtureRequest) => /Compose one clear answer/.test(request.messages[0]?.content ?? '');

/** Server-sent events of a fetch answer, as [event, data] pairs. */
async function readEvents(res: Response): Promise<[string, unknown][]> {
  const text = await res.text();
  return text
    .split('\n\n')
    .filter(Boolean)
    .map((block) => {
      const event = /^event: (.+)$/m.exec(block)?.[1] ?? 'message';
      const data = /^data: (.+)$/m.exec(block)?.[1] ?? '';
      return [event, data === '[DONE]' ? '[DONE]' : JSON.parse(data)];
    });
}

describe.each(testDatabaseKinds())('the public API with keys (%s)', (kind) => {
  const hub = useHub(kind);
  let model: Awaited<ReturnType<typeof startOpenAIServer>>;
  const replies: Record<string, string> = { researcher: 'Water boils at 100 C at sea level.', skeptic: 'Only at 1 atm; lower at altitude.', solo: 'Hello from solo.' };

  beforeAll(async () => {
    model = await startOpenAIServer({
      reply: (request) => (isSynthesis(request) ? 'About 100 C at sea level, lower at altitude.' : replies[handleOf(request) ?? '']),
    });
    setModelProvider(createOpenAIProvider({ apiKey: 'sk-test', baseURL: model.baseURL, timeoutMs: 2000 }));
  });
  afterAll(async () => {
    setModelProvider(undefined);
    await model?.close();
  });

  async function owner(scopes?: string[], expiresAt?: string) {
    const api: ApiClient = hub.client();
    const user = await api.signUp('Dev');
    const created = await api.post('/api/keys', { name: 'CI', ...(scopes ? { scopes } : {}), ...(expiresAt ? { expiresAt } : {}) });
    expect(created.status).toBe(201);
    const secret: string = created.json.secret;
    const v1 = (path: string, init: RequestInit = {}, key = secret) =>
      fetch(`${hub.server.url}/api/v1${path}`, { ...init, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...init.headers } });
    const openai = new OpenAI({ apiKey: secret, baseURL: `${hub.server.url}/api/v1`, maxRetries: 0 });
    return { api, user, secret, key: created.json.key, v1, openai };
  }

  async function agent(api: ApiClient, handle: string) {
    return (await api.post('/api/agents', { name: handle[0]!.toUpperCase() + handle.slice(1), handle, instructions: `You are the ${handle}.`, model: 'fixture-model' })).json.agent;
  }

  it('makes keys shown once, lists them without the secret, and stores only a hash', async () => {
    const { api, secret, key } = await owner(['agents:read'], new Date(Date.now() + 86_400_000).toISOString());
    expect(isWellFormedKey(secret)).toBe(true);
    expect(secret).toMatch(/^nc_[0-9A-Za-z]{38}$/);
    expect(key).toMatchObject({ name: 'CI', scopes: ['agents:read'], lastUsedAt: null, partial: `${secret.slice(0, 7)}…${secret.slice(-4)}` });
    const listed = (await api.get('/api/keys')).json.keys;
    expect(listed).toEqual([key]);
    expect(JSON.stringify(listed)).not.toContain(secret.slice(7, -4));

    // No column of any key row holds the secret; the hash is its SHA-256.
    const rows = await hub.db.db.select().from(apiKeys);
    for (const row of rows) expect(JSON.stringify(row)).not.toContain(secret.slice(3));
    expect(rows.find((row) => row.id === key.id)!.hash).toBe(createHash('sha256').update(secret).digest('hex'));

    const bad = await api.post('/api/keys', { name: '', scopes: ['everything'], expiresAt: '2000-01-01T00:00:00Z' });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.json.error.details).sort()).toEqual(['expiresAt', 'name', 'scopes.0']);
  });

  it('refuses missing, malformed, unknown, revoked and expired keys with 401', async () => {
    const { api, key, v1 } = await owner();
    expect((await v1('/agents')).status).toBe(200);
    const missing = await fetch(`${hub.server.url}/api/v1/agents`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await missing.json()).error.code).toBe('unauthenticated');
    const good = generateKey();
    expect((await v1('/agents', {}, `${good.slice(0, -1)}${good.at(-1) === 'a' ? 'b' : 'a'}`)).status).toBe(401); // checksum fails
    expect((await v1('/agents', {}, 'sk-not-ours')).status).toBe(401);
    expect((await v1('/agents', {}, generateKey())).status).toBe(401); // well formed, never issued

    expect((await api.delete(`/api/keys/${key.id}`)).status).toBe(204);
    expect((await v1('/agents')).status).toBe(401); // the very next request
    expect((await api.get('/api/keys')).json.keys).toEqual([]);
    expect((await api.delete(`/api/keys/${key.id}`)).status).toBe(404);

    const soon = await owner(undefined, new Date(Date.now() + 1500).toISOString());
    expect((await soon.v1('/agents')).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect((await soon.v1('/agents')).status).toBe(401);
  });

  it('enforces scopes (403) and hides other people’s agents and channels (404)', async () => {
    const reader = await owner(['agents:read']);
    const mine = await agent(reader.api, 'solo');
    expect((await reader.v1('/agents')).status).toBe(200);
    const chat = await reader.v1(`/agents/${mine.id}/chat`, { method: 'POST', body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }) });
    expect(chat.status).toBe(403);
    expect((await chat.json()).error.message).toMatch(/agents:chat/);

    const other = await owner();
    const channel = (await reader.api.post('/api/channels', { name: uniqueName('private') })).json.channel;
    expect((await other.v1(`/agents/${mine.id}/chat`, { method: 'POST', body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }) })).status).toBe(404);
    expect((await other.v1(`/channels/${channel.id}/query`, { method: 'POST', body: JSON.stringify({ question: 'hi' }) })).status).toBe(404);
    await expect(other.openai.chat.completions.create({ model: `agent:${mine.id}`, messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 404 });
  });

  it('chats with an agent as JSON and as a stream, and records usage per key', async () => {
    const { api, user, key, v1 } = await owner();
    const solo = await agent(api, 'solo');
    const res = await v1(`/agents/${solo.id}/chat`, { method: 'POST', body: JSON.stringify({ messages: [{ role: 'user', content: 'Say hello' }] }) });
    expect(res.status).toBe(200);
    expect(res.headers.get('ratelimit-limit')).toBe('60');
    const body = await res.json();
    // An agent without knowledge cites nothing.
    expect(body).toEqual({ message: { role: 'assistant', content: 'Hello from solo.' }, usage: { promptTokens: expect.any(Number), completionTokens: 3 }, citations: [], activities: [] });
    // Answers match the schemas the OpenAPI document is generated from.
    expect(chatOut.safeParse(body).success).toBe(true);
    expect(agentsOut.safeParse(await (await v1('/agents')).json()).success).toBe(true);
    expect(errorBody.safeParse(await (await v1(`/agents/${solo.id}/chat`, { method: 'POST', body: '{}' })).json()).success).toBe(true);
    expect(model.requests.at(-1)!.messages[0]!.content).toMatch(/You are the solo\./);

    const streamed = await v1(`/agents/${solo.id}/chat`, { method: 'POST', body: JSON.stringify({ messages: [{ role: 'user', content: 'Again' }], stream: true }) });
    expect(streamed.headers.get('content-type')).toMatch(/text\/event-stream/);
    const events = await readEvents(streamed);
    expect(events.filter(([event]) => event === 'delta').map(([, data]) => (data as { content: string }).content)).toEqual(['Hello ', 'from ', 'solo.']);
    expect(events.at(-1)).toEqual(['done', { message: { role: 'assistant', content: 'Hello from solo.' }, usage: { promptTokens: expect.any(Number), completionTokens: 3 }, citations: [], activities: [] }]);

    const rows = await hub.db.db.select().from(usageEvents).where(eq(usageEvents.apiKeyId, key.id));
    expect(rows).toHaveLength(2);
    expect(rows.every((row) => row.source === 'api' && row.ownerId === user.id && row.agentId === solo.id && row.outcome === 'complete')).toBe(true);
  });

  it('queries a channel: every agent contributes, the lead composes the answer', async () => {
    const { api, v1 } = await owner();
    const channel = (await api.post('/api/channels', { name: uniqueName('lab'), description: 'Answer physics questions' })).json.channel;
    const researcher = await agent(api, 'researcher');
    const skeptic = await agent(api, 'skeptic');
    for (const a of [researcher, skeptic]) await api.post(`/api/channels/${channel.id}/members`, { agentId: a.id });
    await api.patch(`/api/channels/${channel.id}`, { leadAgentId: researcher.id });

    const res = await v1(`/channels/${channel.id}/query`, { method: 'POST', body: JSON.stringify({ question: 'When does water boil?' }) });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(queryOut.safeParse(body).success).toBe(true);
    expect(body.answer).toBe('About 100 C at sea level, lower at altitude.');
    expect(body.contributions).toEqual(
      expect.arrayContaining([
        { agentId: researcher.id, name: 'Researcher', content: replies.researcher },
        { agentId: skeptic.id, name: 'Skeptic', content: replies.skeptic },
      ]),
    );
    expect(body.usage.completionTokens).toBeGreaterThan(0);
    const synthesis = model.requests.findLast(isSynthesis)!;
    expect(synthesis.messages[0]!.content).toMatch(/You are the researcher\.[\s\S]*You lead the team channel/);
    expect(synthesis.messages[1]!.content).toContain(replies.skeptic);

    const streamed = await readEvents(await v1(`/channels/${channel.id}/query`, { method: 'POST', body: JSON.stringify({ question: 'Again?', stream: true }) }));
    expect(streamed.map(([event]) => event).slice(0, 2)).toEqual(['contribution', 'contribution']);
    expect(streamed.at(-1)![0]).toBe('done');
    expect(streamed.filter(([event]) => event === 'delta').length).toBeGreaterThan(1);

    // A channel without agents cannot be asked.
    const empty = (await api.post('/api/channels', { name: uniqueName('empty') })).json.channel;
    expect((await v1(`/channels/${empty.id}/query`, { method: 'POST', body: JSON.stringify({ question: 'anyone?' }) })).status).toBe(409);
  });

  it('works with the official OpenAI SDK: models, agent and channel completions, streaming and not', async () => {
    const { api, openai } = await owner();
    const solo = await agent(api, 'solo');
    const channel = (await api.post('/api/channels', { name: uniqueName('sdk') })).json.channel;
    const researcher = await agent(api, 'researcher');
    const skeptic = await agent(api, 'skeptic');
    for (const a of [researcher, skeptic]) await api.post(`/api/channels/${channel.id}/members`, { agentId: a.id });

    const models = [];
    for await (const m of openai.models.list()) models.push(m.id);
    expect(models.sort()).toEqual([`agent:${researcher.id}`, `agent:${skeptic.id}`, `agent:${solo.id}`, `channel:${channel.id}`].sort());

    const completion = await openai.chat.completions.create({ model: `agent:${solo.id}`, messages: [{ role: 'user', content: 'hi' }] });
    expect(completionOut.safeParse(completion).success).toBe(true);
    expect(completion.choices[0]!.message).toMatchObject({ role: 'assistant', content: 'Hello from solo.' });
    expect(completion.usage).toMatchObject({ completion_tokens: 3, total_tokens: expect.any(Number) });

    const stream = await openai.chat.completions.create({ model: `agent:${solo.id}`, messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe('Hello from solo.');
    expect(usage).toMatchObject({ completion_tokens: 3 });

    const asked = await openai.chat.completions.create({ model: `channel:${channel.id}`, messages: [{ role: 'user', content: 'When does water boil?' }] });
    expect(asked.choices[0]!.message.content).toBe('About 100 C at sea level, lower at altitude.');
    expect((asked as unknown as { neurocache: { contributions: unknown[] } }).neurocache.contributions).toHaveLength(2);

    let answer = '';
    for await (const chunk of await openai.chat.completions.create({ model: `channel:${channel.id}`, messages: [{ role: 'user', content: 'And now?' }], stream: true })) {
      answer += chunk.choices[0]?.delta?.content ?? '';
    }
    expect(answer).toBe('About 100 C at sea level, lower at altitude.');

    await expect(openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 400 });
  });

  it('answers a failing model with 503 and a sanitized reason', async () => {
    const { api, openai, v1 } = await owner();
    const broken = (await api.post('/api/agents', { name: 'Broken', handle: 'broken', instructions: '', model: 'fixture-500' })).json.agent;
    const res = await v1(`/agents/${broken.id}/chat`, { method: 'POST', body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], stream: true }) });
    expect(res.status).toBe(503);
    const body = await res.text();
    expect(body).toContain('The model provider failed (HTTP 500).');
    expect(body).not.toMatch(/sk-upstream|secret/);
    await expect(openai.chat.completions.create({ model: `agent:${broken.id}`, messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 503 });
  });

  it('rate limits each key over a sliding window: 429 with Retry-After and RateLimit headers', async () => {
    process.env.RATE_LIMIT_REQUESTS = '3';
    process.env.RATE_LIMIT_WINDOW_SECONDS = '60';
    resetEnv();
    try {
      const first = await owner();
      const second = await owner();
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await first.v1('/agents')).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const limited = await first.v1('/agents');
      expect(limited.status).toBe(429);
      expect((await limited.json()).error.code).toBe('rate_limited');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(limited.headers.get('ratelimit-limit')).toBe('3');
      expect(limited.headers.get('ratelimit-remaining')).toBe('0');
      expect(limited.headers.get('ratelimit-policy')).toBe('3;w=60');
      // Another key has its own allowance.
      expect((await second.v1('/agents')).status).toBe(200);
    } finally {
      delete process.env.RATE_LIMIT_REQUESTS;
      delete process.env.RATE_LIMIT_WINDOW_SECONDS;
      resetEnv();
    }
  });

  it('notes when a key was last used', async () => {
    const { api, key, v1 } = await owner();
    await v1('/agents');
    let lastUsedAt: string | null = null;
    for (let i = 0; i < 50 && !lastUsedAt; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      lastUsedAt = (await api.get('/api/keys')).json.keys.find((k: { id: string }) => k.id === key.id).lastUsedAt;
    }
    expect(new Date(lastUsedAt!).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });
});

describe('the OpenAPI document', () => {
  const hub = useHub('pglite');
  it('is public, OpenAPI 3.1, and describes every endpoint from the zod schemas', async () => {
    const res = await fetch(`${hub.server.url}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    const doc = await res.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers[0].url).toMatch(/^http:\/\/(localhost|127\.0\.0\.1):\d+\/api\/v1$/);
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/agents',
      '/agents/{agentId}/chat',
      '/channels/{channelId}/query',
      '/channels/{channelId}/runs',
      '/channels/{channelId}/runs/{runId}',
      '/channels/{channelId}/runs/{runId}/stop',
      '/chat/completions',
      '/knowledge',
      '/knowledge/{knowledgeBaseId}/documents',
      '/knowledge/{knowledgeBaseId}/search',
      '/models',
    ]);
    const upload = doc.paths['/knowledge/{knowledgeBaseId}/documents'].post;
    expect(Object.keys(upload.requestBody.content)).toEqual(['multipart/form-data', 'application/json']);
    expect(upload['x-scope']).toBe('knowledge:write');
    const chat = doc.paths['/agents/{agentId}/chat'].post;
    expect(chat.requestBody.content['application/json'].schema.required).toEqual(['messages']);
    expect(chat.requestBody.content['application/json'].schema.properties.messages.items.properties.role.enum).toEqual(['system', 'developer', 'user', 'assistant', 'tool', 'function']);
    expect(Object.keys(chat.responses).sort()).toEqual(['200', '400', '401', '403', '404', '413', '415', '429', '503']);
    expect(doc.paths['/channels/{channelId}/query'].post.responses['200'].content['application/json'].schema.properties.contributions.type).toBe('array');
    const runs = doc.paths['/channels/{channelId}/runs'].post;
    expect(runs['x-scope']).toBe('channels:query');
    expect(runs.requestBody.content['application/json'].schema.required).toEqual(['goal']);
    expect(Object.keys(runs.requestBody.content['application/json'].schema.properties.budget.properties)).toEqual(['steps', 'tokens', 'seconds']);
    expect(runs.responses['201'].content['application/json'].schema.properties.run.properties.tasks.items.properties.status.enum).toEqual(['todo', 'doing', 'review', 'done', 'failed']);
  });
});
