import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ApiClient } from './api-client';
import type { TestDatabaseKind } from './database';

export type SpawnedFault = { method: string; path: string } & ({ kind: 'status'; status: number } | { kind: 'reset' | 'lose-response' });

/** The hub's real route handlers served by a separate Node process, one per suite. */
export function useSpawnedHub(kind: TestDatabaseKind = 'pglite') {
  const hub = {} as { url: string; client(): ApiClient; injectFault(fault: SpawnedFault): Promise<void> };
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    const tsx = path.join(process.cwd(), 'node_modules', '.bin', 'tsx');
    child = spawn(tsx, [path.join(__dirname, 'route-server-main.ts'), kind], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, NODE_OPTIONS: '' } });
    hub.url = await new Promise<string>((resolve, reject) => {
      let buffer = '';
      child!.stdout!.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const line = buffer.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve((JSON.parse(line) as { url: string }).url);
      });
      child!.once('exit', (code) => reject(new Error(`test hub exited with ${code}`)));
    });
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
