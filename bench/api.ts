/*
 * pnpm bench:api — the public API's own costs. (1) Key authentication plus rate limiting per
 * request, timed in-process around the two calls every keyed route makes (p50, p99), with the key
 * cached as in steady state; (2) requests per second for GET /api/v1/agents over HTTP (16
 * concurrent clients, BENCH_SECONDS); (3) time to first token through /api/v1/chat/completions
 * (the official openai SDK against the hub) against the same SDK calling the local model server
 * directly. Uses DATABASE_URL and REDIS_URL when set.
 *
 * (2) and (3) also run against the production server first (`pnpm build`; bench/production-hub.ts),
 * on embedded PGlite and, with DATABASE_URL and REDIS_URL set, on a scratch Postgres database +
 * Redis; BENCH_SERVER=production or harness runs one of them.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HttpSession, onEachProductionBackend, startHub } from './production-hub';
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
const RUNS = Number(process.env.BENCH_RUNS ?? 300);
const PORT = Number(process.env.BENCH_PORT ?? 3325);

type Model = Awaited<ReturnType<typeof startOpenAIServer>>;

/** (2) and (3) against a hub at `base`: GET /api/v1/agents throughput, and TTFT through the API against the model server direct. */
async function overHttp(server: string, base: string, secret: string, agentId: string, model: Model) {
  const url = `${base}/api/v1/agents`;
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
  report({ bench: 'api', server, path: 'GET /api/v1/agents over HTTP, 16 concurrent', requests_per_s: Math.round(latencies.length / SECONDS), ...summarize(latencies) });

  // Time to first token: the OpenAI SDK through the hub vs straight to the model server, interleaved.
  const viaHub = new OpenAI({ apiKey: secret, baseURL: `${base}/api/v1`, maxRetries: 0 });
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
    const viaHubMs = await firstToken(viaHub, `agent:${agentId}`);
    const directMs = await firstToken(direct, 'fixture-model');
    if (i >= 0) {
      hubTtft.push(viaHubMs);
      directTtft.push(directMs);
    }
  }
  const hub = summarize(hubTtft);
  const straight = summarize(directTtft);
  report({ bench: 'api', server, path: 'time to first token: SDK -> /api/v1/chat/completions -> model server', ...hub });
  report({ bench: 'api', server, path: 'time to first token: SDK -> model server directly', ...straight });
  const added = Math.round((hub.p50_ms - straight.p50_ms) * 1000) / 1000;
  report({ bench: 'api', server, ttft_added_p50_ms: added, ttft_added_p99_ms: Math.round((hub.p99_ms - straight.p99_ms) * 1000) / 1000 });
  report({ bench: 'api', server, goal: 'time to first token added under 2 ms at p50', value: added, met: added < 2 });
}

/** The production server as users run it, set up over HTTP only (an owner, a key, six agents), its model the local test server. */
async function onProductionServer(name: string, env: Record<string, string>, model: Model) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nc-bench-api-'));
  const hub = await startHub(dir, {
    port: PORT,
    env: { OPENAI_API_KEY: 'sk-bench', OPENAI_BASE_URL: model.baseURL, RATE_LIMIT_REQUESTS: '1000000', RATE_LIMIT_OWNER_REQUESTS: '10000000', AGENT_DAILY_CALLS: '0', AGENT_DAILY_TOKENS: '0', ...env },
  });
  try {
    const owner = new HttpSession(hub.base);
    await owner.request('POST', '/api/auth/sign-up', { name: 'Owner', email: `owner-${Date.now()}-${randomBytes(3).toString('hex')}@example.com`, password: 'benchmark-password' });
    const { secret } = await owner.request('POST', '/api/keys', { name: 'bench' });
    for (let i = 0; i < 5; i++) await owner.request('POST', '/api/agents', { name: `Agent ${i}`, handle: `agent-${i}`, instructions: 'Answer.', model: 'fixture-model' });
    const { agent } = await owner.request('POST', '/api/agents', { name: 'Streamer', handle: 'streamer', instructions: 'Stream.', model: 'fixture-model' });
    report({ bench: 'api', server: name, setup: { database: env.DATABASE_URL ? 'postgres' : 'pglite', cache: env.REDIS_URL ? 'redis' : 'memory', http_server: 'server/main.ts (Next.js production)' } });
    await overHttp(name, hub.base, secret, agent.id, model);
  } finally {
    await hub.close();
  }
}

async function production(model: Model) {
  await onEachProductionBackend((name, env) => onProductionServer(name, env, model));
}

async function main() {
  const model = await startOpenAIServer({ tokens: 20 });
  const only = process.env.BENCH_SERVER;
  try {
    if (only !== 'harness') await production(model);
    if (only !== 'production') await harness(model);
  } finally {
    await model.close();
  }
}

async function harness(model: Model) {
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
  const sdkProvider = createOpenAIProvider({ apiKey: 'sk-bench', baseURL: model.baseURL, timeoutMs: 30_000 });
  setModelProvider(sdkProvider);
  const server = await startRouteServer();
  const name = `harness (route handlers in process), ${db.kind} + ${cache.kind}`;
  report({ bench: 'api', server: name, setup: { database: db.kind, cache: cache.kind, http_server: 'node http + the app route handlers (tests/helpers/route-server.ts)' } });

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

  report({ bench: 'api', server: name, path: 'key authentication + rate limit per request', ...auth });
  await overHttp(name, server.url, secret, agent.id, model);
  report({ bench: 'api', server: name, goal: 'auth + rate limit under 2 ms at p50', value: auth.p50_ms, met: auth.p50_ms < 2 });

  setModelProvider(undefined);
  await server.close();
  await cache.close();
  await db.close();
}

runBench(main);
