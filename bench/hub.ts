import { setCache } from '@/lib/cache';
import { setDatabase } from '@/lib/db';
import { resetEnv } from '@/lib/env';
import { broadcastPublisher, redisPublisher, setPublisher } from '@/lib/realtime/publisher';
import { openTestCache } from '../tests/helpers/cache';
import { openTestDatabase } from '../tests/helpers/database';
import { startRealtimeNode } from '../tests/helpers/realtime';
import { startRouteServer } from '../tests/helpers/route-server';

/**
 * The hub as the benchmarks run it: the database and cache named by DATABASE_URL and REDIS_URL
 * (embedded defaults otherwise), a realtime node (route handlers publish through Redis to it when
 * REDIS_URL is set, in-process otherwise), and the real route handlers over HTTP.
 */
/**
 * One person posts 500 messages at 50/s (bench:realtime), fills a channel (bench:history) and
 * mentions an agent dozens of times (bench:agents): limits no benchmark reaches, though every
 * request still passes through them.
 */
export function liftLimitsForBench(): void {
  process.env.SEND_RATE_LIMIT_MESSAGES ??= '100000';
  process.env.AGENT_DAILY_CALLS ??= '0';
  process.env.AGENT_DAILY_TOKENS ??= '0';
  resetEnv();
}

export async function startBenchHub() {
  liftLimitsForBench();
  const redisUrl = process.env.REDIS_URL;
  const db = await openTestDatabase(process.env.DATABASE_URL ? 'postgres' : 'pglite');
  setDatabase(db);
  const cache = await openTestCache(redisUrl ? 'redis' : 'memory');
  setCache(cache);
  const node = await startRealtimeNode({ redisUrl, deps: { limits: { eventsPerSecond: 1000, burst: 1000 } } });
  const emitter = redisUrl ? redisPublisher(redisUrl) : undefined;
  setPublisher(emitter?.publisher ?? broadcastPublisher(() => node.io as never));
  const server = await startRouteServer();
  return {
    db,
    cache,
    node,
    server,
    publish: redisUrl ? 'redis emitter -> adapter' : 'in-process',
    async close() {
      await server.close();
      await node.close();
      await emitter?.close();
      await cache.close();
      await db.close();
    },
  };
}
