import 'server-only';
import { env, type CacheConfig } from '@/lib/env';
import { MemoryCache } from './memory';
import type { CacheBackend } from './port';
import { createRedisCache } from './redis';
import { ResilientCache } from './resilient';
import { createUpstashCache } from './upstash';

export { ResilientCache } from './resilient';
export type { CacheBackend } from './port';

/** Key namespaces this app writes; recovery from a long outage purges them wholesale. */
export const CACHE_PREFIXES = ['channel:', 'session:', 'apikey:'];

export function createCacheBackend(config: CacheConfig): CacheBackend {
  switch (config.kind) {
    case 'redis':
      return createRedisCache(config.url, { commandTimeoutMs: config.timeoutMs });
    case 'upstash':
      return createUpstashCache(config.url, config.token, { commandTimeoutMs: config.timeoutMs });
    case 'memory':
      return new MemoryCache(config.maxKeys).backend;
  }
}

export function createCache(backend: CacheBackend, timeoutMs = 100): ResilientCache {
  return new ResilientCache(backend, { timeoutMs, purgePrefixes: CACHE_PREFIXES });
}

// On globalThis for the same reason as the database: the custom server and Next's bundles
// must share one cache (the in-process one is the only copy of its data).
type CacheGlobal = { cache?: ResilientCache };
const slot = ((globalThis as { __neurocacheCache?: CacheGlobal }).__neurocacheCache ??= {});

export function getCache(): ResilientCache {
  if (!slot.cache) {
    const { cache } = env();
    slot.cache = createCache(createCacheBackend(cache), cache.kind === 'memory' ? 1000 : cache.timeoutMs);
  }
  return slot.cache;
}

/** Tests point the app at a cache they built (a fresh memory cache, Redis, an Upstash bridge). */
export function setCache(cache: ResilientCache | undefined): void {
  slot.cache = cache;
}

export async function closeCache(): Promise<void> {
  const cache = slot.cache;
  slot.cache = undefined;
  await cache?.close();
}
