import 'server-only';
// Must load before next/server (see the module).
import './async-storage-global';
import { after } from 'next/server';

/**
 * Work that outlives a response (agent replies, last-used writes, usage rows). Inside a Next.js
 * request it goes through `after()`, so a Vercel function stays alive until it ends instead of
 * being frozen mid-reply; anywhere else (the realtime node, tests' plain HTTP harness, the
 * self-hosted server's own timers) it simply runs on. Either way a failure is logged, never thrown.
 */
export function runInBackground(task: Promise<unknown>, what = 'background work'): void {
  const guarded = task.catch((error: unknown) => console.error(`[background] ${what} failed:`, error instanceof Error ? error.message : error));
  try {
    after(() => guarded);
  } catch (error) {
    // Outside a request scope nothing would freeze this process, so the promise simply runs on.
    // Anything else means after() itself is failing where it matters (a serverless function): say so once.
    const message = error instanceof Error ? error.message : String(error);
    if (!/outside a request scope/i.test(message) && !warned) {
      warned = true;
      console.error(`[background] after() refused work (${message}); it runs on unguarded, and a serverless function may freeze it`);
    }
  }
}

let warned = false;
