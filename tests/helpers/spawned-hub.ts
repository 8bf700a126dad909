import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ApiClient } from './api-client';
import type { TestDatabaseKind } from './database';

export type SpawnedFault = { method: string; path: string } & ({ kind: 'status'; status: number } | { kind: 'reset' | 'lose-response' });

/**
 * The hub's real route handlers served by a separate Node process, one per suite; with
 * `realtime`, a realtime node too (at `realtimeUrl`). `env` adds variables for that process,
 * read when it starts (after the suite's earlier beforeAll hooks).
 */
export function useSpawnedHub(kind: TestDatabaseKind = 'pglite', options: { realtime?: boolean; env?: () => Record<string, string> } = {}) {
  const hub = {} as { url: string; realtimeUrl: string; client(): ApiClient; injectFault(fault: SpawnedFault): Promise<void> };
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    const tsx = path.join(process.cwd(), 'node_modules', '.bin', 'tsx');
    const args = [path.join(__dirname, 'route-server-main.ts'), kind, ...(options.realtime ? ['--realtime'] : [])];
    child = spawn(tsx, args, { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, NODE_OPTIONS: '', ...options.env?.() } });
    const ready = await new Promise<{ url: string; realtimeUrl?: string }>((resolve, reject) => {
      let buffer = '';
      child!.stdout!.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const line = buffer.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve(JSON.parse(line) as { url: string; realtimeUrl?: string });
      });
      child!.once('exit', (code) => reject(new Error(`test hub exited with ${code}`)));
    });
    hub.url = ready.url;
    hub.realtimeUrl = ready.realtimeUrl ?? '';
    hub.client = () => new ApiClient(hub.url);
    hub.injectFault = async (fault) => {
      const res = await fetch(`${hub.url}/__test/faults`, { method: 'POST', body: JSON.stringify(fault) });
      if (res.status !== 204) throw new Error('could not inject fault');
    };
  }, 60_000);

  afterAll(async () => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  });

  return hub;
}
