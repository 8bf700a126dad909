/*
 * Thread pages (GET .../messages?threadId=), cache HIT against MISS, over HTTP. Against the test
 * harness (route handlers in process, on the Postgres and Redis named by DATABASE_URL and
 * REDIS_URL, else embedded PGlite and the in-process cache): a MISS is made by evicting the
 * thread's window. Against the production server (`pnpm start`, after `pnpm build`; skipped
 * without a build, or with BENCH_SERVER=harness): its cache is in its own process, so a MISS is
 * made the way a member makes one, by editing a reply (untimed) before the read. Prints JSON lines.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSession } from '@/lib/auth/sessions';
import { signUp } from '@/lib/auth/local';
import { setCache } from '@/lib/cache';
import { cacheKeys } from '@/lib/cache/channel-cache';
import { createChannel } from '@/lib/channels';
import { setDatabase } from '@/lib/db';
import { sendMessage } from '@/lib/messages';
import { openTestCache } from '../tests/helpers/cache';
import { openTestDatabase } from '../tests/helpers/database';
import { startRouteServer } from '../tests/helpers/route-server';
import { liftLimitsForBench } from './hub';
import { hasBuild, startHub, type HttpSession } from './production-hub';
import { report, runBench, summarize, time } from './stats';

const REPLIES = 250;
const PAGE = 50;
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 1000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 300);
const PORT = Number(process.env.BENCH_PORT ?? 3291);
const filler = 'lorem ipsum '.repeat(8);

type Target = { label: string; get: () => Promise<Response>; makeMiss: () => Promise<unknown> };

/** HIT and MISS reads alternate, so both see the same machine, JIT and GC conditions. */
async function measure({ label, get, makeMiss }: Target) {
  const samples = { HIT: [] as number[], MISS: [] as number[] };
  const read = async (outcome: 'HIT' | 'MISS') => {
    const response = await get();
    const got = response.headers.get('x-cache');
    await response.text();
    if (response.status !== 200 || got !== outcome) throw new Error(`expected 200 ${outcome}, got ${response.status} ${got}`);
  };
  await (await get()).text(); // fill the thread's window once
  for (let i = 0; i < WARMUP + ITERATIONS; i++) {
    for (const outcome of ['HIT', 'MISS'] as const) {
      if (outcome === 'MISS') await makeMiss();
      const ms = await time(() => read(outcome));
      if (i >= WARMUP) samples[outcome].push(ms);
    }
  }
  const HIT = summarize(samples.HIT);
  const MISS = summarize(samples.MISS);
  report({ bench: 'history-threads', server: label, cache: 'HIT', ...HIT });
  report({ bench: 'history-threads', server: label, cache: 'MISS', ...MISS });
  report({ bench: 'history-threads', server: label, miss_over_hit_p50: Math.round((MISS.p50_ms / HIT.p50_ms) * 100) / 100, miss_over_hit_p99: Math.round((MISS.p99_ms / HIT.p99_ms) * 100) / 100 });
}

async function harness() {
  liftLimitsForBench();
  const dbKind = process.env.DATABASE_URL ? 'postgres' : 'pglite';
  const cacheKind = process.env.REDIS_URL ? 'redis' : 'memory';
  const db = await openTestDatabase(dbKind);
  setDatabase(db);
  const cache = await openTestCache(cacheKind);
  setCache(cache);
  report({ bench: 'history-threads', setup: { server: 'harness', database: dbKind, cache: cacheKind, replies: REPLIES, page: PAGE, iterations: ITERATIONS } });
  const user = await signUp({ name: 'Bench', email: `bench-${Date.now()}@example.com`, password: 'benchmark-password' });
  const { token } = await createSession({ userId: user.id });
  const channel = await createChannel({ userId: user.id, input: { name: 'bench-threads' } });
  const { message: parent } = await sendMessage({ user, channelId: channel.id, content: 'the thread' });
  for (let i = 0; i < REPLIES; i++) await sendMessage({ user, channelId: channel.id, threadId: parent.id, content: `reply ${i} ${filler}` });
  const server = await startRouteServer();
  const url = `${server.url}/api/channels/${channel.id}/messages?threadId=${parent.id}&limit=${PAGE}`;
  try {
    await measure({
      label: `harness, ${dbKind} + ${cacheKind}`,
      get: () => fetch(url, { headers: { cookie: `nc_session=${token}` } }),
      makeMiss: () => cache.backend.del([cacheKeys.threadWindow(channel.id, parent.id)]),
    });
  } finally {
    await server.close();
    await cache.close();
    await db.close();
  }
}

async function production() {
  if (!hasBuild()) {
    report({ bench: 'history-threads', server: 'production', skipped: 'no build: run pnpm build first' });
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nc-bench-threads-'));
  const hub = await startHub(dir, { port: PORT, env: { SEND_RATE_LIMIT_MESSAGES: '100000', RATE_LIMIT_OWNER_REQUESTS: '10000000' } });
  try {
    const session: HttpSession = hub;
    await session.request('POST', '/api/auth/sign-up', { name: 'Bench', email: `bench-${Date.now()}@example.com`, password: 'benchmark-password' });
    const { channel } = await session.request('POST', '/api/channels', { name: 'bench-threads' });
    const base = `/api/channels/${channel.id}/messages`;
    const { message: parent } = await session.request('POST', base, { content: 'the thread' });
    let last = '';
    for (let i = 0; i < REPLIES; i++) last = (await session.request('POST', base, { content: `reply ${i} ${filler}`, threadId: parent.id })).message.id;
    report({ bench: 'history-threads', setup: { server: 'production (pnpm start), embedded PGlite + in-process cache', replies: REPLIES, page: PAGE, iterations: ITERATIONS } });
    const cookie = session.sessionCookie;
    let edits = 0;
    await measure({
      label: 'production, pglite + memory',
      get: () => fetch(`${hub.base}${base}?threadId=${parent.id}&limit=${PAGE}`, { headers: { cookie } }),
      // An edit of a reply drops the thread's window, as it does for any member.
      makeMiss: () => session.request('PATCH', `${base}/${last}`, { content: `reply edited ${++edits} ${filler}` }),
    });
  } finally {
    await hub.close();
  }
}

runBench(async () => {
  const only = process.env.BENCH_SERVER;
  if (only !== 'production') await harness();
  if (only !== 'harness') await production();
});
