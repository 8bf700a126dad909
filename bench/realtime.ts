/*
 * pnpm bench:realtime — 100 members in one channel; messages POSTed through the real HTTP route
 * at 50/s for 10 s; latency from the POST to receipt at every member (p50, p99), with a raw
 * Socket.io broadcast to the same room in the same run as the baseline.
 *
 * Rows: the production server (`pnpm build` first; bench/production-hub.ts) on embedded PGlite,
 * and on a scratch Postgres database + Redis when DATABASE_URL and REDIS_URL are set; then the
 * test harness (route handlers in this process, bench/hub.ts; DATABASE_URL and REDIS_URL when
 * set, route handlers then publish through Redis to the realtime node). BENCH_SERVER=production
 * or harness runs one of them. The harness's baseline is a broadcast from the realtime node
 * itself; the production server's node is in another process, so there the baseline is a typing
 * event relayed by the node to the room (a member's socket -> node -> the other 99).
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSession } from '@/lib/auth/sessions';
import { signUp } from '@/lib/auth/local';
import { invalidateMembers } from '@/lib/cache/channel-cache';
import { createChannel } from '@/lib/channels';
import { channelMembers, users } from '@/lib/db/schema';
import { newId } from '@/lib/ids';
import { signRealtimeToken } from '@/lib/realtime/token';
import { startBenchHub } from './hub';
import { HttpSession, onEachProductionBackend, startHub } from './production-hub';
import { report, runBench, summarize } from './stats';

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 100);
const RATE = 50;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const COUNT = RATE * SECONDS;
const PORT = Number(process.env.BENCH_PORT ?? 3321);

/** What a row measures against: where to POST (as whom) and where the members connect. */
type Target = {
  server: string;
  setup: Record<string, unknown>;
  base: string;
  socketUrl: string;
  cookie: string;
  channelId: string;
  tokens: string[];
  userIds: string[];
  /** The baseline's broadcast i to the room, when this process can reach the node; otherwise the members relay typing. */
  broadcast?: (index: number) => void;
};

type Members = { ask<T>(message: object): Promise<T>; close(): void };

function startMembers(): Members {
  // The members live in their own process, like browsers: the hub's process does only the hub's work.
  const child = fork(path.join(__dirname, 'realtime-members.ts'), { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  return {
    ask: <T>(message: object) =>
      new Promise<T>((resolve) => {
        child.once('message', (reply) => resolve(reply as T));
        child.send(message);
      }),
    close: () => child.kill(),
  };
}

/** Fires `send(i)` at RATE per second on a fixed schedule (open loop), then waits for all. */
async function paced(send: (index: number) => Promise<void>) {
  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < COUNT; i++) {
    const due = start + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(send(i));
  }
  await Promise.all(inFlight);
  await new Promise((resolve) => setTimeout(resolve, 500)); // drain
}

async function measure(target: Target) {
  const { server } = target;
  report({ bench: 'realtime', server, setup: { ...target.setup, members: MEMBERS, rate_per_s: RATE, messages: COUNT } });
  const members = startMembers();
  await members.ask({ url: target.socketUrl, channelId: target.channelId, tokens: target.tokens, userIds: target.userIds });
  const collect = async () => (await members.ask<{ receipts: [number, string, number][][] }>({ collect: true })).receipts;

  /** `own(member)`: the broadcasts a member does not receive (a relay skips its sender). */
  async function analyse(label: string, sentAt: number[], { own = () => 0, ordered = true }: { own?: (member: number) => number; ordered?: boolean } = {}) {
    const latencies: number[] = [];
    let missing = 0;
    let duplicates = 0;
    let outOfOrder = 0;
    let expected = 0;
    for (const [member, seen] of (await collect()).entries()) {
      const indexes = seen.map(([index]) => index);
      expected += COUNT - own(member);
      missing += COUNT - own(member) - new Set(indexes).size;
      duplicates += indexes.length - new Set(indexes).size;
      if (ordered) for (let i = 1; i < seen.length; i++) if (seen[i]![1] <= seen[i - 1]![1]) outOfOrder += 1;
      for (const [index, , at] of seen) latencies.push(at - sentAt[index]!);
    }
    const stats = summarize(latencies);
    report({ bench: 'realtime', server, path: label, receipts: latencies.length, expected, missing, duplicates, ...(ordered ? { out_of_order: outOfOrder } : {}), ...stats });
    return { ...stats, exact: missing === 0 && duplicates === 0 && outOfOrder === 0 };
  }

  // 1. The product path: POST -> route handler -> Postgres + cache -> publish -> every member.
  // The sender has the channel open first, as in a browser (its history read fills the cached member set).
  const opened = await fetch(`${target.base}/api/channels/${target.channelId}/messages`, { headers: { cookie: target.cookie, origin: target.base } });
  if (opened.status !== 200) throw new Error(`GET history: ${opened.status}`);
  await opened.text();
  const postedAt: number[] = [];
  const postDurations: number[] = [];
  await paced(async (i) => {
    postedAt[i] = performance.timeOrigin + performance.now();
    const started = performance.now();
    const res = await fetch(`${target.base}/api/channels/${target.channelId}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: target.cookie, origin: target.base },
      body: JSON.stringify({ content: `bench ${i}` }),
    });
    if (res.status !== 201) throw new Error(`POST ${i}: ${res.status} ${await res.text()}`);
    await res.text();
    postDurations.push(performance.now() - started);
  });
  report({ bench: 'realtime', server, path: 'POST response time', ...summarize(postDurations) });
  const product = await analyse('POST through the hub', postedAt);

  // 2. The baseline, to the same room in the same run.
  let raw: Awaited<ReturnType<typeof analyse>>;
  if (target.broadcast) {
    const emittedAt: number[] = [];
    await paced(async (i) => {
      emittedAt[i] = performance.timeOrigin + performance.now();
      target.broadcast!(i);
    });
    raw = await analyse('raw Socket.io broadcast', emittedAt);
  } else {
    const { sentAt } = await members.ask<{ sentAt: number[] }>({ relay: { count: COUNT, rate: RATE } });
    const own = (member: number) => Math.ceil((COUNT - member) / MEMBERS);
    raw = await analyse('raw Socket.io broadcast (typing relayed by the node)', sentAt, { own, ordered: false });
  }
  members.close();

  report({ bench: 'realtime', server, hub_over_raw_p50: Math.round((product.p50_ms / raw.p50_ms) * 100) / 100, hub_over_raw_p99: Math.round((product.p99_ms / raw.p99_ms) * 100) / 100 });
  report({ bench: 'realtime', server, goal: 'p50 at most 2x the raw broadcast p50', value: product.p50_ms, raw_p50_ms: raw.p50_ms, met: product.p50_ms <= 2 * raw.p50_ms });
  report({ bench: 'realtime', server, goal: 'p99 under 25 ms', value: product.p99_ms, met: product.p99_ms < 25 });
  report({ bench: 'realtime', server, goal: 'every message exactly once and in order at every member', met: product.exact });
}

/** The production server as users run it, set up over HTTP only: 100 people signed up, added, given socket tokens. */
async function onProductionServer(name: string, env: Record<string, string>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nc-bench-realtime-'));
  const hub = await startHub(dir, { port: PORT, env: { SEND_RATE_LIMIT_MESSAGES: '100000', AUTH_SIGNUP_ADDRESS_LIMIT: '100000', AGENT_DAILY_CALLS: '0', AGENT_DAILY_TOKENS: '0', ...env } });
  try {
    const stamp = `${Date.now()}-${randomBytes(3).toString('hex')}`;
    const people: { session: HttpSession; email: string }[] = [];
    for (let i = 0; i < MEMBERS; i++) {
      const session = new HttpSession(hub.base);
      const email = `m${i}-${stamp}@example.com`;
      await session.request('POST', '/api/auth/sign-up', { name: i ? `Member ${i}` : 'Owner', email, password: 'benchmark-password' });
      people.push({ session, email });
    }
    const owner = people[0]!.session;
    const { channel } = await owner.request('POST', '/api/channels', { name: `realtime-${stamp}` });
    for (const { email } of people.slice(1)) await owner.request('POST', `/api/channels/${channel.id}/members`, { email });
    const tokens: string[] = [];
    const userIds: string[] = [];
    for (const { session } of people) {
      tokens.push((await session.request('POST', '/api/realtime/token')).token);
      userIds.push((await session.request('GET', '/api/me')).user.id);
    }
    await measure({
      server: name,
      setup: { database: env.DATABASE_URL ? 'postgres' : 'pglite', cache: env.REDIS_URL ? 'redis' : 'memory', publish: env.REDIS_URL ? 'redis emitter -> adapter' : 'in-process' },
      base: hub.base,
      socketUrl: hub.base,
      cookie: owner.cookie,
      channelId: channel.id,
      tokens,
      userIds,
    });
  } finally {
    await hub.close();
  }
}

async function production() {
  await onEachProductionBackend((name, env) => onProductionServer(name, env));
}

async function harness() {
  const hub = await startBenchHub();
  const { db, cache, node } = hub;
  try {
    const owner = await signUp({ name: 'Owner', email: `owner-${Date.now()}@example.com`, password: 'benchmark-password' });
    const { token } = await createSession({ userId: owner.id });
    const channel = await createChannel({ userId: owner.id, input: { name: 'realtime-bench' } });
    const others = Array.from({ length: MEMBERS - 1 }, (_, i) => ({ id: newId(), name: `Member ${i}`, email: `m${i}-${Date.now()}@example.com` }));
    await db.db.insert(users).values(others);
    await db.db.insert(channelMembers).values(others.map((u) => ({ id: newId(), channelId: channel.id, kind: 'user' as const, userId: u.id })));
    await invalidateMembers(cache, { channelId: channel.id });
    await measure({
      server: `harness (route handlers in process), ${db.kind} + ${cache.kind}`,
      setup: { database: db.kind, cache: cache.kind, publish: hub.publish },
      base: hub.server.url,
      socketUrl: node.url,
      cookie: `nc_session=${token}`,
      channelId: channel.id,
      tokens: await Promise.all([owner, ...others].map((member) => signRealtimeToken(member))),
      userIds: [owner.id, ...others.map((u) => u.id)],
      broadcast: (i) => node.io.to(`channel:${channel.id}`).emit('message:created', { message: { id: newId(), content: `raw ${i}` } as never }),
    });
  } finally {
    await hub.close();
  }
}

async function main() {
  const only = process.env.BENCH_SERVER;
  if (only !== 'harness') await production();
  if (only !== 'production') await harness();
}

runBench(main);
