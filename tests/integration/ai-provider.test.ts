import { complete, ModelError, type ModelProvider, type StreamEvent } from '@/lib/ai';
import { createOfflineProvider, OFFLINE_LABEL } from '@/lib/ai/offline';
import { createOpenAIProvider } from '@/lib/ai/openai';
import { startOpenAIServer } from '../fixtures/openai-server';

async function collect(provider: ModelProvider, request: Parameters<ModelProvider['stream']>[0]) {
  const events: StreamEvent[] = [];
  for await (const event of provider.stream(request)) events.push(event);
  return events;
}

const ask = [
  { role: 'system' as const, content: 'You are a careful researcher.' },
  { role: 'user' as const, content: 'What is the boiling point of water?' },
];

describe('the OpenAI provider, through the real openai SDK against a local compatible server', () => {
  let server: Awaited<ReturnType<typeof startOpenAIServer>>;
  const provider = () => createOpenAIProvider({ apiKey: 'sk-test', baseURL: server.baseURL, timeoutMs: 1000 });
  beforeAll(async () => {
    server = await startOpenAIServer({ tokens: 5, slowTokenMs: 150 });
  });
  afterAll(async () => server.close());

  it('streams the reply token by token and reports usage', async () => {
    const events = await collect(provider(), { model: 'fixture-model', messages: ask, temperature: 0.3 });
    expect(events.filter((e) => e.type === 'delta').map((e) => (e as { text: string }).text)).toEqual(['tok0 ', 'tok1 ', 'tok2 ', 'tok3 ', 'tok4 ']);
    expect(events.at(-1)).toEqual({ type: 'done', usage: { promptTokens: 12, completionTokens: 5 } });
    expect(server.requests.at(-1)).toMatchObject({ model: 'fixture-model', stream: true, messages: ask });
    expect(await complete(provider(), { model: 'fixture-model', messages: ask })).toEqual({ content: 'tok0 tok1 tok2 tok3 tok4 ', usage: { promptTokens: 12, completionTokens: 5 } });
  });

  it('turns a 500 into a sanitized error that leaks nothing from upstream', async () => {
    const failure = await collect(provider(), { model: 'fixture-500', messages: ask }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ModelError);
    expect((failure as ModelError).code).toBe('upstream');
    expect((failure as ModelError).message).toBe('The model provider failed (HTTP 500).');
    expect((failure as ModelError).message).not.toMatch(/secret|sk-upstream/);
  });

  it('gives up on a model that never answers, with a timeout error', async () => {
    const started = Date.now();
    const failure = await collect(provider(), { model: 'fixture-hang', messages: ask }).catch((error: unknown) => error);
    expect((failure as ModelError).code).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('cancels a slow stream midway and stops receiving', async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    const failure = await (async () => {
      for await (const event of provider().stream({ model: 'fixture-slow', messages: ask, signal: controller.signal })) {
        if (event.type === 'delta') seen.push(event.text);
        if (seen.length === 2) controller.abort();
      }
    })().catch((error: unknown) => error);
    expect((failure as ModelError).code).toBe('cancelled');
    expect(seen).toEqual(['tok0 ', 'tok1 ']);
  });
});

describe('the offline provider', () => {
  const offline = createOfflineProvider({ tokenDelayMs: 0 });

  it('is deterministic, labelled, and streams like a real model', async () => {
    const first = await collect(offline, { model: 'any', messages: ask });
    const second = await collect(offline, { model: 'any', messages: ask });
    expect(second).toEqual(first);
    const deltas = first.filter((e) => e.type === 'delta');
    expect(deltas.length).toBeGreaterThan(10);
    const text = deltas.map((e) => (e as { text: string }).text).join('');
    expect(text.startsWith(OFFLINE_LABEL)).toBe(true);
    expect(text).toContain('What is the boiling point of water?');
    expect(first.at(-1)).toMatchObject({ type: 'done', usage: { completionTokens: deltas.length } });
    const other = await complete(offline, { model: 'any', messages: [...ask.slice(0, 1), { role: 'user', content: 'Something else' }] });
    expect(other.content).not.toBe(text);
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(collect(offline, { model: 'any', messages: ask, signal: controller.signal })).rejects.toMatchObject({ code: 'cancelled' });
  });
});
