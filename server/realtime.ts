// `pnpm start:realtime`: a standalone realtime node on REALTIME_PORT. Scale out by running many,
// next to any number of Next.js processes; they meet in Redis (REDIS_URL is required) and read
// memberships from the same Postgres (DATABASE_URL).
import http from 'node:http';
import { closeDatabase } from '../lib/db';
import { env } from '../lib/env';
import { createRealtimeServer } from './realtime/create-realtime-server';
import { realtimeDepsFromEnv } from './realtime/deps';

async function main() {
  const config = env();
  if (!config.REDIS_URL || config.database.kind !== 'postgres') {
    throw new Error('A standalone realtime node needs REDIS_URL and DATABASE_URL; for one process, `pnpm dev` or `pnpm start` runs realtime inside the hub.');
  }
  const server = http.createServer((req, res) => {
    if (req.url === '/healthz') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    res.writeHead(404).end();
  });
  const deps = realtimeDepsFromEnv();
  const realtime = createRealtimeServer(server, deps);
  const shutdown = async () => {
    await realtime.close();
    await deps.closeRedis();
    await closeDatabase();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  server.listen(config.REALTIME_PORT, config.HOST, () => console.log(`[realtime] node ready on port ${config.REALTIME_PORT}`));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
