/*
 * pnpm bench:agents — an agent in a channel answers through the real OpenAI SDK from the local
 * OpenAI-compatible test server, streaming 200 tokens per reply (BENCH_REPLIES replies, one at a
 * time). Per token: when the model server wrote it, when the hub received it from the SDK, and
 * when it reached a member's socket; the hub's added latency is socket minus hub receipt. Time to
 * first token through the hub (POST to first token at the socket) is set against calling the
 * model server directly with the SDK. Uses DATABASE_URL and REDIS_URL when set.
 */
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
import { report, runBench, summarize } from './stats';

const TOKENS = 200;
const REPLIES = Number(process.env.BENCH_REPLIES ?? 30);
// The model server's pace: a fast real model writes a token every few milliseconds.
const TOKEN_MS = Number(process.env.BENCH_TOKEN_MS ?? 2);

async function main() {
  const hub = await startBenchHub();
  const { db, cache, node, server } = hub;

  // Clocks: one process, one performance.now(), so the three timestamps of a token compare.
  let written: number[] = [];
  const model = await startOpenAIServer({ tokens: TOKENS, slowTokenMs: TOKEN_MS, onToken: (i) => (written[i] = performance.now()) });
  const sdk = createOpenAIProvider({ apiKey: 'sk-bench', baseURL: model.baseURL, timeoutMs: 30_000 });
  let received: number[] = [];
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
  report({ bench: 'agents', setup: { database: db.kind, cache: cache.kind, publish: hub.publish, tokens_per_reply: TOKENS, replies: REPLIES, model_token_ms: TOKEN_MS } });

  const owner = await signUp({ name: 'Owner', email: `owner-${Date.now()}@example.com`, password: 'benchmark-password' });
  const { token } = await createSession({ userId: owner.id });
  const channel = await createChannel({ userId: owner.id, input: { name: 'agents-bench', description: 'Benchmark the streaming path' } });
  const agent = await createAgent({ userId: owner.id, input: { name: 'Streamer', handle: 'streamer', instructions: 'Stream.', model: 'fixture-slow' } });
  await addAgentMember({ userId: owner.id, channelId: channel.id, agentId: agent.id });
  const socket = await connectSocket(node.url, { token: await signRealtimeToken(owner) });
  await new Promise((resolve) => socket.emit('channel:join', { channelId: channel.id }, resolve));

  let arrived: number[] = [];
  socket.on('agent:token', () => arrived.push(performance.now()));

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
    const posted = performance.now();
    const res = await fetch(`${server.url}/api/channels/${channel.id}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `nc_session=${token}` },
      body: JSON.stringify({ content: `@streamer reply ${run}` }),
    });
    if (res.status !== 201) throw new Error(`POST ${run}: ${res.status}`);
    await res.text();
    await repliesSettled();
    const deadline = performance.now() + 5000;
    while (arrived.length < TOKENS && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    if (arrived.length !== TOKENS || received.length !== TOKENS) incomplete += 1;
    if (run < 0) continue;
    hubFirstToken.push(arrived[0]! - posted);
    for (let i = 0; i < Math.min(arrived.length, received.length); i++) {
      added.push(arrived[i]! - received[i]!);
      endToEnd.push(arrived[i]! - written[i]!);
      sdkLeg.push(received[i]! - written[i]!);
    }
  }

  // The baseline: the same SDK calling the model server directly, request to first token.
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

  const hubAdded = summarize(added);
  report({ bench: 'agents', path: 'hub added: SDK delta -> member socket', ...hubAdded });
  report({ bench: 'agents', path: 'model server write -> hub SDK delta', ...summarize(sdkLeg) });
  report({ bench: 'agents', path: 'model server write -> member socket', ...summarize(endToEnd) });
  const hubTtft = summarize(hubFirstToken);
  const directTtft = summarize(directFirstToken);
  report({ bench: 'agents', path: 'time to first token: POST -> member socket', ...hubTtft });
  report({ bench: 'agents', path: 'time to first token: SDK direct', ...directTtft });
  report({ bench: 'agents', ttft_overhead_p50_ms: Math.round((hubTtft.p50_ms - directTtft.p50_ms) * 1000) / 1000, ttft_overhead_p99_ms: Math.round((hubTtft.p99_ms - directTtft.p99_ms) * 1000) / 1000 });
  report({ bench: 'agents', replies_with_missing_tokens: incomplete });
  report({ bench: 'agents', goal: 'added p50 under 1 ms', value: hubAdded.p50_ms, met: hubAdded.p50_ms < 1 });
  report({ bench: 'agents', goal: 'added p99 under 5 ms', value: hubAdded.p99_ms, met: hubAdded.p99_ms < 5 });

  socket.close();
  setModelProvider(undefined);
  await model.close();
  await hub.close();
}

runBench(main);
