/*
 * The production server as a benchmark talks to it: started as `pnpm start` does, on fresh
 * embedded data, spoken to over HTTP only, its RSS read from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { openDatabase } from '@/lib/db/client';
import { createScratchDatabase } from '../tests/helpers/database';

/** `pid` and every process under it. */
export function treePids(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // the process ended while being read
    }
  }
  const pids: number[] = [];
  const walk = (id: number) => {
    pids.push(id);
    for (const child of children.get(id) ?? []) walk(child);
  };
  walk(pid);
  return pids;
}

/** RSS (bytes) of every process in the tree under `pid`; the hub is the largest of them. */
export function treeRss(pid: number): number[] {
  const rss: number[] = [];
  for (const id of treePids(pid)) {
    try {
      const status = fs.readFileSync(`/proc/${id}/status`, 'utf8');
      rss.push(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024);
    } catch {
      // the process ended while being read
    }
  }
  return rss;
}

// /proc counts CPU time in clock ticks: 100 per second on Linux (getconf CLK_TCK).
const TICKS_PER_SECOND = 100;

/** CPU time (user + system, seconds) that the processes in the tree under `pid` have used so far. */
export function treeCpuSeconds(pid: number): number {
  let ticks = 0;
  for (const id of treePids(pid)) {
    try {
      const stat = fs.readFileSync(`/proc/${id}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Fields 14 and 15 of stat(5), utime and stime, counted from the state (field 3).
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process ended while being read
    }
  }
  return ticks / TICKS_PER_SECOND;
}

/** One person's session with a hub over HTTP: the cookie it was given, JSON in and out. */
export class HttpSession {
  /** The session cookie the hub set (name=value), for callers that make their own requests. */
  cookie = '';
  constructor(readonly base: string) {}

  /** The session cookie as `name=value`, for a browser to carry the same session. */
  get sessionCookie(): string {
    return this.cookie;
  }

  async request(method: string, route: string, body?: unknown | FormData) {
    const form = body instanceof FormData;
    const res = await fetch(`${this.base}${route}`, {
      method,
      headers: { origin: this.base, ...(this.cookie ? { cookie: this.cookie } : {}), ...(body && !form ? { 'content-type': 'application/json' } : {}) },
      body: form ? body : body ? JSON.stringify(body) : undefined,
    });
    const setCookie = res.headers.getSetCookie()[0];
    if (setCookie) this.cookie = setCookie.split(';')[0]!;
    const text = await res.text();
    if (res.status >= 400) throw new Error(`${method} ${route} answered ${res.status}: ${text.slice(0, 200)}`);
    return text ? JSON.parse(text) : undefined;
  }
}

export class Hub extends HttpSession {
  peak = 0;
  private sampler?: ReturnType<typeof setInterval>;
  constructor(
    readonly child: ChildProcess,
    base: string,
    private readonly dir: string,
  ) {
    super(base);
  }

  /** Stops the server as a user would (SIGTERM), waits for it to exit, and removes its data. */
  async close() {
    if (this.child.exitCode === null) {
      this.child.kill('SIGTERM');
      await new Promise((resolve) => this.child.once('exit', resolve));
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  startSampling() {
    this.peak = 0;
    this.sampler = setInterval(() => (this.peak = Math.max(this.peak, ...treeRss(this.child.pid!))), 50);
  }
  stopSampling(): number {
    clearInterval(this.sampler);
    return Math.round(this.peak / 1024 / 1024);
  }
  rssNow = () => Math.round(Math.max(...treeRss(this.child.pid!)) / 1024 / 1024);

  async upload(baseId: string, files: { name: string; type: string; bytes: Uint8Array }[]) {
    const form = new FormData();
    for (const file of files) form.append('file', new Blob([Buffer.from(file.bytes)], { type: file.type }), file.name);
    return this.request('POST', `/api/knowledge/${baseId}/documents`, form);
  }

  /** Polls the documents as the Knowledge page would, until none is waiting. */
  async untilIndexed(baseId: string): Promise<{ status: string; chunkCount: number }[]> {
    for (;;) {
      const { documents } = await this.request('GET', `/api/knowledge/${baseId}/documents`);
      if (documents.every((doc: { status: string }) => doc.status === 'ready' || doc.status === 'error')) return documents;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Whether `pnpm build` has been run here: the production server needs its output. */
export function hasBuild(): boolean {
  return fs.existsSync(path.join(process.cwd(), '.next', 'BUILD_ID'));
}

/**
 * The hub as `pnpm start` runs it (NODE_ENV=production, after `pnpm build`), on fresh embedded
 * data in `dir`, with `env` on top (its DATABASE_URL and REDIS_URL put it on a database and cache
 * of the caller's instead); resolves once it says it is ready.
 */
export async function startHub(dir: string, { port, env = {} }: { port: number; env?: Record<string, string> }): Promise<Hub> {
  if (!hasBuild()) throw new Error('Run pnpm build first: this measures the production server.');
  // BENCH_PROFILE=<dir>: the server writes a V8 CPU profile there when it exits (open it in Chrome's DevTools).
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_PROFILE)}`] : [];
  const child = spawn(process.execPath, [...process.execArgv, ...profile, path.join(process.cwd(), 'server/main.ts')], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      PORT: String(port),
      HOST: '127.0.0.1',
      PGLITE_DIR: path.join(dir, 'pglite'),
      FILES_DIR: path.join(dir, 'files'),
      DATABASE_URL: '',
      REDIS_URL: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('[hub] ready') && resolve());
    child.on('exit', (code) => reject(new Error(`the hub exited with ${code} before it was ready (its error is above)`)));
  });
  return new Hub(child, `http://127.0.0.1:${port}`, dir);
}


/**
 * A standalone realtime node as `pnpm start:realtime` runs it (server/realtime.ts, NODE_ENV=production)
 * on `port`, with `env` on top (it needs DATABASE_URL, REDIS_URL and REALTIME_SECRET); resolves once
 * it says it is ready.
 */
export async function startRealtimeProcess({ port, env }: { port: number; env: Record<string, string> }) {
  const child = spawn(process.execPath, [...process.execArgv, path.join(process.cwd(), 'server/realtime.ts')], {
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', HOST: '127.0.0.1', REALTIME_PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('[realtime] node ready') && resolve());
    child.on('exit', (code) => reject(new Error(`the realtime node exited with ${code} before it was ready (its error is above)`)));
  });
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    async close() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

/**
 * Runs `measure` on each backend the production server is measured on: embedded PGlite, then,
 * when DATABASE_URL is set, a scratch Postgres database of its own (migrated, then dropped) with
 * the Redis of REDIS_URL. `env` is what the server is started with on top of the caller's.
 */
export async function onEachProductionBackend(measure: (name: string, env: Record<string, string>) => Promise<void>): Promise<void> {
  await measure('production (pnpm start), embedded PGlite', {});
  if (!process.env.DATABASE_URL) return;
  const scratch = await createScratchDatabase('nc_bench');
  try {
    const handle = await openDatabase({ kind: 'postgres', url: scratch.url, max: 1 });
    await handle.migrate();
    await handle.close();
    const redis = process.env.REDIS_URL;
    await measure(`production (pnpm start), Postgres${redis ? ' + Redis' : ''}`, { DATABASE_URL: scratch.url, REDIS_URL: redis ?? '', REALTIME_SECRET: randomBytes(32).toString('hex') });
  } finally {
    await scratch.drop();
  }
}
