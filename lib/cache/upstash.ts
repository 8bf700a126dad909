import 'server-only';
import { Redis } from '@upstash/redis';
import { prefixPattern, runScript } from './redis';
import type { CacheBackend } from './port';

/**
 * Upstash over its REST API. No client-side retries (the resilient wrapper decides what a
 * failure means) and no automatic JSON parsing: values come back as the strings we stored.
 */
export function createUpstashCache(url: string, token: string, options: { commandTimeoutMs: number }): CacheBackend {
  const client = new Redis({
    url,
    token,
    retry: false,
    automaticDeserialization: false,
    enableTelemetry: false,
    signal: () => AbortSignal.timeout(options.commandTimeoutMs),
  });

  return {
    kind: 'upstash',
    get: (key) => client.get<string>(key),
    set: async (key, value, opts = {}) => {
      const result = await client.set(key, value, {
        ...(opts.ttlMs ? { px: opts.ttlMs } : {}),
        ...(opts.onlyIfAbsent ? { nx: true } : {}),
      } as Parameters<typeof client.set>[2]);
      return result === 'OK';
    },
    del: async (keys) => {
      if (keys.length) await client.del(...keys);
    },
    run: (script, keys, args) =>
      runScript(
        script,
        keys,
        args,
        (sha) => client.evalsha(sha, keys, args),
        () => client.eval(script.lua, keys, args),
      ),
    deleteByPrefix: async (prefix) => {
      let deleted = 0;
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, { match: prefixPattern(prefix), count: 500 });
        cursor = String(next);
        if (keys.length) deleted += await client.del(...keys);
      } while (cursor !== '0');
      return deleted;
    },
    ping: async () => {
      await client.ping();
    },
    close: async () => {},
  };
}
