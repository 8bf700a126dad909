import fs from 'node:fs';
import OpenAI from 'openai';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { setModelProvider } from '@/lib/ai';
import { createOfflineProvider, OFFLINE_LABEL } from '@/lib/ai/offline';
import { createOpenAIProvider } from '@/lib/ai/openai';
import { repliesSettled } from '@/lib/agents/replies';
import { usageEvents } from '@/lib/db/schema';
import { ingestionSettled } from '@/lib/knowledge/ingest';
import { broadcastPublisher } from '@/lib/realtime/publisher';
import { setFileStore } from '@/lib/storage';
import type { ActivityJson } from '@/lib/contracts/abilities';
import type { MessageJson } from '@/lib/contracts/messages';
import { startOpenAIServer, type FixtureRequest } from '../fixtures/openai-server';
import { testDatabaseKinds } from '../helpers/database';
import { setEnv } from '../helpers/env';
import { useHub } from '../helpers/hub';
import { person, uniqueName } from '../helpers/people';
import { connectSocket, emitAck, realtimeToken, record, startRealtimeNode, until, type TestSocket } from '../helpers/realtime';
import { INJECTION_TEXT, startWebFixtures, type WebFixtures } from '../helpers/searxng-server';
import { policyPages, upload } from '../helpers/knowledge';
import { MCP_INJECTION_TEXT, startMcpServer, type McpTestServer } from '../helpers/mcp-server';
import { makePdf } from '../fixtures/documents';

/*
 * Abilities as people use them: an agent given web search answers in a channel from the pages it
 * found, citing them, its tool calls shown live as `agent:activity` and kept on the reply, with
 * the offline model (its fixed policy) and with a real model through the official SDK.
 */
describe.each(testDatabaseKinds())('agent abilities in channels (%s)', (kind) => {
  let node: Awaited<ReturnType<typeof startRealtimeNode>>;
  const hub = useHub(kind, { publisher: () => broadcastPublisher(() => node?.io as never) });
  let web: WebFixtures;
  let mcp: McpTestServer;
  let restoreEnv: () => void;
  const sockets: TestSocket[] = [];
  const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nc-files-'));

  beforeAll(async () => {
    node = await startRealtimeNode();
    web = await startWebFixtures();
    mcp = await startMcpServer({ requireHeader: { name: 'Authorization', value: 'Bearer weather-token' } });
    setFileStore(undefined);
    restoreEnv = setEnv({
      FILES_DIR: filesDir,
      SEARXNG_URL: web.searxng.origin,
      OUTBOUND_ALLOW_HOSTS: `${web.site.hostPort},${web.searxng.hostPort},${mcp.hostPort}`,
      OUTBOUND_TIMEOUT_MS: '5000',
    });
  });
  afterEach(async () => {
    await repliesSettled();
    sockets.splice(0).forEach((socket) => socket.close());
    setModelProvider(undefined);
  });
  afterAll(async () => {
    restoreEnv();
    setFileStore(undefined);
    fs.rmSync(filesDir, { recursive: true, force: true });
    await web?.close();
    await mcp?.close();
    await node?.close();
  });

  async function setUp(agent: Record<string, unknown> | ((client: import('../helpers/api-client').ApiClient) => Promise<Record<string, unknown>>)) {
    const { client } = await person(hub, 'Ana');
    if (typeof agent === 'function') agent = await agent(client);
    const created = await client.post('/api/agents', { name: 'Scout', handle: 'scout', instructions: 'Answer from the web.', model: 'gpt-4o-mini', ...agent });
    expect(created.status).toBe(201);
    const channelId = (await client.post('/api/channels', { name: uniqueName('research') })).json.channel.id as string;
    expect((await client.post(`/api/channels/${channelId}/members`, { agentId: created.json.agent.id })).status).toBe(201);
    const socket = await connectSocket(node.url, { token: await realtimeToken(client) });
    sockets.push(socket);
    expect(await emitAck(socket, 'channel:join', channelId)).toEqual({ ok: true });
    const activity = record(socket, 'agent:activity');
    const ask = async (content: string) => {
      const sent = (await client.post(`/api/channels/${channelId}/messages`, { content })).json.message as MessageJson;
      await repliesSettled();
      const history = (await client.get(`/api/channels/${channelId}/messages`)).json.messages as MessageJson[];
      return history.find((m) => m.replyTo === sent.id)!;
    };
    return { client, agent: created.json.agent as { id: string }, channelId, ask, activity };
  }

  test('GET /api/abilities says what this deployment can do, and why web search is off without a provider', async () => {
    const { client } = await person(hub, 'Cy');
    const on = (await client.get('/api/abilities')).json.abilities as { id: string; available: boolean; reason?: string }[];
    expect(on.map((a) => a.id)).toEqual(['knowledge', 'web_search', 'vision', 'video', 'mcp']);
    expect(on.find((a) => a.id === 'web_search')).toEqual(expect.objectContaining({ available: true }));
    const restore = setEnv({ SEARXNG_URL: undefined });
    try {
      const off = (await client.get('/api/abilities')).json.abilities as { id: string; available: boolean; reason?: string }[];
      expect(off.find((a) => a.id === 'web_search')).toEqual(expect.objectContaining({ available: false, reason: expect.stringContaining('SEARXNG_URL') }));
    } finally {
      restore();
    }
    expect((await hub.client().get('/api/abilities')).status).toBe(401);
  });

  test('abilities are validated and saved; knowledge bases imply the knowledge ability; another person’s MCP server is a 404', async () => {
    const { client } = await person(hub, 'Di');
    const bad = await client.post('/api/agents', { name: 'X', handle: 'x-bad', instructions: '', abilities: ['telepathy'] });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toContain('Abilities are knowledge, web_search, vision, video, mcp');
    const made = await client.post('/api/agents', { name: 'Y', handle: 'y-agent', instructions: '', abilities: ['vision', 'web_search', 'vision'] });
    expect(made.json.agent).toEqual(expect.objectContaining({ abilities: ['web_search', 'vision'], mcpServerIds: [] }));
    const base = (await client.post('/api/knowledge', { name: uniqueName('Notes') })).json.knowledgeBase.id as string;
    const withBase = await client.post('/api/agents', { name: 'Z', handle: 'z-agent', instructions: '', knowledgeBaseIds: [base] });
    expect(withBase.json.agent.abilities).toEqual(['knowledge']);
    const patched = await client.patch(`/api/agents/${made.json.agent.id}`, { abilities: [] });
    expect(patched.json.agent.abilities).toEqual([]);
    const foreign = await client.patch(`/api/agents/${made.json.agent.id}`, { mcpServerIds: ['0190aaaa-0000-7000-8000-000000000000'] });
    expect(foreign.status).toBe(404);
    const deployment = await client.patch(`/api/agents/${made.json.agent.id}`, { mcpServerIds: ['deployment:files'] });
    expect(deployment.status).toBe(400);
    expect(JSON.stringify(deployment.json)).toContain('every agent with MCP tools has them');
  });

  test('the offline model researches the web with the message, quotes the pages it read with [n], and its steps are published and kept', async () => {
    setModelProvider(createOfflineProvider({ tokenDelayMs: 0, toolPolicy: 'fixed' }));
    const { ask, activity } = await setUp({ abilities: ['web_search'] });
    const reply = await ask('@scout how do tides work?');
    expect(reply.status).toBe('complete');
    expect(reply.content).toContain(OFFLINE_LABEL);
    expect(reply.content).toMatch(/\[\d+\]/);
    // Every [n] of the text is a citation with the page's address on the fixture site.
    const cited = [...reply.content.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]));
    expect(reply.citations!.map((c) => c.n).sort()).toEqual([...new Set(cited)].sort());
    for (const citation of reply.citations!) expect(citation.url!.startsWith(web.site.origin)).toBe(true);
    expect(web.searxng.queries.some((q) => q.includes('tides'))).toBe(true);
    // The research call and its own searches and page reads, each ended.
    const steps = reply.activities as ActivityJson[];
    expect(steps[0]).toEqual(expect.objectContaining({ tool: 'deep_research', status: 'done', title: expect.stringContaining('Researching') }));
    expect(steps.some((step) => step.tool === 'read_page')).toBe(true);
    expect(steps.every((step) => step.status !== 'running')).toBe(true);
    await until(() => activity.some((event) => event.activity.status === 'done' && event.activity.tool === 'deep_research'), 5000, 'the done activity');
    expect(activity.find((event) => event.activity.id === steps[0]!.id)!.activity.status).toBe('running');
    expect(activity.every((event) => event.messageId === reply.id)).toBe(true);
  });

  test('a real model through the SDK: web_search then read_page, an injected page cannot add a tool, citations numbered once for the reply', async () => {
    const model = await startOpenAIServer({
      reply: (request) => {
        const tools = request.messages.filter((m) => m.role === 'tool');
        if (tools.length === 0) return { toolCalls: [{ name: 'web_search', arguments: JSON.stringify({ query: 'tide myths' }) }] };
        if (tools.length === 1)
          return {
            toolCalls: [
              { name: 'read_page', arguments: JSON.stringify({ url: `${web.site.origin}/tides` }) },
              { name: 'read_page', arguments: JSON.stringify({ url: `${web.site.origin}/tide-myths` }) },
              { name: 'send_email', arguments: '{}' },
            ],
          };
        return 'Wind does not cause tides [1][4].';
      },
    });
    try {
      setModelProvider(createOpenAIProvider({ apiKey: 'test', baseURL: model.baseURL, timeoutMs: 10_000 }));
      const { ask, channelId } = await setUp({ abilities: ['web_search'] });
      const reply = await ask('@scout are tides caused by wind?');
      const requests = model.requests;
      expect(reply.status).toBe('complete');
      expect(reply.content).toBe('Wind does not cause tides [1][4].');
      // The tools offered never changed, whatever the page said.
      const offered = requests.map((request) => (request.tools ?? []).map((tool) => tool.function.name).sort());
      expect(offered).toEqual([
        ['deep_research', 'read_page', 'web_search'],
        ['deep_research', 'read_page', 'web_search'],
        ['deep_research', 'read_page', 'web_search'],
      ]);
      const toolText = (request: FixtureRequest) => request.messages.filter((m) => m.role === 'tool').map((m) => m.content ?? '').join('\n');
      const results = toolText(requests[1]!);
      expect([...results.matchAll(/<result n="(\d+)" url="([^"]+)"/g)].map((m) => [m[1], m[2]])).toEqual([
        ['1', `${web.site.origin}/tide-myths`],
        ['2', `${web.site.origin}/tide-tables.txt`],
        ['3', `${web.site.origin}/rock-pools`],
      ]);
      // One list for the reply: a new page takes the next number, a page already listed keeps its own.
      const pages = toolText(requests[2]!);
      expect(pages).toContain(`<source n="4" url="${web.site.origin}/tides"`);
      expect(pages).toContain(`<source n="1" url="${web.site.origin}/tide-myths"`);
      expect(pages).toContain(INJECTION_TEXT.slice(0, 40));
      expect(pages).toMatch(/<tool_result name="send_email"[^>]*status="error">\nError: There is no tool named "send_email"/);
      expect(reply.citations!.map((c) => [c.n, c.url])).toEqual([
        [1, `${web.site.origin}/tide-myths`],
        [4, `${web.site.origin}/tides`],
      ]);
      expect(reply.activities!.map((a) => [a.tool, a.status])).toEqual([
        ['web_search', 'done'],
        ['read_page', 'done'],
        ['read_page', 'done'],
        ['send_email', 'error'],
      ]);
      // Every model call of the loop is metered: three calls, three usage records for the reply's channel.
      const usage = await hub.db.db.select().from(usageEvents).where(eq(usageEvents.channelId, channelId));
      expect(usage.map((row) => [row.source, row.outcome])).toEqual([
        ['channel', 'complete'],
        ['channel', 'complete'],
        ['channel', 'complete'],
      ]);
    } finally {
      await model.close();
    }
  });

  /** An agent given a base holding the policy PDF. */
  const withPolicy = async (client: import('../helpers/api-client').ApiClient) => {
    const baseId = (await client.post('/api/knowledge', { name: uniqueName('Policies') })).json.knowledgeBase.id as string;
    expect((await upload(hub.server.url, client, baseId, [{ name: 'policy.pdf', type: 'application/pdf', bytes: await makePdf(policyPages) }])).status).toBe(202);
    await ingestionSettled();
    return { knowledgeBaseIds: [baseId] };
  };

  test('knowledge as a tool: a real model searches again in other words, and a new passage is cited after those it was given', async () => {
    const model = await startOpenAIServer({
      reply: (request) => {
        const tools = request.messages.filter((m) => m.role === 'tool');
        if (tools.length === 0) return { toolCalls: [{ name: 'search_knowledge', arguments: JSON.stringify({ query: 'meal expenses receipts' }) }] };
        const n = /<source n="(\d+)"[^>]*>\n[^<]*45 euros/.exec(tools[0]!.content ?? '')?.[1];
        return `Meals are covered up to 45 euros a day [${n}].`;
      },
    });
    try {
      setModelProvider(createOpenAIProvider({ apiKey: 'test', baseURL: model.baseURL, timeoutMs: 10_000 }));
      const { ask } = await setUp(withPolicy);
      const reply = await ask('@scout what does the refund policy say?');
      expect(model.requests[0]!.tools!.map((tool) => tool.function.name)).toEqual(['search_knowledge']);
      const given = [...model.requests[0]!.messages.map((m) => m.content ?? '').join('\n').matchAll(/<source n="(\d+)"/g)].length;
      expect(given).toBeGreaterThan(0);
      expect(reply.status).toBe('complete');
      const cited = Number(/\[(\d+)\]/.exec(reply.content)![1]);
      expect(reply.citations).toEqual([expect.objectContaining({ n: cited, documentName: 'policy.pdf', page: 3, excerpt: expect.stringContaining('45 euros') })]);
      expect(reply.activities).toEqual([expect.objectContaining({ tool: 'search_knowledge', status: 'done', title: 'Searching knowledge for "meal expenses receipts"' })]);
    } finally {
      await model.close();
    }
  });

  test('the offline model with knowledge and web search: it searches both and quotes each with its number', async () => {
    setModelProvider(createOfflineProvider({ tokenDelayMs: 0, toolPolicy: 'fixed' }));
    const { ask } = await setUp(async (client) => ({ ...(await withPolicy(client)), abilities: ['knowledge', 'web_search'] }));
    const reply = await ask('@scout what is the refund window and how do tides work?');
    expect(reply.status).toBe('complete');
    expect(reply.activities!.filter((a) => !a.id.includes(':')).map((a) => a.tool)).toEqual(['search_knowledge', 'deep_research']);
    expect(reply.citations!.length).toBeGreaterThan(0);
    const ns = reply.citations!.map((c) => c.n);
    expect(new Set(ns).size).toBe(ns.length);
    for (const citation of reply.citations!) expect(reply.content).toContain(`[${citation.n}]`);
  });

  test("MCP tools join the loop: a real model calls a person's server with its sealed header; an injected answer cannot call another tool", async () => {
    const model = await startOpenAIServer({
      reply: (request) => {
        const names = (request.tools ?? []).map((tool) => tool.function.name);
        const tools = request.messages.filter((m) => m.role === 'tool');
        const inject = names.find((name) => name.endsWith('_inject'))!;
        if (tools.length === 0) return { toolCalls: [{ name: inject, arguments: '{}' }] };
        if (tools.length === 1) return { toolCalls: [{ name: 'delete_everything', arguments: '{"confirm":true}' }] };
        return 'It is sunny.';
      },
    });
    try {
      setModelProvider(createOpenAIProvider({ apiKey: 'test', baseURL: model.baseURL, timeoutMs: 10_000 }));
      const { ask } = await setUp(async (client) => {
        const server = await client.post('/api/mcp-servers', { name: 'Weather', url: mcp.url, headers: { Authorization: 'Bearer weather-token' } });
        expect(server.status).toBe(201);
        return { mcpServerIds: [server.json.mcpServer.id] };
      });
      const reply = await ask('@scout what is the weather?');
      expect(reply.status).toBe('complete');
      expect(reply.content).toBe('It is sunny.');
      const offered = (model.requests[0]!.tools ?? []).map((tool) => tool.function.name);
      expect(offered).toEqual(expect.arrayContaining(['mcp_weather_echo', 'mcp_weather_inject', 'mcp_weather_delete_everything']));
      // The bare name the injection asked for is no tool; the server never saw a delete.
      expect(mcp.toolCalls.map((call) => call.name)).toEqual(['inject']);
      expect(mcp.requests.every((request) => request.headers.authorization === 'Bearer weather-token')).toBe(true);
      const second = model.requests[1]!.messages.filter((m) => m.role === 'tool').map((m) => m.content ?? '').join('\n');
      expect(second).toContain(MCP_INJECTION_TEXT.slice(0, 30));
      expect(reply.activities!.map((a) => [a.tool, a.status])).toEqual([
        ['mcp_weather_inject', 'done'],
        ['delete_everything', 'error'],
      ]);
      expect(reply.activities![0]!.title).toBe('Using inject on Weather');
      // The connection the reply opened is closed once it ends.
      await until(() => mcp.sessions === 0, 5000, 'the MCP session closed');
    } finally {
      await model.close();
    }
  });

  /** Server-sent events as [event, data] pairs. */
  async function readEvents(res: Response): Promise<[string, unknown][]> {
    return (await res.text())
      .split('\n\n')
      .filter(Boolean)
      .map((block) => {
        const data = /^data: (.+)$/m.exec(block)?.[1] ?? '';
        return [/^event: (.+)$/m.exec(block)?.[1] ?? 'message', data === '[DONE]' ? '[DONE]' : JSON.parse(data)];
      });
  }

  test('through the API: tools run for /api/v1 calls, steps stream as activity events, answers carry activities and web citations', async () => {
    setModelProvider(createOfflineProvider({ tokenDelayMs: 0, toolPolicy: 'fixed' }));
    const { client, agent } = await setUp({ abilities: ['web_search'] });
    const key = (await client.post('/api/keys', { name: 'research bot' })).json.secret as string;
    const question = [{ role: 'user', content: 'how do tides work?' }];

    // The agent chat route, streamed: activity frames before the text, the whole at the end.
    const res = await fetch(`${hub.server.url}/api/v1/agents/${agent.id}/chat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ messages: question, stream: true }),
    });
    expect(res.status).toBe(200);
    const events = await readEvents(res);
    const kinds = events.map(([event]) => event);
    expect(kinds.indexOf('activity')).toBeGreaterThanOrEqual(0);
    expect(kinds.indexOf('activity')).toBeLessThan(kinds.indexOf('delta'));
    const done = events.at(-1)![1] as { message: { content: string }; citations: { n: number; url?: string }[]; activities: ActivityJson[] };
    expect(done.activities[0]).toEqual(expect.objectContaining({ tool: 'deep_research', status: 'done' }));
    expect(done.citations.length).toBeGreaterThan(0);
    for (const citation of done.citations) expect(done.message.content).toContain(`[${citation.n}]`);
    expect(done.citations.every((citation) => citation.url?.startsWith(web.site.origin))).toBe(true);

    // The OpenAI-compatible route through the official SDK: it reads past the activity chunks.
    const openai = new OpenAI({ apiKey: key, baseURL: `${hub.server.url}/api/v1` });
    const stream = await openai.chat.completions.create({ model: `agent:${agent.id}`, messages: [{ role: 'user', content: 'how do tides work?' }], stream: true });
    let text = '';
    const steps: ActivityJson[] = [];
    let final: { citations: unknown[]; activities: ActivityJson[] } | undefined;
    for await (const chunk of stream) {
      const extra = (chunk as unknown as { neurocache?: { activity?: ActivityJson; citations?: unknown[]; activities?: ActivityJson[] } }).neurocache;
      if (extra?.activity) steps.push(extra.activity);
      if (extra?.activities) final = extra as typeof final;
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    expect(text).toContain(OFFLINE_LABEL);
    expect(steps.map((step) => step.status)).toContain('running');
    expect(final!.activities.map((a) => a.id)).toEqual([...new Set(steps.map((step) => step.id))]);
    expect(final!.citations.length).toBeGreaterThan(0);
    const whole = await openai.chat.completions.create({ model: `agent:${agent.id}`, messages: [{ role: 'user', content: 'how do tides work?' }] });
    expect((whole as unknown as { neurocache: { activities: ActivityJson[] } }).neurocache.activities[0]).toEqual(expect.objectContaining({ tool: 'deep_research', status: 'done' }));
  });

  test("a caller's own tools: passed to the model instead of the agent's, tool_calls answered in OpenAI's shape, the results sent back as tool turns", async () => {
    const model = await startOpenAIServer({
      reply: (request) => {
        const result = request.messages.find((m) => m.role === 'tool');
        if (!result) return { toolCalls: [{ id: 'call_weather_1', name: 'get_weather', arguments: '{"city":"Brest"}' }] };
        return `The weather in Brest: ${result.content}.`;
      },
    });
    try {
      setModelProvider(createOpenAIProvider({ apiKey: 'test', baseURL: model.baseURL, timeoutMs: 10_000 }));
      const { client, agent } = await setUp({ abilities: ['web_search'] });
      const key = (await client.post('/api/keys', { name: 'framework' })).json.secret as string;
      const openai = new OpenAI({ apiKey: key, baseURL: `${hub.server.url}/api/v1` });
      const tools = [{ type: 'function' as const, function: { name: 'get_weather', description: 'The weather in a city.', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }];
      const asked = [{ role: 'user' as const, content: 'What is the weather in Brest?' }];

      const searchesBefore = web.searxng.queries.length;
      const first = await openai.chat.completions.create({ model: `agent:${agent.id}`, messages: asked, tools });
      expect(first.choices[0]!.finish_reason).toBe('tool_calls');
      expect(first.choices[0]!.message.content).toBeNull();
      expect(first.choices[0]!.message.tool_calls).toEqual([{ id: 'call_weather_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Brest"}' } }]);
      // The caller's tools only: the agent's web tools are not offered beside them, and nothing ran here.
      expect(model.requests[0]!.tools!.map((tool) => tool.function.name)).toEqual(['get_weather']);
      expect(web.searxng.queries).toHaveLength(searchesBefore);

      // Streamed, the SDK assembles the same call.
      const stream = await openai.chat.completions.create({ model: `agent:${agent.id}`, messages: asked, tools, stream: true });
      const calls: { id?: string; name?: string; arguments?: string }[] = [];
      let finish: string | null = null;
      for await (const chunk of stream) {
        for (const call of chunk.choices[0]?.delta?.tool_calls ?? []) calls[call.index] = { id: call.id, name: call.function?.name, arguments: call.function?.arguments };
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
      expect(calls).toEqual([{ id: 'call_weather_1', name: 'get_weather', arguments: '{"city":"Brest"}' }]);
      expect(finish).toBe('tool_calls');

      // The caller ran it and sends the result back: the model gets a real tool turn answering the call.
      const answer = await openai.chat.completions.create({
        model: `agent:${agent.id}`,
        tools,
        messages: [...asked, first.choices[0]!.message, { role: 'tool', tool_call_id: 'call_weather_1', content: 'rain, 12 °C' }],
      });
      expect(answer.choices[0]!.message.content).toBe('The weather in Brest: rain, 12 °C.');
      expect(answer.choices[0]!.finish_reason).toBe('stop');
      const sent = model.requests.at(-1)!.messages;
      expect(sent.find((m) => m.role === 'assistant')).toEqual(expect.objectContaining({ tool_calls: [expect.objectContaining({ id: 'call_weather_1' })] }));
      expect(sent.find((m) => m.role === 'tool')).toEqual(expect.objectContaining({ tool_call_id: 'call_weather_1', content: 'rain, 12 °C' }));

      // A tool the OpenAI API would refuse is refused here too, in words.
      const bad = await fetch(`${hub.server.url}/api/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: `agent:${agent.id}`, messages: asked, tools: [{ type: 'function', function: { name: 'get weather!' } }] }),
      });
      expect(bad.status).toBe(400);
      expect(JSON.stringify(await bad.json())).toContain('A tool name is 1 to 64 letters');
    } finally {
      await model.close();
    }
  });

  test('Stop ends the loop at once: a tool still running is cancelled, its step ends, the reply is marked stopped', async () => {
    const model = await startOpenAIServer({
      reply: (request) => {
        const hang = (request.tools ?? []).map((tool) => tool.function.name).find((name) => name.endsWith('_hang'))!;
        return { toolCalls: [{ name: hang, arguments: '{}' }] };
      },
    });
    try {
      setModelProvider(createOpenAIProvider({ apiKey: 'test', baseURL: model.baseURL, timeoutMs: 10_000 }));
      const { client, channelId, activity } = await setUp(async (c) => {
        const server = await c.post('/api/mcp-servers', { name: 'Slow', url: mcp.url, headers: { Authorization: 'Bearer weather-token' } });
        return { mcpServerIds: [server.json.mcpServer.id] };
      });
      const cancelledBefore = mcp.cancelled;
      await client.post(`/api/channels/${channelId}/messages`, { content: '@scout take your time' });
      await until(() => activity.some((event) => event.activity.status === 'running'), 5000, 'the tool running');
      const messageId = activity[0]!.messageId;
      const started = performance.now();
      const stopped = await client.post(`/api/channels/${channelId}/messages/${messageId}/stop`);
      expect(performance.now() - started).toBeLessThan(5000);
      expect(stopped.json.message).toEqual(expect.objectContaining({ status: 'error', error: expect.objectContaining({ code: 'cancelled' }) }));
      expect(stopped.json.message.activities).toEqual([expect.objectContaining({ tool: 'mcp_slow_hang', status: 'error' })]);
      await until(() => mcp.cancelled > cancelledBefore, 5000, 'the MCP call cancelled');
      expect(model.requests).toHaveLength(1);
    } finally {
      await model.close();
    }
  });

  test('an agent with web search where no provider is set up answers without it, and its reply says why', async () => {
    setModelProvider(createOfflineProvider({ tokenDelayMs: 0, toolPolicy: 'fixed' }));
    const { ask } = await setUp({ abilities: ['web_search'] });
    const restore = setEnv({ SEARXNG_URL: undefined });
    try {
      const before = web.searxng.queries.length;
      const reply = await ask('@scout how do tides work?');
      expect(reply.status).toBe('complete');
      // The plain offline reply (its role and plan for the question), not one built on tool results.
      expect(reply.content).toContain(`${OFFLINE_LABEL} I'm Scout, an AI agent here; my owner gave me no specialization.`);
      expect(reply.content).toContain('What I would do with "how do tides work?":\n- Pin down what is needed on tides and work.');
      expect(reply.content).not.toContain('What my tools returned');
      expect(reply.activities).toEqual([expect.objectContaining({ tool: 'web_search', status: 'error', detail: expect.stringContaining('SEARXNG_URL') })]);
      expect(web.searxng.queries).toHaveLength(before);
    } finally {
      restore();
    }
  });

  test('an agent without web_search is offered no tools, and answers as before', async () => {
    setModelProvider(createOfflineProvider({ tokenDelayMs: 0, toolPolicy: 'fixed' }));
    const { ask } = await setUp({});
    const reply = await ask('@scout how do tides work?');
    expect(reply.status).toBe('complete');
    expect(reply.content).toContain('What I would do with "how do tides work?":');
    expect(reply.activities).toBeUndefined();
  });
});
