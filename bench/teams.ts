/*
 * The goal-run part of pnpm bench:agents: a channel of 5 agents is given a goal; the supervisor's
 * plan (from the local OpenAI-compatible test server, through the real SDK) has 10 tasks, each
 * worked by an agent (50 tokens) and reviewed (accepted). Per task, the hub's overhead is the time
 * from the previous task's end (or the run's start of work) to this task's end, as a member's
 * socket sees the run's `run:updated` events, minus the time the model server spent answering
 * the calls made in that window (its own receive-to-answered times): what the hub adds around the
 * model (storing, publishing, briefs, reviews' bookkeeping). Then the canvas's live update
 * latency: one member moves a node (PUT), another member's socket receives `canvas:updated`.
 *
 * Measured on the production server (`pnpm build` first): on embedded PGlite, and on Postgres +
 * Redis too when DATABASE_URL and REDIS_URL are set; then on the test harness (route handlers in
 * this process; DATABASE_URL and REDIS_URL when set) as a second row.
 * BENCH_RUNS goal runs each (default 5, so 50 tasks); BENCH_SERVER=production or harness runs one row.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunJson } from '@/lib/contracts/runs';
import { startOpenAIServer, type FixtureRequest } from '../tests/fixtures/openai-server';
import { connectSocket, type TestSocket } from '../tests/helpers/realtime';
import { startBenchHub } from './hub';
import { HttpSession, onEachProductionBackend, startHub } from './production-hub';
import { report, runBench, summarize } from './stats';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const AGENTS = 5;
const TASKS = 10;
const MOVES = Number(process.env.BENCH_MOVES ?? 200);
const PORT = Number(process.env.BENCH_PORT ?? 3291);

type Target = { name: string; base: string; socketUrl: string };

const isPlan = (request: FixtureRequest) => request.messages[0]?.content.includes('Write a plan for the goal');
const isReview = (request: FixtureRequest) => request.messages[0]?.content.includes("You check one task's result");

async function person(base: string, name: string): Promise<HttpSession> {
  const session = new HttpSession(base);
  await session.request('POST', '/api/auth/sign-up', { name, email: `${name.toLowerCase()}-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`, password: 'benchmark-password' });
  return session;
}

async function socketFor(session: HttpSession, url: string, channelId: string): Promise<TestSocket> {
  const { token } = await session.request('POST', '/api/realtime/token');
  const socket = await connectSocket(url, { token });
  await new Promise((resolve) => socket.emit('channel:join', { channelId }, resolve));
  return socket;
}

async function measure(target: Target, model: Awaited<ReturnType<typeof startOpenAIServer>>) {
  const owner = await person(target.base, 'Owner');
  const watcher = await person(target.base, 'Watcher');
  const { channel } = await owner.request('POST', '/api/channels', { name: `teams-${Date.now()}`, description: 'Benchmark goal runs' });
  const agentIds: string[] = [];
  for (let i = 0; i < AGENTS; i++) {
    const { agent } = await owner.request('POST', '/api/agents', { name: `Agent ${i}`, handle: `agent-${i}`, description: `Specialist ${i}`, instructions: 'Work on your task.', model: 'fixture-model' });
    agentIds.push(agent.id);
    await owner.request('POST', `/api/channels/${channel.id}/members`, { agentId: agent.id });
  }
  const { user: watcherUser } = await watcher.request('GET', '/api/me');
  await owner.request('POST', `/api/channels/${channel.id}/members`, { email: watcherUser.email });
  const socket = await socketFor(watcher, target.socketUrl, channel.id);

  // Per run: when each update arrived, and the run as it was then.
  let updates: { at: number; run: RunJson }[] = [];
  socket.on('run:updated', ({ run }) => updates.push({ at: performance.now(), run }));

  const overheads: number[] = [];
  const walls: number[] = [];
  const modelShare: number[] = [];
  for (let r = -1; r < RUNS; r++) {
    updates = [];
    const from = model.requests.length;
    const { run } = await owner.request('POST', `/api/channels/${channel.id}/runs`, { goal: `Ship release ${r}`, budget: { steps: 100 } });
    const deadline = performance.now() + 60_000;
    while (!updates.some((u) => u.run.id === run.id && u.run.endedAt) && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    const final = updates.at(-1)!.run;
    if (final.status !== 'done') throw new Error(`run ${r} ended ${final.status}: ${final.stopReason}`);
    if (r < 0) continue; // the warm-up run (first-use compilation) is not counted
    const calls = model.requests.slice(from);
    const modelMs = (start: number, end: number) =>
      calls.filter((c) => c.receivedAt >= start && c.receivedAt < end && c.answeredAt !== undefined).reduce((sum, c) => sum + (c.answeredAt! - c.receivedAt), 0);
    // A task's window opens when the previous one ended (the first: when the run started running).
    let opened = updates.find((u) => u.run.status === 'running')!.at;
    for (let t = 0; t < TASKS; t++) {
      const ended = updates.find((u) => u.run.tasks[t]?.status === 'done')!.at;
      const spent = modelMs(opened, ended);
      walls.push(ended - opened);
      modelShare.push(spent);
      overheads.push(ended - opened - spent);
      opened = ended;
    }
  }
  report({ bench: 'agents', scenario: 'goal run', server: target.name, agents: AGENTS, tasks_per_run: TASKS, runs: RUNS, path: 'task wall time (attempt + review)', ...summarize(walls) });
  report({ bench: 'agents', scenario: 'goal run', server: target.name, path: 'model server time per task', ...summarize(modelShare) });
  const overhead = summarize(overheads);
  report({ bench: 'agents', scenario: 'goal run', server: target.name, path: 'hub overhead per task (wall minus model)', ...overhead });
  report({ bench: 'agents', scenario: 'goal run', server: target.name, goal: 'hub overhead per task p50 under 10 ms', value: overhead.p50_ms, met: overhead.p50_ms < 10 });

  // The canvas: the owner moves an agent's node; the watcher's socket sees it.
  const moved: number[] = [];
  let waiting: ((at: number) => void) | undefined;
  socket.on('canvas:updated', () => waiting?.(performance.now()));
  for (let i = -10; i < MOVES; i++) {
    const arrived = new Promise<number>((resolve) => (waiting = resolve));
    const started = performance.now();
    await owner.request('PUT', `/api/channels/${channel.id}/canvas/nodes`, { nodes: [{ id: `agent:${agentIds[i & 3]}`, x: i * 3, y: i * 2 }] });
    const at = await arrived;
    if (i >= 0) moved.push(at - started);
  }
  const live = summarize(moved);
  report({ bench: 'agents', scenario: 'canvas', server: target.name, path: 'node moved: PUT -> other member socket', ...live });
  socket.close();
}

async function main() {
  const model = await startOpenAIServer({
    tokens: 50,
    reply: (request) => {
      if (isPlan(request)) {
        const tasks = Array.from({ length: TASKS }, (_, t) => ({ title: `Task ${t + 1}: a part of the release`, agent: `agent-${t % AGENTS}` }));
        return JSON.stringify({ tasks });
      }
      if (isReview(request)) return 'ACCEPT';
      return undefined; // the task's result: 50 tokens
    },
  });
  const modelEnv = { OPENAI_API_KEY: 'sk-bench', OPENAI_BASE_URL: model.baseURL, SEND_RATE_LIMIT_MESSAGES: '100000', AGENT_DAILY_CALLS: '0', AGENT_DAILY_TOKENS: '0', RATE_LIMIT_OWNER_REQUESTS: '10000000', AUTH_SIGNUP_ADDRESS_LIMIT: '100000' };

  const only = process.env.BENCH_SERVER;
  // The production server, as users run it.
  if (only !== 'harness') await production(model, modelEnv);
  if (only === 'production') return void (await model.close());

  // The test harness, for comparison.
  await harness(model, modelEnv);
}

/**
 * The production server, as users run it: on embedded PGlite, and, when DATABASE_URL is set, on
 * Postgres and Redis too (a scratch database of its own, migrated, then dropped).
 */
async function production(model: Awaited<ReturnType<typeof startOpenAIServer>>, modelEnv: Record<string, string>) {
  await onEachProductionBackend((name, env) => onProductionServer(name, { ...modelEnv, ...env }, model));
}

async function onProductionServer(name: string, env: Record<string, string>, model: Awaited<ReturnType<typeof startOpenAIServer>>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nc-bench-teams-'));
  const hub = await startHub(dir, { port: PORT, env });
  try {
    await measure({ name, base: hub.base, socketUrl: hub.base }, model);
  } finally {
    await hub.close();
  }
}

async function harness(model: Awaited<ReturnType<typeof startOpenAIServer>>, modelEnv: Record<string, string>) {
  Object.assign(process.env, modelEnv);
  const { setModelProvider } = await import('@/lib/ai');
  const { createOpenAIProvider } = await import('@/lib/ai/openai');
  const bench = await startBenchHub();
  setModelProvider(createOpenAIProvider({ apiKey: 'sk-bench', baseURL: model.baseURL, timeoutMs: 30_000 }));
  try {
    await measure({ name: `harness (route handlers in process), ${bench.db.kind} + ${bench.cache.kind}`, base: bench.server.url, socketUrl: bench.node.url }, model);
  } finally {
    setModelProvider(undefined);
    await bench.close();
    await model.close();
  }
}

runBench(main);
