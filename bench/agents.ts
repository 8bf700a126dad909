/*
 * pnpm bench:agents — an agent in a channel answers through the real OpenAI SDK from the local
 * OpenAI-compatible test server, streaming 200 tokens per reply (BENCH_REPLIES replies, one at a
 * time). Per token: when the model server wrote it, when the hub received it from the SDK, and
 * when it reached a member's socket; the hub's added latency is socket minus hub receipt. Time to
 * first token through the hub (POST to first token at the socket) is set against calling the
 * model server directly with the SDK.
 *
 * Rows: the production server (`pnpm build` first; bench/production-hub.ts) on embedded PGlite,
 * and on a scratch Postgres database + Redis when DATABASE_URL and REDIS_URL are set (there the
 * hub's SDK is out of reach, so per token only the model server's write -> member socket is
 * timed); then the test harness (DATABASE_URL and REDIS_URL when set) with every figure.
 * BENCH_SERVER=production or harness runs one of them.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSession } from '@/lib/auth/sessions';
import { signUp } from '@/lib/auth/local';
import { createAgent } from '@/lib/agents';
import { repliesSettled } from '@/lib/agents/replies';
import { setModelProvider, type ModelProvider } from '@/lib/ai';
import { createOpenAIProvider } from '@/lib/ai/openai';
import { addAgentMember } from '@/lib/agents/membership';
import { createChannel } from '@/lib/channels';
import { signRealtimeToken } from '@/lib/realtime/token';
import { startOpenAIServer } from '../tests/fixtures/openai-server';
import { connectSocket } from '../tests/helpers/realtime';
import { startBenchHub } from './hub';
import { HttpSession, onEachProductionBackend, startHub } from './production-hub';
import { report, runBench, summarize } from './stats';

const TOKENS = 200;
const REPLIES = Number(process.env.BENCH_REPLIES ?? 30);
// The model server's pace: a fast real model writes a token every few milliseconds.
const TOKEN_MS = Number(process.env.BENCH_TOKEN_MS ?? 2);
const PORT = Number(process.env.BENCH_PORT ?? 3323);

type Model = Awaited<ReturnType<typeof startOpenAIServer>>;
type Sdk = ReturnType<typeof createOpenAIProvider>;
/** Where a row posts (as whom), where its member's socket connects, and, on the harness, the hub's own SDK receipts. */
type Target = { server: string; base: string; socketUrl: string; cookie: string; channelId: string; realtimeToken: string; received?: () => number[] };

// Clocks: one process, one performance.now(), so the timestamps of a token compare.
let written: number[] = [];
let received: number[] = [];

async function measure(target: Target, sdk: Sdk) {
  const { server } = target;
  const socket = await connectSocket(target.socketUrl, { token: target.realtimeToken });
  await new Promise((resolve) => socket.emit('channel:join', { channelId: target.channelId }, resolve));
  let arrived: number[] = [];
  let ended = 0;
  socket.on('agent:token', () => arrived.push(performance.now()));
  socket.on('message:updated', ({ message }) => {
    if (message.author.kind === 'agent' && message.status !== 'streaming') ended += 1;
  });

  const added: number[] = [];
  const endToEnd: number[] = [];
  const sdkLeg: number[] = [];
  const hubFirstToken: number[] = [];
  let incomplete = 0;
  // Two warm-up replies (first-use compilation, connection setup) are not counted.
  for (let run = -2; run < REPLIES; run++) {
    written = [];
    received = [];
    arrived = [];
    const endedBefore = ended;
    const posted = performance.now();
    const res = await fetch(`${target.base}/api/channels/${target.channelId}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: target.cookie, origin: target.base },
      body: JSON.stringify({ content: `@streamer reply ${run}` }),
    });
    if (res.status !== 201) throw new Error(`POST ${run}: ${res.status}`);
    await res.text();
    const deadline = performance.now() + 10_000;
    // The reply's end (message:updated) comes after its every token on this socket.
    while (ended === endedBefore && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    if (ended === endedBefore || (target.received && received.length !== TOKENS)) incomplete += 1;
    if (run < 0) continue;
    hubFirstToken.push(arrived[0]! - posted);
    for (let i = 0; i < Math.min(arrived.length, written.length); i++) {
      endToEnd.push(arrived[i]! - written[i]!);
      if (!target.received) continue;
      added.push(arrived[i]! - received[i]!);
      sdkLeg.push(received[i]! - written[i]!);
    }
  }
  socket.close();

  // The baseline, in the same run: the same SDK calling the model server directly, request to first token.
  const directFirstToken: number[] = [];
  for (let run = -2; run < REPLIES; run++) {
    const started = performance.now();
    for await (const event of sdk.stream({ model: 'fixture-slow', messages: [{ role: 'user', content: `direct ${run}` }] })) {
      if (event.type === 'delta') {
        if (run >= 0) directFirstToken.push(performance.now() - started);
        break;
      }
    }
  }

  if (target.received) {
    const hubAdded = summarize(added);
    report({ bench: 'agents', server, path: 'hub added: SDK delta -> member socket', ...hubAdded });
    report({ bench: 'agents', server, path: 'model server write -> hub SDK delta', ...summarize(sdkLeg) });
    report({ bench: 'agents', server, goal: 'added p50 under 1 ms', value: hubAdded.p50_ms, met: hubAdded.p50_ms < 1 });
    report({ bench: 'agents', server, goal: 'added p99 under 5 ms', value: hubAdded.p99_ms, met: hubAdded.p99_ms < 5 });
  }
  report({ bench: 'agents', server, path: 'model server write -> member socket', ...summarize(endToEnd) });
  const hubTtft = summarize(hubFirstToken);
  const directTtft = summarize(directFirstToken);
  report({ bench: 'agents', server, path: 'time to first token: POST -> member socket', ...hubTtft });
  report({ bench: 'agents', server, path: 'time to first token: SDK direct', ...directTtft });
  const overhead = Math.round((hubTtft.p50_ms - directTtft.p50_ms) * 1000) / 1000;
  report({ bench: 'agents', server, ttft_overhead_p50_ms: overhead, ttft_overhead_p99_ms: Math.round((hubTtft.p99_ms - directTtft.p99_ms) * 1000) / 1000 });
  report({ bench: 'agents', server, replies_unfinished_or_short: incomplete });
  report({ bench: 'agents', server, goal: 'channel reply TTFT overhead p50 under 5 ms', value: overhead, met: overhead < 5 });
}

/** The production server as users run it, set up over HTTP only, its model the local test server. */
async function onProductionServer(name: string, env: Record<string, string>, model: Model, sdk: Sdk) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nc-bench-agents-'));
  const hub = await startHub(dir, {
    port: PORT,
    env: { OPENAI_API_KEY: 'sk-bench', OPENAI_BASE_URL: model.baseURL, SEND_RATE_LIMIT_MESSAGES: '100000', AGENT_DAILY_CALLS: '0', AGENT_DAILY_TOKENS: '0', ...env },
  });
  try {
    const owner = new HttpSession(hub.base);
    await owner.request('POST', '/api/auth/sign-up', { name: 'Owner', email: `owner-${Date.now()}-${randomBytes(3).toString('hex')}@example.com`, password: 'benchmark-password' });
    const { channel } = await owner.request('POST', '/api/channels', { name: 'agents-bench', description: 'Benchmark the streaming path' });
    const { agent } = await owner.request('POST', '/api/agents', { name: 'Streamer', handle: 'streamer', instructions: 'Stream.', model: 'fixture-slow' });
    await owner.request('POST', `/api/channels/${channel.id}/members`, { agentId: agent.id });
    const { token } = await owner.request('POST', '/api/realtime/token');
    report({ bench: 'agents', server: name, setup: { database: env.DATABASE_URL ? 'postgres' : 'pglite', cache: env.REDIS_URL ? 'redis' : 'memory', tokens_per_reply: TOKENS, replies: REPLIES, model_token_ms: TOKEN_MS } });
    await measure({ server: name, base: hub.base, socketUrl: hub.base, cookie: owner.cookie, channelId: channel.id, realtimeToken: token }, sdk);
  } finally {
    await hub.close();
  }
}

async function production(model: Model, sdk: Sdk) {
  await onEachProductionBackend((name, env) => onProductionServer(name, env, model, sdk));
}

async function harness(sdk: Sdk) {
  const hub = await startBenchHub();
  const { db, cache, node, server } = hub;
  const observed: ModelProvider = {
    kind: sdk.kind,
    async *stream(request) {
      for await (const event of sdk.stream(request)) {
        if (event.type === 'delta') received.push(performance.now());
        yield event;
      }
    },
  };
  setModelProvider(observed);
  const name = `harness (route handlers in process), ${db.kind} + ${cache.kind}`;
  report({ bench: 'agents', server: name, setup: { database: db.kind, cache: cache.kind, publish: hub.publish, tokens_per_reply: TOKENS, replies: REPLIES, model_token_ms: TOKEN_MS } });
  try {
    const owner = await signUp({ name: 'Owner', email: `owner-${Date.now()}@example.com`, password: 'benchmark-password' });
    const { token } = await createSession({ userId: owner.id });
    const channel = await createChannel({ userId: owner.id, input: { name: 'agents-bench', description: 'Benchmark the streaming path' } });
    const agent = await createAgent({ userId: owner.id, input: { name: 'Streamer', handle: 'streamer', instructions: 'Stream.', model: 'fixture-slow' } });
    await addAgentMember({ userId: owner.id, channelId: channel.id, agentId: agent.id });
    await measure({ server: name, base: server.url, socketUrl: node.url, cookie: `nc_session=${token}`, channelId: channel.id, realtimeToken: await signRealtimeToken(owner), received: () => received }, sdk);
    await repliesSettled();
  } finally {
    setModelProvider(undefined);
    await hub.close();
  }
}

async function main() {
  const model = await startOpenAIServer({ tokens: TOKENS, slowTokenMs: TOKEN_MS, onToken: (i) => (written[i] = performance.now()) });
  const sdk = createOpenAIProvider({ apiKey: 'sk-bench', baseURL: model.baseURL, timeoutMs: 30_000 });
  const only = process.env.BENCH_SERVER;
  try {
    if (only !== 'harness') await production(model, sdk);
    if (only !== 'production') await harness(sdk);
  } finally {
    await model.close();
  }
}

runBench(main);
