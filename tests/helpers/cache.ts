import { createCache, CACHE_PREFIXES, ResilientCache } from '@/lib/cache';
import { MemoryCache } from '@/lib/cache/memory';
import { createRedisCache } from '@/lib/cache/redis';
import type { TestDatabaseKind } from './database';

export type TestCacheKind = 'memory' | 'redis';

/** The cache that goes with each database in the matrix: embedded with embedded, real with real. */
export function cacheKindFor(kind: TestDatabaseKind): TestCacheKind {
  return kind === 'postgres' && process.env.REDIS_URL ? 'redis' : 'memory';
}

/** A fresh cache for one suite. Redis is shared, but every key a suite writes names its own channels. */
export async function openTestCache(kind: TestCacheKind, options: { timeoutMs?: number; log?: (line: string) => void } = {}): Promise<ResilientCache> {
  if (kind === 'memory') return createCache(new MemoryCache().backend, options.timeoutMs ?? 1000);
  const backend = createRedisCache(process.env.REDIS_URL!, { commandTimeoutMs: options.timeoutMs ?? 500 });
  // ioredis connects in the background; wait until it answers.
  for (let i = 0; i < 50; i++) {
    try {
      await backend.ping();
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return new ResilientCache(backend, { timeoutMs: options.timeoutMs ?? 500, log: options.log, purgePrefixes: CACHE_PREFIXES });
}
