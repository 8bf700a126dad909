import { setModelProvider } from '@/lib/ai';
import { createOpenAIProvider } from '@/lib/ai/openai';
import { broadcastPublisher } from '@/lib/realtime/publisher';
import { startOpenAIServer } from '../fixtures/openai-server';
import { testDatabaseKinds } from '../helpers/database';
import { useHub } from '../helpers/hub';
import { connectSocket, realtimeToken, record, startRealtimeNode, until, type TestSocket } from '../helpers/realtime';

describe.each(testDatabaseKinds())('the usage dashboard API (%s)', (kind) => {
  let model: Awaited<ReturnType<typeof startOpenAIServer>>;
  let node: Awaited<ReturnType<typeof startRealtimeNode>>;
  const hub = useHub(kind, { publisher: () => broadcastPublisher(() => node?.io as never) });
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    model = await startOpenAIServer({ tokens: 4 });
    setModelProvider(createOpenAIProvider({ apiKey: 'sk-test', baseURL: model.baseURL, timeoutMs: 2000 }));
    node = await startRealtimeNode();
  });
  afterAll(async () => {
    sockets.forEach((socket) => socket.close());
    setModelProvider(undefined);
    await node?.close();
    await model?.close();
  });

  it('sums the calls made, per agent and per key, over time; and pushes each call live', async () => {
    const api = hub.client();
    await api.signUp('Analyst');
    const socket = await connectSocket(node.url, { token: await realtimeToken(api) });
    sockets.push(socket);
    const live = record(socket, 'usage:recorded');

    const agent = (await api.post('/api/agents', { name: 'Counter', handle: 'counter', instructions: '', model: 'fixture-model' })).json.agent;
    const broken = (await api.post('/api/agents', { name: 'Broken', handle: 'broken', instructions: '', model: 'fixture-500' })).json.agent;
    const { key, secret } = (await api.post('/api/keys', { name: 'Backend' })).json;
    const chat = (agentId: string) =>
      fetch(`${hub.server.url}/api/v1/agents/${agentId}/chat`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [{ role: 'user', content: 'count' }] }),
      });
    for (let i = 0; i < 3; i++) expect((await chat(agent.id)).status).toBe(200);
    expect((await chat(broken.id)).status).toBe(503);
    await until(() => live.length === 4, 3000, 'four live usage events');
    expect(live[0]!.event).toMatchObject({ agentId: agent.id, apiKeyId: key.id, source: 'api', outcome: 'complete', completionTokens: 4 });

    const usage = (await api.get('/api/usage?range=24h')).json;
    expect(usage.totals).toMatchObject({ requests: 4, completionTokens: 12, errors: 1 });
    expect(usage.series).toHaveLength(24);
    expect(usage.series.reduce((n: number, point: { requests: number }) => n + point.requests, 0)).toBe(4);
    expect(usage.byAgent).toEqual([
      expect.objectContaining({ agentId: agent.id, name: 'Counter', requests: 3, completionTokens: 12, errors: 0 }),
      expect.objectContaining({ agentId: broken.id, name: 'Broken', requests: 1, errors: 1 }),
    ]);
    expect(usage.byKey).toEqual([expect.objectContaining({ keyId: key.id, name: 'Backend', partial: key.partial, requests: 4 })]);
    expect((await api.get('/api/usage?range=30d')).json.series).toHaveLength(30);
    expect((await api.get('/api/usage?range=7d')).json.totals.requests).toBe(4);
    expect((await api.get('/api/usage?range=1y')).status).toBe(400);

    // Nobody else sees it.
    const other = hub.client();
    await other.signUp('Other');
    expect((await other.get('/api/usage')).json.totals.requests).toBe(0);
  });
});
