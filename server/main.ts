// The hub in one process: Next.js on one HTTP server, honouring PORT. In embedded mode this
// must be a single process, because PGlite and the in-process cache live inside it.
import http from 'node:http';
import next from 'next';
import { recoverInterruptedReplies, stopAllReplies } from '../lib/agents/replies';
import { recoverInterruptedRuns, stopAllRuns } from '../lib/teams/runs';
import { resumeIngestion } from '../lib/knowledge/ingest';
import { stampClientAddress } from '../lib/auth/client-address';
import { closeDatabase } from '../lib/db';
import { env } from '../lib/env';
import { refuseUnroutableMethod } from '../lib/http/methods';
import { startRetentionScheduler } from '../lib/messages/retention';
import { registerLocalServer } from '../lib/realtime/publisher';
import { createRealtimeServer } from './realtime/create-realtime-server';
import { realtimeDepsFromEnv } from './realtime/deps';

async function main() {
  const config = env();
  const dev = config.NODE_ENV !== 'production';
  const server = http.createServer();
  // Passing the server lets Next.js dev attach its own upgrade handler (HMR) next to Socket.io's.
  const app = next({ dev, dir: process.cwd(), hostname: config.HOST, port: config.PORT, httpServer: server });
  await app.prepare();
  const handle = app.getRequestHandler();
  server.on('request', (req, res) => {
    // The throttles' client address: the socket's, never what the client claims (lib/auth/client-address.ts).
    stampClientAddress(req);
    // TRACE, PROPFIND, ...: a JSON 501 here, not Next.js's 500 HTML page or empty 400.
    if (refuseUnroutableMethod(req, res)) return;
    void handle(req, res);
  });

  // Realtime on the same port; route handlers in this process publish to it directly.
  const realtimeDeps = realtimeDepsFromEnv();
  const realtime = createRealtimeServer(server, realtimeDeps);
  registerLocalServer(realtime.io as never);

  const shutdown = (signal: string) => {
    console.log(`[hub] ${signal}: shutting down`);
    server.closeAllConnections();
    // The embedded database must close cleanly, or its last writes may be lost.
    // Replies in progress end as retryable errors (and say so to the channel) before realtime closes.
    // Goal runs end first (as failed: interrupted), so their replies in progress are ended with them.
    void stopAllRuns(1000)
      .then(() => stopAllReplies(2500))
      .then(() => realtime.close())
      .then(() => app.close())
      .then(() => realtimeDeps.closeRedis())
      .then(() => closeDatabase())
      .finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));

  // Replies cut off by a crash stay "streaming" forever unless someone ends them: this process
  // ends its own (all of them, embedded; on a shared Postgres, only ones no process could still be writing).
  const interrupted = await recoverInterruptedReplies({ olderThanMs: config.database.kind === 'pglite' ? 0 : undefined });
  if (interrupted) console.log(`[hub] ${interrupted} interrupted agent replies marked for retry`);
  const runsEnded = await recoverInterruptedRuns({ all: config.database.kind === 'pglite' });
  if (runsEnded) console.log(`[hub] ${runsEnded} goal runs a restart interrupted marked failed`);

  // Documents whose indexing a stop cut short are taken up again (all of them, embedded: they were this process's).
  const resumed = await resumeIngestion({ exclusive: config.database.kind === 'pglite' });
  if (resumed) console.log(`[hub] indexing ${resumed} documents left waiting`);

  const stopRetention = startRetentionScheduler();
  server.on('close', stopRetention);

  server.listen(config.PORT, config.HOST, () => {
    const where = config.database.kind === 'pglite' ? `embedded PGlite in ${config.database.dataDir}` : 'Postgres from DATABASE_URL';
    console.log(`[hub] ready on http://localhost:${config.PORT} (${dev ? 'development' : 'production'}; data: ${where})`);
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
