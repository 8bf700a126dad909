import { setCache, type ResilientCache } from '@/lib/cache';
import { setDatabase } from '@/lib/db';
import { broadcastPublisher, setPublisher, type Publisher } from '@/lib/realtime/publisher';
import type { DatabaseHandle } from '@/lib/db/client';
import { ApiClient } from './api-client';
import { cacheKindFor, openTestCache } from './cache';
import { openTestDatabase, type TestDatabaseKind } from './database';
import { startRouteServer, type RouteServer } from './route-server';

/**
 * One running hub per suite: a fresh database and cache behind the real route handlers on a
 * real port. PGlite goes with the in-process cache; Postgres with real Redis when REDIS_URL is set.
 */
export function useHub(kind: TestDatabaseKind, options: { publisher?: () => Publisher; cache?: () => Promise<ResilientCache> } = {}) {
  const hub = {} as { db: DatabaseHandle; cache: ResilientCache; server: RouteServer; client(): ApiClient };
  beforeAll(async () => {
    hub.db = await openTestDatabase(kind);
    setDatabase(hub.db);
    hub.cache = await (options.cache?.() ?? openTestCache(cacheKindFor(kind)));
    setCache(hub.cache);
    // Without a realtime server in the suite, events go nowhere (never to a shared Redis).
    setPublisher(options.publisher?.() ?? broadcastPublisher(() => undefined));
    hub.server = await startRouteServer();
    hub.client = () => new ApiClient(hub.server.url);
  });
  afterAll(async () => {
    await hub.server?.close();
    setDatabase(undefined);
    setCache(undefined);
    setPublisher(undefined);
    await hub.cache?.close();
    await hub.db?.close();
  });
  return hub;
}
