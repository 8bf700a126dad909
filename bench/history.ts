/*
 * pnpm bench:history — GET history latency, cache HIT against MISS, at the route handler and end
 * to end over HTTP, on the Postgres and Redis named by DATABASE_URL and REDIS_URL (embedded
 * PGlite and the in-process cache when they are unset), then message search (bench/search.ts). Prints JSON lines.
 */
import { NextRequest } from 'next/server';
import { GET } from '@/app/api/channels/[channelId]/messages/route';
import { createSession } from '@/lib/auth/sessions';
import { signUp } from '@/lib/auth/local';
import { setCache } from '@/lib/cache';
import { cacheKeys } from '@/lib/cache/channel-cache';
import { createChannel } from '@/lib/channels';
import { setDatabase } from '@/lib/db';
import { sendMessage } from '@/lib/messages';
import { openTestCache } from '../tests/helpers/cache';
import { liftLimitsForBench } from './hub';
import { openTestDatabase } from '../tests/helpers/database';
import { startRouteServer } from '../tests/helpers/route-server';
import { report, runBench, summarize, time } from './stats';
import { benchSearch } from './search';

const MESSAGES = 250;
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 2000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1000);

async function main() {
  liftLimitsForBench();
  const dbKind = process.env.DATABASE_URL ? 'postgres' : 'pglite';
  const cacheKind = process.env.REDIS_URL ? 'redis' : 'memory';
  const db = await openTestDatabase(dbKind);
  setDatabase(db);
  const cache = await openTestCache(cacheKind);
  setCache(cache);
  report({ bench: 'history', setup: { database: dbKind, cache: cacheKind, messages: MESSAGES, iterations: ITERATIONS, page: 50 } });

  const user = await signUp({ name: 'Bench', email: `bench-${Date.now()}@example.com`, password: 'benchmark-password' });
  const { token } = await createSession({ userId: user.id });
  const channel = await createChannel({ userId: user.id, input: { name: 'bench' } });
  for (let i = 0; i < MESSAGES; i++) await sendMessage({ user, channelId: channel.id, content: `message ${i} ${'lorem ipsum '.repeat(8)}` });

  const cookie = `nc_session=${token}`;
  const path = `/api/channels/${channel.id}/messages`;
  const evict = () => cache.backend.del([cacheKeys.window(channel.id)]);
  const expect = async (response: Response, outcome: string) => {
    const got = response.headers.get('x-cache');
    await response.text();
    if (response.status !== 200 || got !== outcome) throw new Error(`expected 200 ${outcome}, got ${response.status} ${got}`);
  };

  /** HIT and MISS requests alternate, so both see the same machine, JIT and GC conditions. */
  async function measure(label: string, request: () => Promise<Response>) {
    const samples = { HIT: [] as number[], MISS: [] as number[] };
    await (await request()).text(); // fill the window once
    for (let i = 0; i < WARMUP + ITERATIONS; i++) {
      for (const outcome of ['HIT', 'MISS'] as const) {
        if (outcome === 'MISS') await evict();
        const ms = await time(async () => expect(await request(), outcome));
        if (i >= WARMUP) samples[outcome].push(ms);
      }
    }
    const HIT = summarize(samples.HIT);
    const MISS = summarize(samples.MISS);
    report({ bench: 'history', layer: label, cache: 'HIT', ...HIT });
    report({ bench: 'history', layer: label, cache: 'MISS', ...MISS });
    const ratio = MISS.p50_ms / HIT.p50_ms;
    report({ bench: 'history', layer: label, miss_over_hit_p50: Math.round(ratio * 100) / 100, miss_over_hit_p99: Math.round((MISS.p99_ms / HIT.p99_ms) * 100) / 100 });
    return { HIT, MISS, ratio };
  }

  const handler = await measure('handler', () =>
    GET(new NextRequest(`http://bench.local${path}`, { headers: { cookie } }), { params: Promise.resolve({ channelId: channel.id }) }),
  );

  const server = await startRouteServer();
  const http = await measure('http', () => fetch(`${server.url}${path}`, { headers: { cookie } }));
  await server.close();

  report({ bench: 'history', goal: 'handler HIT at least 5x faster than MISS at p50', value: Math.round(handler.ratio * 100) / 100, met: handler.ratio >= 5 });
  report({ bench: 'history', goal: 'end-to-end HIT p99 under 5 ms', value: http.HIT!.p99_ms, met: http.HIT!.p99_ms < 5 });

  await cache.close();
  await db.close();

  // Search over many messages, on a database of its own (bench/search.ts).
  await benchSearch();
}

runBench(main);
