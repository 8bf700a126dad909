/*
 * pnpm bench:api — the public API's own costs. (1) Key authentication plus rate limiting per
 * request, timed in-process around the two calls every keyed route makes (p50, p99), with the key
 * cached as in steady state; (2) requests per second for GET /api/v1/agents over HTTP (16
 * concurrent clients, BENCH_SECONDS); (3) time to first token through /api/v1/chat/completions
 * (the official openai SDK against the hub) against the same SDK calling the local model server
 * directly. Uses DATABASE_URL and REDIS_URL when set.
 */
import OpenAI from 'openai';
import { createAgent } from '@/lib/agents';
import { setModelProvider } from '@/lib/ai';
import { createOpenAIProvider } from '@/lib/ai/openai';
import { signUp } from '@/lib/auth/local';
import { setCache } from '@/lib/cache';
import { setDatabase } from '@/lib/db';
import { resetEnv } from '@/lib/env';
import { authenticateRequest, createKey } from '@/lib/keys';
import { takeRequest } from '@/lib/ratelimit';
import { broadcastPublisher, setPublisher } from '@/lib/realtime/publisher';
import { startOpenAIServer } from '../tests/fixtures/openai-server';
import { openTestCache } from '../tests/helpers/cache';
import { openTestDatabase } from '../tests/helpers/database';
import { startRouteServer } from '../tests/helpers/route-server';
import { report, runBench, summarize, time } from './stats';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const RUNS = 300;

async function main() {
  // Limits no benchmark reaches (per key, per owner, the daily budget): the limiter and the
  // budget still run in full on every request.
  process.env.RATE_LIMIT_REQUESTS = '1000000';
  process.env.RATE_LIMIT_OWNER_REQUESTS = '10000000';
  process.env.AGENT_DAILY_CALLS = '0';
  process.env.AGENT_DAILY_TOKENS = '0';
  resetEnv();
  const db = await openTestDatabase(process.env.DATABASE_URL ? 'postgres' : 'pglite');
  setDatabase(db);
  const cache = await openTestCache(process.env.REDIS_URL ? 'redis' : 'memory');
  setCache(cache);
  setPublisher(broadcastPublisher(() => undefined));
  const model = await startOpenAIServer({ tokens: 20 });
  const sdkProvider = createOpenAIProvider({ apiKey: 'sk-bench', baseURL: model.baseURL, timeoutMs: 30_000 });
  setModelProvider(sdkProvider);
  const server = await startRouteServer();
  report({ bench: 'api', setup: { database: db.kind, cache: cache.kind, http_server: 'node http + the app route handlers (tests/helpers/route-server.ts)' } });

  const owner = await signUp({ name: 'Owner', email: `owner-${Date.now()}@example.com`, password: 'benchmark-password' });
  const { secret } = await createKey({ userId: owner.id, input: { name: 'bench' } });
  for (let i = 0; i < 5; i++) await createAgent({ userId: owner.id, input: { name: `Agent ${i}`, handle: `agent-${i}`, instructions: 'Answer.', model: 'fixture-model' } });
  const agent = await createAgent({ userId: owner.id, input: { name: 'Streamer', handle: 'streamer', instructions: 'Stream.', model: 'fixture-model' } });

  // 1. Authentication + rate limiting, the work keyRoute adds to every request.
  const headers = new Headers({ authorization: `Bearer ${secret}` });
  const takeOne = async () => {
    const caller = await authenticateRequest(headers);
    return takeRequest(caller.keyId, { ownerId: caller.user.id });
  };
  for (let i = 0; i < 50; i++) await takeOne();
  const overhead: number[] = [];
  for (let i = 0; i < 2000; i++) overhead.push(await time(takeOne));
  const auth = summarize(overhead);
  report({ bench: 'api', path: 'key authentication + rate limit per request', ...auth });

  // 2. Throughput of GET /api/v1/agents over HTTP.
  const url = `${server.url}/api/v1/agents`;
  const get = async () => {
    const res = await fetch(url, { headers: { authorization: `Bearer ${secret}` } });
    if (res.status !== 200) throw new Error(`GET /api/v1/agents: ${res.status}`);
    await res.arrayBuffer();
  };
  for (let i = 0; i < 50; i++) await get();
  const latencies: number[] = [];
  const deadline = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (performance.now() < deadline) latencies.push(await time(get));
    }),
  );
  report({ bench: 'api', path: 'GET /api/v1/agents over HTTP, 16 concurrent', requests_per_s: Math.round(latencies.length / SECONDS), ...summarize(latencies) });

  // 3. Time to first token: the OpenAI SDK through the hub vs straight to the model server.
  const viaHub = new OpenAI({ apiKey: secret, baseURL: `${server.url}/api/v1`, maxRetries: 0 });
  const direct = new OpenAI({ apiKey: 'sk-bench', baseURL: model.baseURL, maxRetries: 0 });
  const firstToken = async (client: OpenAI, modelName: string) => {
    const started = performance.now();
    const stream = await client.chat.completions.create({ model: modelName, messages: [{ role: 'user', content: 'hi' }], stream: true });
    let at = 0;
    for await (const chunk of stream) {
      if (!at && chunk.choices[0]?.delta?.content) at = performance.now() - started;
    }
    return at;
  };
  const hubTtft: number[] = [];
  const directTtft: number[] = [];
  for (let i = -10; i < RUNS; i++) {
    const viaHubMs = await firstToken(viaHub, `agent:${agent.id}`);
    const directMs = await firstToken(direct, 'fixture-model');
    if (i >= 0) {
      hubTtft.push(viaHubMs);
      directTtft.push(directMs);
    }
  }
  const hub = summarize(hubTtft);
  const straight = summarize(directTtft);
  report({ bench: 'api', path: 'time to first token: SDK -> /api/v1/chat/completions -> model server', ...hub });
  report({ bench: 'api', path: 'time to first token: SDK -> model server directly', ...straight });
  const added = Math.round((hub.p50_ms - straight.p50_ms) * 1000) / 1000;
  report({ bench: 'api', ttft_added_p50_ms: added, ttft_added_p99_ms: Math.round((hub.p99_ms - straight.p99_ms) * 1000) / 1000 });
  report({ bench: 'api', goal: 'auth + rate limit under 2 ms at p50', value: auth.p50_ms, met: auth.p50_ms < 2 });
  report({ bench: 'api', goal: 'time to first token added under 2 ms at p50', value: added, met: added < 2 });

  setModelProvider(undefined);
  await server.close();
  await model.close();
  await cache.close();
  await db.close();
}

runBench(main);
