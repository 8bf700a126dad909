/*
 * pnpm bench:realtime — 100 members in one channel; messages POSTed through the real HTTP route
 * at 50/s for 10 s; latency from the POST to receipt at every member (p50, p99), with a raw
 * Socket.io broadcast to the same room as the baseline. Uses DATABASE_URL and REDIS_URL when set
 * (route handlers then publish through Redis to the realtime node, as separate processes would).
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { createSession } from '@/lib/auth/sessions';
import { signUp } from '@/lib/auth/local';
import { invalidateMembers } from '@/lib/cache/channel-cache';
import { createChannel } from '@/lib/channels';
import { channelMembers, users } from '@/lib/db/schema';
import { newId } from '@/lib/ids';
import { signRealtimeToken } from '@/lib/realtime/token';
import { startBenchHub } from './hub';
import { report, runBench, summarize } from './stats';

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 100);
const RATE = 50;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const COUNT = RATE * SECONDS;


async function main() {
  const hub = await startBenchHub();
  const { db, cache, node, server } = hub;
  report({ bench: 'realtime', setup: { database: db.kind, cache: cache.kind, publish: hub.publish, members: MEMBERS, rate_per_s: RATE, messages: COUNT } });

  const owner = await signUp({ name: 'Owner', email: `owner-${Date.now()}@example.com`, password: 'benchmark-password' });
  const { token } = await createSession({ userId: owner.id });
  const channel = await createChannel({ userId: owner.id, input: { name: 'realtime-bench' } });
  const others = Array.from({ length: MEMBERS - 1 }, (_, i) => ({ id: newId(), name: `Member ${i}`, email: `m${i}-${Date.now()}@example.com` }));
  await db.db.insert(users).values(others);
  await db.db.insert(channelMembers).values(others.map((u) => ({ id: newId(), channelId: channel.id, kind: 'user' as const, userId: u.id })));
  await invalidateMembers(cache, { channelId: channel.id });

  // The members live in their own process, like browsers: the hub's process does only the hub's work.
  const members = fork(path.join(__dirname, 'realtime-members.ts'), { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  const tokens = await Promise.all([owner, ...others].map((member) => signRealtimeToken(member)));
  const ask = <T>(message: object) =>
    new Promise<T>((resolve) => {
      members.once('message', (reply) => resolve(reply as T));
      members.send(message);
    });
  await ask({ url: node.url, channelId: channel.id, tokens });
  const collect = async () => (await ask<{ receipts: [number, string, number][][] }>({ collect: true })).receipts;

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

  async function analyse(label: string, sentAt: number[]) {
    const latencies: number[] = [];
    let missing = 0;
    let duplicates = 0;
    let outOfOrder = 0;
    for (const seen of await collect()) {
      const indexes = seen.map(([index]) => index);
      missing += COUNT - new Set(indexes).size;
      duplicates += indexes.length - new Set(indexes).size;
      for (let i = 1; i < seen.length; i++) if (seen[i]![1] <= seen[i - 1]![1]) outOfOrder += 1;
      for (const [index, , at] of seen) latencies.push(at - sentAt[index]!);
    }
    const stats = summarize(latencies);
    report({ bench: 'realtime', path: label, receipts: latencies.length, expected: COUNT * MEMBERS, missing, duplicates, out_of_order: outOfOrder, ...stats });
    return { ...stats, exact: missing === 0 && duplicates === 0 && outOfOrder === 0 };
  }

  // 1. The product path: POST -> route handler -> Postgres + cache -> publish -> every member.
  const postedAt: number[] = [];
  const postDurations: number[] = [];
  await paced(async (i) => {
    postedAt[i] = performance.timeOrigin + performance.now();
    const started = performance.now();
    const res = await fetch(`${server.url}/api/channels/${channel.id}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `nc_session=${token}` },
      body: JSON.stringify({ content: `bench ${i}` }),
    });
    if (res.status !== 201) throw new Error(`POST ${i}: ${res.status}`);
    await res.text();
    postDurations.push(performance.now() - started);
  });
  report({ bench: 'realtime', path: 'POST response time', ...summarize(postDurations) });
  const product = await analyse('POST through the hub', postedAt);

  // 2. The baseline: a raw Socket.io broadcast from the realtime node to the same room.
  const emittedAt: number[] = [];
  await paced(async (i) => {
    emittedAt[i] = performance.timeOrigin + performance.now();
    node.io.to(`channel:${channel.id}`).emit('message:created', { message: { id: newId(), content: `raw ${i}` } as never });
  });
  const raw = await analyse('raw Socket.io broadcast', emittedAt);

  report({ bench: 'realtime', hub_over_raw_p50: Math.round((product.p50_ms / raw.p50_ms) * 100) / 100, hub_over_raw_p99: Math.round((product.p99_ms / raw.p99_ms) * 100) / 100 });
  report({ bench: 'realtime', goal: 'p50 under 5 ms', value: product.p50_ms, met: product.p50_ms < 5 });
  report({ bench: 'realtime', goal: 'p99 under 25 ms', value: product.p99_ms, met: product.p99_ms < 25 });
  report({ bench: 'realtime', goal: 'every message exactly once and in order at every member', met: product.exact });

  members.kill();
  await hub.close();
}

runBench(main);
