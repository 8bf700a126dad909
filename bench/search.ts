/*
 * Message search latency (GET /api/search over HTTP to the route handlers), part of
 * `pnpm bench:history`, or alone: `tsx bench/search.ts`. On the Postgres named by DATABASE_URL it
 * seeds BENCH_SEARCH_MESSAGES (default 1,000,000) messages into a database of its own, dropped at
 * the end; on embedded PGlite, 20,000 by default. Prints JSON lines and a table.
 *
 * The seed is one INSERT ... SELECT generate_series: UUIDv7-shaped ids made in SQL in time order
 * over a year, spread across BENCH_SEARCH_CHANNELS channels (the caller in one of five), text drawn
 * from a vocabulary with a long tail (word k about as frequent as 1/k), so there are words in most
 * messages and words in a handful.
 */
import { sql } from 'drizzle-orm';
import { signUp } from '@/lib/auth/local';
import { createSession } from '@/lib/auth/sessions';
import { setCache } from '@/lib/cache';
import { setDatabase, type Database } from '@/lib/db';
import { rowsOf } from '@/lib/db/rows';
import { openTestCache } from '../tests/helpers/cache';
import postgres from 'postgres';
import { openDatabase, type DatabaseHandle } from '@/lib/db/client';
import { openTestDatabase } from '../tests/helpers/database';
import { startRouteServer } from '../tests/helpers/route-server';
import { liftLimitsForBench } from './hub';
import { report, runBench, summarize, time } from './stats';

const onPostgres = Boolean(process.env.DATABASE_URL);
const MESSAGES = Number(process.env.BENCH_SEARCH_MESSAGES ?? (onPostgres ? 1_000_000 : 20_000));
const CHANNELS = Number(process.env.BENCH_SEARCH_CHANNELS ?? 200);
const PEOPLE = 50;
const ITERATIONS = Number(process.env.BENCH_SEARCH_ITERATIONS ?? 200);
const WARMUP = Number(process.env.BENCH_SEARCH_WARMUP ?? 20);

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

/**
 * BENCH_SEARCH_DATABASE=<name> keeps the seeded database under that name on the Postgres server
 * and reuses it on the next run (seeding a million rows takes minutes), e.g. to EXPLAIN its plans.
 */
async function openBenchDatabase(): Promise<{ handle: DatabaseHandle; kept: boolean }> {
  const name = process.env.BENCH_SEARCH_DATABASE;
  if (!onPostgres || !name) return { handle: await openTestDatabase(onPostgres ? 'postgres' : 'pglite'), kept: false };
  if (!/^\w+$/.test(name)) throw new Error('BENCH_SEARCH_DATABASE must be a plain database name');
  const admin = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
  const exists = await admin`select 1 from pg_database where datname = ${name}`;
  if (!exists.length) await admin.unsafe(`create database ${name}`);
  await admin.end({ timeout: 5 });
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ kind: 'postgres', url: url.toString(), max: 5 });
  await handle.migrate();
  return { handle, kept: true };
}

export async function benchSearch() {
  liftLimitsForBench();
  const { handle, kept } = await openBenchDatabase();
  setDatabase(handle);
  const cache = await openTestCache('memory');
  setCache(cache);
  const db = handle.db;
  const words = vocabulary();
  report({ bench: 'search', setup: { database: onPostgres ? 'postgres' : 'pglite', messages: MESSAGES, channels: CHANNELS, member_of: Math.ceil(CHANNELS / 5), vocabulary: words.length } });

  const [existing] = rowsOf<{ id: string }>(await db.execute(sql`select id from users where email like 'search-%@example.com' limit 1`));
  const callerId = existing?.id ?? (await signUp({ name: 'Bench Searcher', email: `search-${Date.now()}@example.com`, password: 'benchmark-password' })).id;
  const { token } = await createSession({ userId: callerId });
  const seedMs = existing ? 0 : await time(() => seed(db, callerId, words));
  const count = rowsOf<{ n: string }>(await db.execute(sql`select count(*)::text as n from messages`))[0]!.n;
  report({ bench: 'search', seeded: Number(count), seed_s: Math.round(seedMs / 100) / 10 });

  const rare = words.at(-3)!;
  const shapes: Record<string, string> = {
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

  const server = await startRouteServer();
  const cookie = `nc_session=${token}`;
  const rows: { shape: string; q: string; results: number; p50_ms: number; p99_ms: number; mean_ms: number }[] = [];
  for (const [shape, q] of Object.entries(shapes)) {
    const url = `${server.url}/api/search?${new URLSearchParams({ q, limit: '20' })}`;
    let results = 0;
    const samples: number[] = [];
    for (let i = 0; i < WARMUP + ITERATIONS; i++) {
      const ms = await time(async () => {
        const response = await fetch(url, { headers: { cookie } });
        const body = (await response.json()) as { results?: unknown[] };
        if (response.status !== 200) throw new Error(`search ${q}: ${response.status} ${JSON.stringify(body)}`);
        results = body.results!.length;
      });
      if (i >= WARMUP) samples.push(ms);
    }
    const stats = summarize(samples);
    rows.push({ shape, q, results, p50_ms: stats.p50_ms, p99_ms: stats.p99_ms, mean_ms: stats.mean_ms });
    report({ bench: 'search', layer: 'http', shape, q, results, ...stats });
  }
  await server.close();

  console.log(`\nsearch over ${Number(count).toLocaleString('en')} messages (${onPostgres ? 'postgres' : 'pglite'}), ${ITERATIONS} requests each, limit 20`);
  console.log(`${'shape'.padEnd(30)} ${'results'.padStart(7)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)}`);
  for (const row of rows) console.log(`${row.shape.padEnd(30)} ${String(row.results).padStart(7)} ${row.p50_ms.toFixed(2).padStart(8)} ${row.p99_ms.toFixed(2).padStart(8)}`);
  const worst = Math.max(...rows.map((row) => row.p50_ms));
  report({ bench: 'search', goal: 'every shape p50 under 30 ms', value: worst, met: worst < 30 });

  setDatabase(undefined);
  setCache(undefined);
  await cache.close();
  await handle.close();
  if (kept) console.log(`kept the seeded database as ${process.env.BENCH_SEARCH_DATABASE} (drop it when done)`);
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
