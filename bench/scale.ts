/*
 * pnpm bench:scale — the hub scaled out as README "Deploying" describes it: two Next.js processes
 * (`pnpm start`, after `pnpm build`) and two standalone realtime nodes (`pnpm start:realtime`) on
 * one Postgres (a scratch database of DATABASE_URL's server, dropped at the end) and one Redis
 * (REDIS_URL, on database index BENCH_REDIS_DB, default 9). BENCH_MEMBERS members (1,000) in
 * BENCH_CHANNELS channels (10), each channel's members spread over both nodes; messages POSTed at
 * BENCH_RATE per second (200) for BENCH_SECONDS (10), alternating between the Next.js processes
 * and round the channels. Every member's receipts are checked: each message of its channel exactly
 * once, nothing of another channel. Prints POST -> receipt p50/p99, the missing and duplicated
 * deliveries, and each process's peak RSS and CPU; exits 1 if any POST failed or any delivery was
 * lost, doubled or reached another channel.
 *
 * The members are socket.io-client connections in BENCH_MEMBER_PROCESSES (2) child processes of
 * their own, as browsers would be. Each Next.js process also carries the realtime node `pnpm start`
 * embeds; no member connects to it, but its adapter hears every broadcast, as in production.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSession } from '@/lib/auth/sessions';
import { setDatabase } from '@/lib/db';
import { openDatabase } from '@/lib/db/client';
import { channelMembers, channels, users } from '@/lib/db/schema';
import { resetEnv } from '@/lib/env';
import { newId } from '@/lib/ids';
import { signRealtimeToken } from '@/lib/realtime/token';
import { createScratchDatabase } from '../tests/helpers/database';
import { hasBuild, startHub, startRealtimeProcess, treeCpuSeconds, treeRss } from './production-hub';
import type { Member, MemberCheck, MembersCommand } from './scale-members';
import { report, runBench, summarize } from './stats';

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 1000);
const CHANNELS = Number(process.env.BENCH_CHANNELS ?? 10);
const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const MEMBER_PROCESSES = Number(process.env.BENCH_MEMBER_PROCESSES ?? 2);
const REDIS_DB = Number(process.env.BENCH_REDIS_DB ?? 9);
const PORTS = { next: [3331, 3332], realtime: [3333, 3334] };
const COUNT = RATE * SECONDS;
/** How long receipts may take to stop arriving after the last POST was answered. */
const DRAIN_MS = 60_000;

type Watched = { name: string; pid: number; tree: boolean; peakRss: number; cpuStart: number; lastCpu: number; lastAt: number; peakCpu: number };

// The bench's own process is measured alone: its tree holds every other process here.
const rssOf = (w: Watched) => (w.tree ? treeRss(w.pid) : [process.memoryUsage.rss()]);
const cpuOf = (w: Watched) => (w.tree ? treeCpuSeconds(w.pid) : (process.cpuUsage().user + process.cpuUsage().system) / 1e6);

/** Peak RSS (the process tree's total) and CPU (average and busiest second, % of one core) of each process. */
function watch(processes: { name: string; pid: number; tree?: boolean }[]) {
  const watched: Watched[] = processes.map(({ name, pid, tree = true }) => ({ name, pid, tree, peakRss: 0, cpuStart: 0, lastCpu: 0, lastAt: 0, peakCpu: 0 }));
  const rssSampler = setInterval(() => {
    for (const w of watched) w.peakRss = Math.max(w.peakRss, rssOf(w).reduce((a, b) => a + b, 0));
  }, 100);
  const cpuSampler = setInterval(() => {
    const at = performance.now();
    for (const w of watched) {
      const cpu = cpuOf(w);
      w.peakCpu = Math.max(w.peakCpu, ((cpu - w.lastCpu) / ((at - w.lastAt) / 1000)) * 100);
      w.lastCpu = cpu;
      w.lastAt = at;
    }
  }, 1000);
  const started = performance.now();
  for (const w of watched) {
    w.cpuStart = w.lastCpu = cpuOf(w);
    w.lastAt = started;
  }
  return () => {
    clearInterval(rssSampler);
    clearInterval(cpuSampler);
    const seconds = (performance.now() - started) / 1000;
    return watched.map((w) => ({
      process: w.name,
      peak_rss_mb: Math.round(w.peakRss / 1024 / 1024),
      cpu_avg_pct: Math.round(((cpuOf(w) - w.cpuStart) / seconds) * 100),
      cpu_peak_1s_pct: Math.round(w.peakCpu),
    }));
  };
}

/** The members and posters, written straight into the database (no sign-up: argon2 for 1,000 people is minutes). */
async function seed(url: string) {
  const handle = await openDatabase({ kind: 'postgres', url, max: 5 });
  await handle.migrate();
  setDatabase(handle);
  const people = Array.from({ length: MEMBERS }, (_, i) => ({ id: newId(), name: `Member ${i}`, email: `scale-${i}@example.com` }));
  const rooms = Array.from({ length: CHANNELS }, (_, c) => ({ id: newId(), name: `scale-${c}`, ownerId: people[c]!.id }));
  for (let i = 0; i < people.length; i += 500) await handle.db.insert(users).values(people.slice(i, i + 500));
  await handle.db.insert(channels).values(rooms);
  const memberships = people.map((person, i) => ({ id: newId(), channelId: rooms[i % CHANNELS]!.id, kind: 'user' as const, userId: person.id }));
  for (let i = 0; i < memberships.length; i += 500) await handle.db.insert(channelMembers).values(memberships.slice(i, i + 500));
  // Each channel's owner (member c, in channel c) posts its messages.
  const cookies = await Promise.all(rooms.map(async (room) => `nc_session=${(await createSession({ userId: room.ownerId })).token}`));
  const tokens = await Promise.all(people.map((person) => signRealtimeToken(person)));
  setDatabase(undefined);
  await handle.close();
  return { people, rooms, cookies, tokens };
}

/** A child process of members, spoken to one request and one answer at a time. */
function membersProcess() {
  const child = fork(path.join(__dirname, 'scale-members.ts'), { execArgv: ['--import', 'tsx'], stdio: 'inherit', serialization: 'advanced' });
  const ask = <T>(command: MembersCommand) =>
    new Promise<T>((resolve, reject) => {
      child.once('message', (reply: T & { error?: string }) => (reply.error ? reject(new Error(reply.error)) : resolve(reply)));
      child.send(command);
    });
  return { child, ask };
}

/** Fires `send(i)` COUNT times at RATE per second on a fixed schedule (open loop), then waits for all. */
async function paced(send: (index: number) => Promise<void>) {
  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < COUNT; i++) {
    const wait = start + (i * 1000) / RATE - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(send(i));
  }
  await Promise.all(inFlight);
}

/** Waits until every expected receipt has arrived, or none has for a while (then some are missing). */
async function drain(count: () => Promise<number>, expected: number) {
  const deadline = Date.now() + DRAIN_MS;
  let last = -1;
  let still = 0;
  while (Date.now() < deadline) {
    const now = await count();
    if (now >= expected) break;
    // A loaded machine can stall a node for seconds: give up only after 10 s without a receipt.
    still = now === last ? still + 1 : 0;
    if (still >= 50) break;
    last = now;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  // Duplicates can land after the last expected receipt: give them a moment to show up.
  await new Promise((resolve) => setTimeout(resolve, 500));
}

/** The members in one channel must all have seen its messages in one order (informational: API.md does not promise it). */
function disagreeingOnOrder(orders: [number, string][]): number {
  const byChannel = new Map<number, Map<string, number>>();
  for (const [channel, digest] of orders) {
    const digests = byChannel.get(channel) ?? new Map<string, number>();
    digests.set(digest, (digests.get(digest) ?? 0) + 1);
    byChannel.set(channel, digests);
  }
  let disagreeing = 0;
  for (const digests of byChannel.values()) disagreeing += [...digests.values()].reduce((a, b) => a + b, 0) - Math.max(...digests.values());
  return disagreeing;
}

function redisUrlWithDb(url: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${REDIS_DB}`;
  return parsed.toString();
}

async function main() {
  const { DATABASE_URL, REDIS_URL } = process.env;
  if (!DATABASE_URL || !REDIS_URL) {
    throw new Error('bench:scale runs several processes on one Postgres and one Redis: set DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres) and REDIS_URL (e.g. redis://127.0.0.1:6379).');
  }
  if (!hasBuild()) throw new Error('Run pnpm build first: this measures the production server.');
  if (MEMBERS < CHANNELS * 2) throw new Error('BENCH_MEMBERS must be at least twice BENCH_CHANNELS (each channel on both nodes).');
  const secret = randomBytes(32).toString('hex');
  process.env.REALTIME_SECRET = secret;
  resetEnv();

  const scratch = await createScratchDatabase('nc_bench_scale');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nc-bench-scale-'));
  const cleanup: (() => Promise<unknown>)[] = [() => scratch.drop(), async () => fs.rmSync(dir, { recursive: true, force: true })];
  const cleanUp = async () => {
    for (const step of cleanup.splice(0).reverse()) await step().catch((error: unknown) => console.error(error));
  };
  // Stopped early (Ctrl-C, a timeout): the processes started here and the scratch database go too.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanUp().finally(() => process.exit(1)));
  try {
    await run(scratch.url, redisUrlWithDb(REDIS_URL), secret, dir, cleanup);
  } finally {
    await cleanUp();
  }
}

async function run(databaseUrl: string, redisUrl: string, secret: string, dir: string, cleanup: (() => Promise<unknown>)[]) {
  report({ bench: 'scale', setup: { next_processes: 2, realtime_nodes: 2, members: MEMBERS, channels: CHANNELS, members_per_channel: MEMBERS / CHANNELS, rate_per_s: RATE, seconds: SECONDS, messages: COUNT, expected_deliveries: COUNT * (MEMBERS / CHANNELS), member_processes: MEMBER_PROCESSES, redis_db: REDIS_DB, cpus: os.cpus().length, load_average_1m: os.loadavg()[0] } });
  const { people, rooms, cookies, tokens } = await seed(databaseUrl);
  const env = { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, REALTIME_SECRET: secret, SEND_RATE_LIMIT_MESSAGES: '100000', RETENTION_INTERVAL_MINUTES: '0' };

  const nexts = await Promise.all(PORTS.next.map((port, n) => startHub(path.join(dir, `next-${n}`), { port, env })));
  cleanup.push(...nexts.map((hub) => () => hub.close()));
  const nodes = await Promise.all(PORTS.realtime.map((port) => startRealtimeProcess({ port, env })));
  cleanup.push(...nodes.map((node) => () => node.close()));
  const children = Array.from({ length: MEMBER_PROCESSES }, membersProcess);
  cleanup.push(...children.map(({ child }) => async () => killed(child)));

  // Each Next.js process loads the message route and connects to Redis on its first requests: not measured.
  for (const hub of nexts) for (const [c, room] of rooms.entries()) await post(hub.base, room.id, cookies[c]!, 'warm-up');

  // Member i is in channel i % CHANNELS; each channel's members alternate between the nodes.
  const members: Member[] = people.map((_, i) => ({ token: tokens[i]!, channel: i % CHANNELS, channelId: rooms[i % CHANNELS]!.id, url: nodes[Math.floor(i / CHANNELS) % 2]!.url }));
  console.error(`[scale] ${MEMBERS} members connecting`);
  const connectStarted = performance.now();
  await Promise.all(children.map(({ ask }, k) => ask({ connect: members.filter((_, i) => i % MEMBER_PROCESSES === k), concurrency: 25 })));
  report({ bench: 'scale', connected: MEMBERS, connect_s: Math.round((performance.now() - connectStarted) / 100) / 10 });
  // The Next.js processes' Redis connects in the background; presence announcements of the joins settle.
  await new Promise((resolve) => setTimeout(resolve, 2000));

  const stop = watch([
    ...nexts.map((hub, n) => ({ name: `next-${n + 1}`, pid: hub.child.pid! })),
    ...nodes.map((node, n) => ({ name: `realtime-${n + 1}`, pid: node.child.pid! })),
    ...children.map(({ child }, n) => ({ name: `members-${n + 1}`, pid: child.pid! })),
    { name: 'bench (poster)', pid: process.pid, tree: false },
  ]);
  console.error(`[scale] sending ${COUNT} messages`);
  const postedAt = new Float64Array(COUNT);
  const postMs: number[] = [];
  let failed = 0;
  const sendStarted = performance.now();
  await paced(async (i) => {
    const hub = nexts[Math.floor(i / CHANNELS) % 2]!;
    const started = performance.now();
    postedAt[i] = performance.timeOrigin + started;
    if ((await post(hub.base, rooms[i % CHANNELS]!.id, cookies[i % CHANNELS]!, `scale ${i}`)) !== 201) failed += 1;
    postMs.push(performance.now() - started);
  });
  const sendSeconds = (performance.now() - sendStarted) / 1000;
  const expected = COUNT * (MEMBERS / CHANNELS);
  console.error(`[scale] sent in ${Math.round(sendSeconds)} s; waiting for the last receipts`);
  await drain(async () => (await Promise.all(children.map(({ ask }) => ask<{ receipts: number }>({ count: true })))).reduce((a, b) => a + b.receipts, 0), expected);
  const usage = stop();
  // Other work on the machine shares its cores: the figures mean little without it.
  report({ bench: 'scale', load_average_1m_after: os.loadavg()[0] });

  const checks = (await Promise.all(children.map(({ ask }) => ask<{ check: MemberCheck }>({ check: { postedAt, channels: CHANNELS, messages: COUNT } })))).map((reply) => reply.check);
  const sum = (key: 'disconnects' | 'receipts' | 'missing' | 'duplicates' | 'foreign' | 'outOfIdOrder') => checks.reduce((total, check) => total + check[key], 0);
  const latencies = checks.flatMap((check) => Array.from(check.latencies));
  report({ bench: 'scale', path: 'POST response time', failed, retried, achieved_rate_per_s: Math.round(COUNT / sendSeconds), ...summarize(postMs) });
  report({ bench: 'scale', path: 'POST -> receipt at every member', expected, receipts: sum('receipts'), missing: sum('missing'), duplicates: sum('duplicates'), foreign: sum('foreign'), member_disconnects: sum('disconnects'), ...summarize(latencies) });
  const missingAt = new Uint32Array(COUNT);
  for (const check of checks) check.missingAt.forEach((n, index) => (missingAt[index]! += n));
  const perChannel = MEMBERS / CHANNELS;
  const lost = [...missingAt.entries()].filter(([, n]) => n > 0);
  report({ bench: 'scale', messages_missing_at_every_member: lost.filter(([, n]) => n === perChannel).length, messages_missing_at_some_members: lost.filter(([, n]) => n < perChannel).length, first_missing: lost.slice(0, 5).map(([index, n]) => ({ index, channel: index % CHANNELS, members: n })) });
  report({ bench: 'scale', order: 'informational', out_of_id_order: sum('outOfIdOrder'), members_disagreeing_with_their_channel_on_order: disagreeingOnOrder(checks.flatMap((check) => check.orders)) });
  for (const line of usage) report({ bench: 'scale', ...line });
  const exact = failed === 0 && sum('missing') === 0 && sum('duplicates') === 0 && sum('foreign') === 0;
  report({ bench: 'scale', goal: 'every message reaches every member of its channel exactly once', met: exact });
  if (!exact) throw new Error('bench:scale: some messages were lost, doubled or sent to the wrong room (see the counts above)');
}

/**
 * POSTs a message as the browser does, with a clientId; a connection lost before the answer is
 * retried with the same clientId (API.md: never a second copy), up to three times. Answers the status.
 */
async function post(base: string, channelId: string, cookie: string, content: string, clientId = newId()): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(`${base}/api/channels/${channelId}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, origin: base },
        body: JSON.stringify({ content, clientId }),
      });
      await res.text();
      if (attempt > 1) retried += 1;
      return res.status === 200 ? 201 : res.status;
    } catch (error) {
      if (attempt === 3) {
        console.error(`[scale] POST failed 3 times: ${error instanceof Error ? (error.cause ?? error.message) : error}`);
        return 0;
      }
    }
  }
}
let retried = 0;

async function killed(child: ChildProcess) {
  if (child.exitCode !== null) return;
  child.kill();
  await new Promise((resolve) => child.once('exit', resolve));
}

runBench(main);
