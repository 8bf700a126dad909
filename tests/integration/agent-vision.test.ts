import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import sharp from 'sharp';
import { setModelProvider } from '@/lib/ai';
import { createOfflineProvider, OFFLINE_LABEL } from '@/lib/ai/offline';
import { createOpenAIProvider } from '@/lib/ai/openai';
import { repliesSettled } from '@/lib/agents/replies';
import { setFileStore } from '@/lib/storage';
import type { MessageJson } from '@/lib/contracts/messages';
import { startOpenAIServer, type FixtureRequest } from '../fixtures/openai-server';
import { makeVideo } from '../fixtures/media';
import type { ApiClient } from '../helpers/api-client';
import { testDatabaseKinds } from '../helpers/database';
import { setEnv } from '../helpers/env';
import { useHub } from '../helpers/hub';
import { person, uniqueName } from '../helpers/people';

/*
 * Vision and video as people use them: a file attached to a message in a channel, an agent with
 * the ability mentioned, and what its model is shown of it: the image (downscaled) and frames
 * sampled across the clip with their times, through the real SDK; with the offline model, what it
 * measured. The strip of sampled frames is served to the channel's members.
 */

type Part = { type: string; text?: string; image_url?: { url: string; detail?: string } };
const partsOf = (request: FixtureRequest): Part[] => {
  const last = [...request.raw].reverse().find((m) => m.role === 'user');
  return Array.isArray(last?.content) ? last.content : [];
};

describe.each(testDatabaseKinds())('agents look at attachments (%s)', (kind) => {
  const hub = useHub(kind);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nc-vision-'));
  let restoreEnv: () => void;
  let clip: Buffer;

  beforeAll(async () => {
    setFileStore(undefined);
    restoreEnv = setEnv({ FILES_DIR: path.join(dir, 'files') });
    clip = await fs.promises.readFile(await makeVideo(path.join(dir, 'clip.mp4'), 'mp4', { seconds: 4, width: 640, height: 360 }));
  });
  afterEach(async () => {
    await repliesSettled();
    setModelProvider(undefined);
  });
  afterAll(() => {
    restoreEnv();
    setFileStore(undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function attach(client: ApiClient, channelId: string, name: string, type: string, bytes: Buffer) {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bytes)], { type }), name);
    const res = await fetch(`${hub.server.url}/api/channels/${channelId}/attachments`, { method: 'POST', body: form, headers: { cookie: client.cookie } });
    expect(res.status).toBe(201);
    return (await res.json()).attachment as { id: string };
  }

  async function setUp(abilities: string[]) {
    const { client } = await person(hub, 'Vi');
    const agent = (await client.post('/api/agents', { name: 'Looker', handle: 'looker', instructions: 'Describe what you see.', abilities })).json.agent;
    const channelId = (await client.post('/api/channels', { name: uniqueName('look') })).json.channel.id as string;
    expect((await client.post(`/api/channels/${channelId}/members`, { agentId: agent.id })).status).toBe(201);
    const ask = async (content: string, files: { name: string; type: string; bytes: Buffer }[]) => {
      const ids = [];
      for (const file of files) ids.push((await attach(client, channelId, file.name, file.type, file.bytes)).id);
      const sent = await client.post(`/api/channels/${channelId}/messages`, { content, attachmentIds: ids });
      expect(sent.status).toBe(201);
      await repliesSettled();
      const history = (await client.get(`/api/channels/${channelId}/messages`)).json.messages as MessageJson[];
      return { reply: history.find((m) => m.replyTo === sent.json.message.id)!, ids };
    };
    return { client, ask };
  }

  // A 4000×3000 photo-sized image: larger than any model takes.
  const photo = () => sharp({ create: { width: 4000, height: 3000, channels: 3, background: '#1e66d0' } }).jpeg().toBuffer();

  test('vision through the SDK: the image reaches the model as an image part, downscaled; the step is shown', async () => {
    const model = await startOpenAIServer({ reply: () => 'A blue square.' });
    try {
      setModelProvider(createOpenAIProvider({ apiKey: 'test', baseURL: model.baseURL, timeoutMs: 10_000 }));
      const { ask } = await setUp(['vision']);
      const { reply } = await ask('@looker what is this?', [{ name: 'photo.jpg', type: 'image/jpeg', bytes: await photo() }]);
      expect(reply.content).toBe('A blue square.');
      const parts = partsOf(model.requests[0]!);
      expect(parts[0]).toEqual(expect.objectContaining({ type: 'text', text: expect.stringContaining('what is this?') }));
      const image = parts.find((part) => part.type === 'image_url')!;
      expect(image.image_url!.url).toMatch(/^data:image\/(jpeg|webp|png);base64,/);
      const sent = await sharp(Buffer.from(image.image_url!.url.split(',')[1]!, 'base64')).metadata();
      expect(Math.max(sent.width!, sent.height!)).toBeLessThanOrEqual(2048);
      expect(sent.width! / sent.height!).toBeCloseTo(4 / 3, 1);
      expect(reply.activities).toEqual([expect.objectContaining({ tool: 'vision', status: 'done', title: 'Looking at photo.jpg', detail: '4000×3000 JPEG' })]);
    } finally {
      await model.close();
    }
  });

  test('an agent without vision is not shown the image', async () => {
    const model = await startOpenAIServer({ reply: () => 'I cannot see files.' });
    try {
      setModelProvider(createOpenAIProvider({ apiKey: 'test', baseURL: model.baseURL, timeoutMs: 10_000 }));
      const { ask } = await setUp([]);
      const { reply } = await ask('@looker what is this?', [{ name: 'photo.jpg', type: 'image/jpeg', bytes: await photo() }]);
      expect(reply.status).toBe('complete');
      expect(partsOf(model.requests[0]!)).toEqual([]);
      expect(reply.activities).toBeUndefined();
    } finally {
      await model.close();
    }
  });

  test('the offline model says what it measured of an image, and that a vision model is needed for more', async () => {
    setModelProvider(createOfflineProvider({ tokenDelayMs: 0, toolPolicy: 'fixed' }));
    const { ask } = await setUp(['vision']);
    const { reply } = await ask('@looker what is in this chart?', [{ name: 'chart.png', type: 'image/png', bytes: await sharp({ create: { width: 300, height: 200, channels: 3, background: '#d01e1e' } }).png().toBuffer() }]);
    expect(reply.status).toBe('complete');
    expect(reply.content).toContain(OFFLINE_LABEL);
    expect(reply.content).toContain('chart.png');
    expect(reply.content).toContain('300×200');
    expect(reply.content).toMatch(/red/i);
    expect(reply.content).toContain('a vision model is needed');
    expect(reply.activities!.map((a) => [a.tool, a.status])).toEqual([
      ['vision', 'done'],
      ['describe_image', 'done'],
    ]);
  });

  test('video through the SDK: frames sampled evenly with their times; the strip is served to members only', async () => {
    const model = await startOpenAIServer({ reply: () => 'A test pattern with a counter.' });
    try {
      setModelProvider(createOpenAIProvider({ apiKey: 'test', baseURL: model.baseURL, timeoutMs: 10_000 }));
      const { client, ask } = await setUp(['video']);
      const { reply, ids } = await ask('@looker what happens in this clip?', [{ name: 'clip.mp4', type: 'video/mp4', bytes: clip }]);
      expect(reply.status).toBe('complete');
      const parts = partsOf(model.requests[0]!);
      const frames = parts.filter((part) => part.type === 'image_url');
      expect(frames).toHaveLength(8);
      const times = parts.filter((part) => part.type === 'text' && part.text!.startsWith('Frame at')).map((part) => Number(/Frame at ([\d.]+) s/.exec(part.text!)![1]));
      expect(times).toHaveLength(8);
      expect(times[0]).toBeLessThan(0.5);
      expect(times.at(-1)).toBeGreaterThan(3);
      expect([...times].sort((a, b) => a - b)).toEqual(times);
      const step = reply.activities!.find((a) => a.tool === 'video')!;
      expect(step).toEqual(expect.objectContaining({ status: 'done', title: 'Watching clip.mp4' }));
      expect(step.frames).toHaveLength(8);
      const strip = await fetch(`${hub.server.url}${step.frames![0]!.url}`, { headers: { cookie: client.cookie } });
      expect(strip.status).toBe(200);
      expect(strip.headers.get('content-type')).toBe('image/jpeg');
      const meta = await sharp(Buffer.from(await strip.arrayBuffer())).metadata();
      expect(meta.width).toBeGreaterThan(meta.height!);
      const stranger = await person(hub, 'Stranger');
      expect((await fetch(`${hub.server.url}/api/attachments/${ids[0]}?frames=1`, { headers: { cookie: stranger.client.cookie } })).status).toBe(404);
    } finally {
      await model.close();
    }
  });

  test('the offline model reports the duration, resolution and the moments it sampled', async () => {
    setModelProvider(createOfflineProvider({ tokenDelayMs: 0, toolPolicy: 'fixed' }));
    const { ask } = await setUp(['video']);
    const { reply } = await ask('@looker summarize this clip', [{ name: 'clip.mp4', type: 'video/mp4', bytes: clip }]);
    expect(reply.status).toBe('complete');
    expect(reply.content).toContain('clip.mp4');
    expect(reply.content).toContain('4.0 s');
    expect(reply.content).toContain('640×360');
    expect(reply.content).toContain('8 frames sampled');
    expect(reply.activities!.map((a) => a.tool)).toEqual(['video', 'describe_video']);
  });

  test('through the API: a vision agent gets the images a caller sends, an agent without vision their mention as text', async () => {
    const model = await startOpenAIServer({ reply: () => 'Seen.' });
    try {
      setModelProvider(createOpenAIProvider({ apiKey: 'test', baseURL: model.baseURL, timeoutMs: 10_000 }));
      const { client } = await person(hub, 'Api');
      const seeing = (await client.post('/api/agents', { name: 'Eye', handle: 'eye', instructions: 'Look.', abilities: ['vision'] })).json.agent;
      const blind = (await client.post('/api/agents', { name: 'Ear', handle: 'ear', instructions: 'Listen.' })).json.agent;
      const key = (await client.post('/api/keys', { name: 'vision' })).json.secret as string;
      const openai = new OpenAI({ apiKey: key, baseURL: `${hub.server.url}/api/v1` });
      const image = `data:image/png;base64,${(await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).png().toBuffer()).toString('base64')}`;
      const ask = (agentId: string) =>
        openai.chat.completions.create({
          model: `agent:${agentId}`,
          messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: image } }] }],
        });
      expect((await ask(seeing.id)).choices[0]!.message.content).toBe('Seen.');
      expect(partsOf(model.requests.at(-1)!)).toEqual([
        { type: 'text', text: 'What is this?' },
        { type: 'image_url', image_url: { url: image } },
      ]);
      await ask(blind.id);
      const last = [...model.requests.at(-1)!.raw].reverse().find((m) => m.role === 'user')!;
      expect(last.content).toBe('What is this?\n[image]');
    } finally {
      await model.close();
    }
  });
});
