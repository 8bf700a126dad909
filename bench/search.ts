/*
 * Message search latency (GET /api/search over HTTP, with a signed-in session), part of
 * `pnpm bench:history`, or alone: `tsx bench/search.ts`. On the Postgres named by DATABASE_URL it
 * seeds BENCH_SEARCH_MESSAGES (default 1,000,000) messages into a database of its own, dropped at
 * the end; on embedded PGlite, 20,000 by default. Prints JSON lines and a table.
 *
 * Two rows over the same seeded database, the same queries and the same cache kind (Redis with
 * REDIS_URL on Postgres, else in-process): the production server first (`pnpm start`, after
 * `pnpm build`; skipped without a build, or on PGlite, whose database lives in this process),
 * then the test harness (route handlers in this process). BENCH_SERVER=production or harness runs one.
 *
 * The seed is one INSERT ... SELECT generate_series: UUIDv7-shaped ids made in SQL in time order
 * over a year, spread across BENCH_SEARCH_CHANNELS channels (the caller in one of five), text drawn
 * from a vocabulary with a long tail (word k about as frequent as 1/k), so there are words in most
 * messages and words in a handful.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { signUp } from '@/lib/auth/local';
import { setCache } from '@/lib/cache';
import { setDatabase, type Database } from '@/lib/db';
import { rowsOf } from '@/lib/db/rows';
import { cacheKindFor, openTestCache } from '../tests/helpers/cache';
import postgres from 'postgres';
import { openDatabase, type DatabaseHandle } from '@/lib/db/client';
import { openTestDatabase } from '../tests/helpers/database';
import { startRouteServer } from '../tests/helpers/route-server';
import { liftLimitsForBench } from './hub';
import { hasBuild, HttpSession, startHub } from './production-hub';
import { report, runBench, summarize, time } from './stats';

const onPostgres = Boolean(process.env.DATABASE_URL);
const dbKind = onPostgres ? 'postgres' : 'pglite';
const cacheKind = cacheKindFor(dbKind);
const MESSAGES = Number(process.env.BENCH_SEARCH_MESSAGES ?? (onPostgres ? 1_000_000 : 20_000));
const CHANNELS = Number(process.env.BENCH_SEARCH_CHANNELS ?? 200);
const PEOPLE = 50;
const ITERATIONS = Number(process.env.BENCH_SEARCH_ITERATIONS ?? 200);
const WARMUP = Number(process.env.BENCH_SEARCH_WARMUP ?? 20);
const PORT = Number(process.env.BENCH_PORT ?? 3292);
const PASSWORD = 'benchmark-password';

// Common words first: with the 1/k draw, "deploy" is in about half the messages.
const COMMON = 'deploy meeting review release customer ticket budget design server metrics incident roadmap launch invoice schedule feedback sprint report update question'.split(' ');
const SYLLABLES = 'ka lo mi ne ru sa ti vo ze pa qu be do fi gu'.split(' ');
/** The long tail: made-up words, each rarer than the one before. */
function vocabulary(size = 4000): string[] {
  const words = [...COMMON];
  for (let i = 0; words.length < size; i++) {
    let n = i;
    let word = '';
    do {
      word += SYLLABLES[n % SYLLABLES.length];
      n = Math.floor(n / SYLLABLES.length);
    } while (n > 0);
    words.push(`${word}x`);
  }
  return words;
}

/** A database's URL on the Postgres server named by DATABASE_URL. */
function urlOf(name: string): string {
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * BENCH_SEARCH_DATABASE=<name> keeps the seeded database under that name on the Postgres server
 * and reuses it on the next run (seeding a million rows takes minutes), e.g. to EXPLAIN its plans.
 */
async function openBenchDatabase(): Promise<{ handle: DatabaseHandle; kept: boolean }> {
  const name = process.env.BENCH_SEARCH_DATABASE;
  if (!onPostgres || !name) return { handle: await openTestDatabase(dbKind), kept: false };
  if (!/^\w+$/.test(name)) throw new Error('BENCH_SEARCH_DATABASE must be a plain database name');
  const admin = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
  const exists = await admin`select 1 from pg_database where datname = ${name}`;
  if (!exists.length) await admin.unsafe(`create database ${name}`);
  await admin.end({ timeout: 5 });
  const handle = await openDatabase({ kind: 'postgres', url: urlOf(name), max: 5 });
  await handle.migrate();
  return { handle, kept: true };
}

type Shapes = Record<string, string>;
type Measured = { server: string; rows: { shape: string; results: number; p50_ms: number; p99_ms: number }[] };

export async function benchSearch() {
  liftLimitsForBench();
  const { handle, kept } = await openBenchDatabase();
  setDatabase(handle);
  const cache = await openTestCache(cacheKind);
  setCache(cache);
  const db = handle.db;
  const words = vocabulary();
  try {
    report({ bench: 'search', setup: { database: dbKind, cache: cacheKind, messages: MESSAGES, channels: CHANNELS, member_of: Math.ceil(CHANNELS / 5), vocabulary: words.length } });

    const [existing] = rowsOf<{ id: string; email: string }>(await db.execute(sql`select id, email from users where email like 'search-%@example.com' limit 1`));
    const caller = existing ?? (await signUp({ name: 'Bench Searcher', email: `search-${Date.now()}@example.com`, password: PASSWORD }));
    const seedMs = existing ? 0 : await time(() => seed(db, caller.id, words));
    const count = rowsOf<{ n: string }>(await db.execute(sql`select count(*)::text as n from messages`))[0]!.n;
    report({ bench: 'search', seeded: Number(count), seed_s: Math.round(seedMs / 100) / 10 });

    const rare = words.at(-3)!;
    const shapes: Shapes = {
      'rare word': rare,
      'common word': COMMON[0]!,
      'two words': `${COMMON[2]} ${COMMON[9]}`,
      phrase: `"${COMMON[1]} ${COMMON[3]}"`,
      'common word in:#channel': `${COMMON[0]} in:#bench-5`,
      'common word from:@person': `${COMMON[0]} from:@person7`,
      'from:@person alone': 'from:@person7',
      'common word after:date': `${COMMON[4]} after:${new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10)}`,
      'rare word, no match in scope': `${words.at(-1)} ${rare}`,
    };

    const only = process.env.BENCH_SERVER;
    const measured: Measured[] = [];
    if (only !== 'harness') {
      const row = await onProductionServer(db, caller.email, shapes);
      if (row) measured.push(row);
    }
    if (only !== 'production') measured.push(await onHarness(caller.email, shapes));
    printTable(Number(count), measured);
  } finally {
    setDatabase(undefined);
    setCache(undefined);
    await cache.close();
    await handle.close();
  }
  if (kept) console.log(`kept the seeded database as ${process.env.BENCH_SEARCH_DATABASE} (drop it when done)`);
}

/** The production server (`pnpm start`) on the seeded database, over HTTP, signed in as the caller. */
async function onProductionServer(db: Database, email: string, shapes: Shapes): Promise<Measured | undefined> {
  const skipped = !onPostgres ? 'needs DATABASE_URL: the embedded PGlite seed lives in this process' : !hasBuild() ? 'no build: run pnpm build first' : undefined;
  if (skipped) {
    report({ bench: 'search', server: 'production', skipped });
    return undefined;
  }
  const { name } = rowsOf<{ name: string }>(await db.execute(sql`select current_database() as name`))[0]!;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nc-bench-search-'));
  const hub = await startHub(dir, {
    port: PORT,
    env: {
      DATABASE_URL: urlOf(name),
      // With Redis the hub requires a realtime secret (processes sharing Redis must share it).
      ...(cacheKind === 'redis' ? { REDIS_URL: process.env.REDIS_URL!, REALTIME_SECRET: randomBytes(32).toString('hex') } : {}),
      // No retention runs: they would delete the seed's messages older than RETENTION_DAYS (it spans a year).
      RETENTION_INTERVAL_MINUTES: '0',
    },
  });
  try {
    const session = await signedIn(hub.base, email);
    // The hub's Redis connects in the background: a request that finds it still connecting marks
    // the cache down, and the hub probes it again a second later. Measure once it is back.
    if (cacheKind === 'redis') await new Promise((resolve) => setTimeout(resolve, 2000));
    return await measure(`production, ${dbKind} + ${cacheKind}`, session, shapes);
  } finally {
    await hub.close();
  }
}

/** The test harness: the route handlers in this process, on the database and cache set above. */
async function onHarness(email: string, shapes: Shapes): Promise<Measured> {
  const server = await startRouteServer();
  try {
    return await measure(`harness, ${dbKind} + ${cacheKind}`, await signedIn(server.url, email), shapes);
  } finally {
    await server.close();
  }
}

/** A session of the caller's, made by signing in as a browser does; it carries the cookie it was given. */
async function signedIn(base: string, email: string): Promise<HttpSession> {
  const session = new HttpSession(base);
  await session.request('POST', '/api/auth/sign-in', { email, password: PASSWORD });
  return session;
}

/** Every shape, WARMUP + ITERATIONS requests one after another; one report() line each, then the goal. */
async function measure(server: string, session: HttpSession, shapes: Shapes): Promise<Measured> {
  const rows: Measured['rows'] = [];
  for (const [shape, q] of Object.entries(shapes)) {
    const route = `/api/search?${new URLSearchParams({ q, limit: '20' })}`;
    let results = 0;
    const samples: number[] = [];
    for (let i = 0; i < WARMUP + ITERATIONS; i++) {
      const ms = await time(async () => {
        const body = (await session.request('GET', route)) as { results: unknown[] };
        results = body.results.length;
      });
      if (i >= WARMUP) samples.push(ms);
    }
    const stats = summarize(samples);
    rows.push({ shape, results, p50_ms: stats.p50_ms, p99_ms: stats.p99_ms });
    report({ bench: 'search', server, layer: 'http', shape, q, results, ...stats });
  }
  const worst = Math.max(...rows.map((row) => row.p50_ms));
  report({ bench: 'search', server, goal: 'every shape p50 under 30 ms', value: worst, met: worst < 30 });
  return { server, rows };
}

/** One line per shape, a p50 / p99 column per server measured. */
function printTable(count: number, measured: Measured[]) {
  if (!measured.length) return;
  const cell = (text: string) => text.padStart(28);
  console.log(`\nsearch over ${count.toLocaleString('en')} messages (${dbKind} + ${cacheKind}), ${ITERATIONS} requests each, limit 20, p50 / p99 ms`);
  console.log(`${'shape'.padEnd(30)} ${'results'.padStart(7)} ${measured.map((m) => cell(m.server)).join(' ')}`);
  measured[0]!.rows.forEach(({ shape }, i) => {
    const results = [...new Set(measured.map((m) => m.rows[i]!.results))].join('/');
    const cells = measured.map((m) => cell(`${m.rows[i]!.p50_ms.toFixed(2)} / ${m.rows[i]!.p99_ms.toFixed(2)}`));
    console.log(`${shape.padEnd(30)} ${results.padStart(7)} ${cells.join(' ')}`);
  });
}

/**
 * People, channels and memberships, then the messages in one statement. The messages' indexes
 * are dropped for the load and built again after it, with their own definitions, which is several
 * times faster than updating the GIN index row by row.
 */
async function seed(db: Database, callerId: string, words: string[]) {
  await db.execute(sql`
    insert into users (id, name, email)
    select gen_random_uuid(), 'person' || g, 'person' || g || '@bench.example' from generate_series(1, ${PEOPLE}) g`);
  await db.execute(sql`
    insert into channels (id, name, owner_id)
    select gen_random_uuid(), 'bench-' || g, ${callerId} from generate_series(1, ${CHANNELS}) g`);
  // The caller is in every fifth channel; everyone else in every channel (authors must be members).
  await db.execute(sql`
    insert into channel_members (id, channel_id, kind, user_id)
    select gen_random_uuid(), c.id, 'user', u.id
    from channels c cross join users u
    where u.id <> ${callerId} or split_part(c.name, '-', 2)::int % 5 = 0`);

  const indexes = rowsOf<{ indexname: string; indexdef: string }>(
    await db.execute(sql`select indexname, indexdef from pg_indexes where tablename = 'messages' and indexname not like '%pkey' and indexdef not like 'CREATE UNIQUE%'`),
  );
  for (const index of indexes) await db.execute(sql.raw(`drop index ${index.indexname}`));

  const start = Date.now() - 365 * 86_400_000;
  const stepMs = (365 * 86_400_000) / MESSAGES;
  // A failure is reported by its cause alone: the error of a query prints its parameters, the whole vocabulary.
  const plainly = (error: unknown) => {
    throw new Error(`seeding failed: ${(error as { cause?: Error }).cause?.message ?? String(error)}`);
  };
  await db.execute(sql`
    with vocab as (select ${sql.param(words)}::text[] as w),
      chans as (select array_agg(id order by id) as ids from channels),
      people as (select array_agg(id order by id) as ids from users where email like '%@bench.example'),
      rows as (
        select g, (${start}::float8 + g * ${stepMs}::float8)::bigint as ms, md5(g::text) as r from generate_series(1, ${MESSAGES}) g
      )
    insert into messages (id, channel_id, author_kind, author_user_id, content, created_at)
    select
      (substr(lpad(to_hex(rows.ms), 12, '0'), 1, 8) || '-' || substr(lpad(to_hex(rows.ms), 12, '0'), 9, 4) || '-7' || substr(r, 1, 3) || '-8' || substr(r, 4, 3) || '-' || substr(r, 7, 12))::uuid,
      chans.ids[1 + (g::bigint * 7919) % array_length(chans.ids, 1)],
      'user',
      people.ids[1 + (g::bigint * 31) % array_length(people.ids, 1)],
      (select string_agg(v.w[least(array_length(v.w, 1), floor(power(array_length(v.w, 1), random()))::int)], ' ') from vocab v, generate_series(1, 6 + (g % 15))),
      to_timestamp(rows.ms / 1000.0)
    from rows, chans, people`).catch(plainly);

  if (onPostgres) await db.execute(sql`set maintenance_work_mem = '1GB'`);
  for (const index of indexes) await db.execute(sql.raw(index.indexdef));
  await db.execute(sql`analyze`);
}

if (process.argv[1]?.endsWith('search.ts')) runBench(benchSearch);
