// A hub server in its own process, for tests whose own process cannot host it (jsdom).
// Prints one JSON line {"url": ..., "realtimeUrl"?: ...} when ready; POST /__test/faults injects
// HTTP faults. With --realtime, a realtime node runs beside it and services publish into it, as
// in the embedded single process, so a browser-side socket receives what the routes publish.
import { setCache } from '@/lib/cache';
import { setDatabase } from '@/lib/db';
import { broadcastPublisher, setPublisher } from '@/lib/realtime/publisher';
import { cacheKindFor, openTestCache } from './cache';
import { openTestDatabase, type TestDatabaseKind } from './database';
import { startRealtimeNode } from './realtime';
import { startRouteServer } from './route-server';

async function main() {
  const kind = (process.argv[2] ?? 'pglite') as TestDatabaseKind;
  const db = await openTestDatabase(kind);
  setDatabase(db);
  // The cache that goes with the database (as in useHub), connected before the first request.
  const cache = await openTestCache(cacheKindFor(kind));
  setCache(cache);
  const server = await startRouteServer({ control: true });
  // Sockets from a jsdom page carry jsdom's origin (Node's `ws` sends none, which passes too).
  const realtime = process.argv.includes('--realtime') ? await startRealtimeNode({ deps: { isAllowedOrigin: (origin) => origin === 'http://localhost' } }) : undefined;
  if (realtime) setPublisher(broadcastPublisher(() => realtime.io as never));
  process.stdout.write(`${JSON.stringify({ url: server.url, realtimeUrl: realtime?.url })}\n`);
  const stop = async () => {
    await realtime?.close();
    await server.close();
    await cache.close();
    await db.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop); // the parent went away
  process.stdin.resume();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
