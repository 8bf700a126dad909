import OpenAI from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { setModelProvider } from '@/lib/ai';
import { createOpenAIProvider } from '@/lib/ai/openai';
import { testDatabaseKinds } from '../helpers/database';
import { useHub } from '../helpers/hub';
import { person } from '../helpers/people';
import { startOpenAIServer } from '../fixtures/openai-server';

/** A conversation of `turns` alternating user and assistant turns of about `chars` characters each. */
function conversation(turns: number, chars: number): ChatCompletionMessageParam[] {
  return Array.from({ length: turns }, (_, i) => {
    const text = `turn ${i}: ${'lorem ipsum dolor sit amet '.repeat(Math.ceil(chars / 27))}`.slice(0, chars);
    return i % 2 === 0 ? { role: 'user', content: text } : { role: 'assistant', content: text };
  });
}

/** A tool-call round trip as OpenAI clients send it back: assistant content null with tool_calls, then the tool's result. */
const toolTurns: ChatCompletionMessageParam[] = [
  { role: 'developer', content: 'Answer with the weather tool.' },
  { role: 'user', content: 'What is the weather in Paris?' },
  { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
  { role: 'tool', tool_call_id: 'call_1', content: '18 C and sunny' },
  { role: 'user', content: 'Thanks. Should I take a coat?' },
];

describe.each(testDatabaseKinds())('OpenAI message shapes through the official SDK (%s)', (kind) => {
  const hub = useHub(kind);
  let model: Awaited<ReturnType<typeof startOpenAIServer>>;

  beforeAll(async () => {
    model = await startOpenAIServer({ reply: () => 'Take a light coat.' });
    setModelProvider(createOpenAIProvider({ apiKey: 'sk-test', baseURL: model.baseURL, timeoutMs: 5000 }));
  });
  afterAll(async () => {
    setModelProvider(undefined);
    await model?.close();
  });

  /** A fresh owner (usage and limits are theirs alone), their agent, and the SDK pointed at the hub. */
  async function caller() {
    const { client } = await person(hub, 'Sdk');
    const agent = (await client.post('/api/agents', { name: 'Weather', handle: 'weather', instructions: 'You are the weather agent.', model: 'fixture-model' })).json.agent;
    const secret: string = (await client.post('/api/keys', { name: 'sdk' })).json.secret;
    const openai = new OpenAI({ apiKey: secret, baseURL: `${hub.server.url}/api/v1`, maxRetries: 0 });
    return { client, agent, secret, openai, model: `agent:${agent.id}` };
  }
  /** What the model server was last asked, after the agent's own instructions. */
  const forwarded = () => model.requests.at(-1)!.messages.slice(1);

  async function both(openai: OpenAI, body: { model: string; messages: ChatCompletionMessageParam[] }) {
    const whole = await openai.chat.completions.create(body);
    expect(whole.choices[0]!.message.content).toBe('Take a light coat.');
    const asked = forwarded();
    let streamed = '';
    for await (const chunk of await openai.chat.completions.create({ ...body, stream: true })) streamed += chunk.choices[0]?.delta?.content ?? '';
    expect(streamed).toBe('Take a light coat.');
    expect(forwarded()).toEqual(asked);
    return asked;
  }

  it('takes a 100 KB, 40-turn conversation, streaming and not', async () => {
    const { openai, model: id } = await caller();
    const messages = conversation(40, 2500);
    expect(JSON.stringify(messages).length).toBeGreaterThan(100_000);
    const asked = await both(openai, { model: id, messages });
    expect(asked).toEqual(messages.map(({ role, content }) => ({ role, content })));
  });

  it('takes a 2 MB, 500-turn conversation, streaming and not', async () => {
    const { openai, model: id } = await caller();
    const messages = conversation(500, 4200);
    expect(JSON.stringify(messages).length).toBeGreaterThan(2_000_000);
    const asked = await both(openai, { model: id, messages });
    expect(asked).toHaveLength(500);
    expect(asked.at(-1)).toEqual({ role: 'assistant', content: messages.at(-1)!.content });
  });

  it('takes tool-call turns (assistant content null with tool_calls, then role tool) and hands them to the model as readable turns', async () => {
    const { openai, model: id } = await caller();
    const asked = await both(openai, { model: id, messages: toolTurns });
    expect(asked).toEqual([
      { role: 'system', content: 'Answer with the weather tool.' },
      { role: 'user', content: 'What is the weather in Paris?' },
      { role: 'assistant', content: '[tool call call_1: get_weather({"city":"Paris"})]' },
      { role: 'user', content: '[result of tool call call_1 (get_weather)]\n18 C and sunny' },
      { role: 'user', content: 'Thanks. Should I take a coat?' },
    ]);
  });

  it('takes every content part and role OpenAI accepts: images, audio, files, refusals, names, legacy functions', async () => {
    const { openai, model: id } = await caller();
    const messages: ChatCompletionMessageParam[] = [
      { role: 'system', content: [{ type: 'text', text: 'Be brief.' }], name: 'setup' },
      {
        role: 'user',
        name: 'ada_l',
        content: [
          { type: 'text', text: 'What is in these?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' } },
          { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
          { type: 'file', file: { filename: 'notes.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' } },
        ],
      },
      { role: 'assistant', content: [{ type: 'text', text: 'A chart.' }, { type: 'refusal', refusal: 'I will not read the file.' }] },
      { role: 'assistant', content: null, refusal: 'I cannot help with that.' },
      { role: 'assistant', content: null, audio: { id: 'audio_1' } },
      { role: 'assistant', content: null, function_call: { name: 'lookup', arguments: '{"q":"coat"}' } },
      { role: 'function', name: 'lookup', content: 'coats: 3' },
      { role: 'user', content: 'And now?', name: 'not a valid name!' },
    ];
    const asked = await both(openai, { model: id, messages });
    expect(asked).toEqual([
      { role: 'system', content: 'Be brief.', name: 'setup' },
      { role: 'user', content: 'What is in these?\n[image]\n[audio]\n[file: notes.pdf]', name: 'ada_l' },
      { role: 'assistant', content: 'A chart.\nI will not read the file.' },
      { role: 'assistant', content: '[refusal] I cannot help with that.' },
      { role: 'assistant', content: '[audio reply]' },
      { role: 'assistant', content: '[function call: lookup({"q":"coat"})]' },
      { role: 'user', content: '[result of function lookup]\ncoats: 3' },
      { role: 'user', content: 'And now?' },
    ]);
  });

  it('takes the same shapes at /api/v1/agents/:id/chat, as JSON and as a stream', async () => {
    const { agent, secret } = await caller();
    const post = (body: unknown) =>
      fetch(`${hub.server.url}/api/v1/agents/${agent.id}/chat`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const whole = await post({ messages: [...conversation(40, 2500), ...toolTurns] });
    expect(whole.status).toBe(200);
    expect((await whole.json()).message).toEqual({ role: 'assistant', content: 'Take a light coat.' });
    expect(forwarded()).toHaveLength(45);
    expect(forwarded()[42]).toEqual({ role: 'assistant', content: '[tool call call_1: get_weather({"city":"Paris"})]' });
    const streamed = await post({ messages: toolTurns, stream: true });
    expect(streamed.status).toBe(200);
    expect(await streamed.text()).toMatch(/event: done\ndata: \{"message":\{"role":"assistant","content":"Take a light coat\."\}/);
  });

  it('asks a channel the last user message, whatever its shape', async () => {
    const { client, agent, openai } = await caller();
    const channelId: string = (await client.post('/api/channels', { name: 'weather room' })).json.channel.id;
    expect((await client.post(`/api/channels/${channelId}/members`, { agentId: agent.id })).status).toBe(201);
    const answer = await openai.chat.completions.create({ model: `channel:${channelId}`, messages: [...toolTurns.slice(0, 4), { role: 'user', content: [{ type: 'text', text: 'Coat or not?' }] }] });
    expect(answer.choices[0]!.message.content).toBe('Take a light coat.');
    expect(forwarded().at(-1)).toEqual({ role: 'user', content: 'Coat or not?' });
    // A trailing tool result is context, not the question: the person's last message is asked.
    await openai.chat.completions.create({ model: `channel:${channelId}`, messages: toolTurns.slice(0, 4) });
    expect(forwarded().at(-1)).toEqual({ role: 'user', content: 'What is the weather in Paris?' });
  });

  it('still refuses what OpenAI refuses, with the field named (400)', async () => {
    const { openai, model: id } = await caller();
    const refused = [
      [{ role: 'tool', content: 'orphan result' }, 'messages.0.tool_call_id'],
      [{ role: 'function', content: 'x' }, 'messages.0.name'],
      [{ role: 'assistant', content: null }, 'messages.0.content'],
      [{ role: 'user', content: [{ type: 'video', video: {} }] }, 'messages.0.content'],
      [{ role: 'user', content: [{ type: 'text' }] }, 'messages.0.content'],
      [{ role: 'robot', content: 'beep' }, 'messages.0.role'],
    ] as const;
    for (const [message, field] of refused) {
      const error = await openai.chat.completions.create({ model: id, messages: [message as never] }).catch((e: unknown) => e);
      expect([field, (error as { status?: number }).status]).toEqual([field, 400]);
      expect(Object.keys((error as { error: { details: object } }).error.details).some((key) => key.startsWith(field))).toBe(true);
    }
  });
});
