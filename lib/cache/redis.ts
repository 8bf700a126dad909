import 'server-only';
import { createHash } from 'node:crypto';
import Redis from 'ioredis';
import { CacheUnavailableError, type CacheBackend, type CacheScript, type ScriptReply } from './port';

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

/** Runs a script by its SHA, loading it with EVAL the first time a server has not seen it. */
export async function runScript(
  script: CacheScript,
  keys: string[],
  args: string[],
  evalsha: (sha: string) => Promise<unknown>,
  evalScript: () => Promise<unknown>,
): Promise<ScriptReply> {
  try {
    return (await evalsha(sha1(script.lua))) as ScriptReply;
  } catch (error) {
    if (!String((error as Error)?.message ?? error).includes('NOSCRIPT')) throw error;
    return (await evalScript()) as ScriptReply;
  }
}

/**
 * Closes an ioredis client: QUIT lets commands already sent finish; only a client that cannot say
 * goodbye within a second is cut off.
 */
export async function closeRedisClient(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready') return client.disconnect();
  const quit = client.quit().then(() => true, () => false);
  const patience = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 1000).unref());
  if (!(await Promise.race([quit, patience]))) client.disconnect();
}

/** The SCAN MATCH pattern for keys starting with `prefix`, its glob characters taken literally. */
export const prefixPattern = (prefix: string) => `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;

/**
 * Redis over TCP (ioredis). Commands are never queued while disconnected, so an outage fails
 * fast instead of piling up; the client reconnects on its own in the background.
 */
export function createRedisCache(url: string, options: { commandTimeoutMs: number }): CacheBackend {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs,
    // A connection that silently stops answering (no reset) is destroyed and redialled, so the
    // outage ends when the server does instead of leaving a "ready" socket that never replies.
    socketTimeout: Math.max(1000, options.commandTimeoutMs * 10),
    connectTimeout: Math.max(1000, options.commandTimeoutMs * 4),
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
    lazyConnect: false,
  });
  // Errors reach the callers of each command; the client's own event would only repeat them.
  client.on('error', () => {});

  const guard = async <T>(call: () => Promise<T>): Promise<T> => {
    if (client.status !== 'ready') throw new CacheUnavailableError(`redis is ${client.status}`);
    return call();
  };

  return {
    kind: 'redis',
    get: (key) => guard(() => client.get(key)),
    set: (key, value, opts = {}) =>
      guard(async () => {
        const args: (string | number)[] = [key, value];
        if (opts.ttlMs) args.push('PX', opts.ttlMs);
        if (opts.onlyIfAbsent) args.push('NX');
        return (await client.call('SET', ...args)) === 'OK';
      }),
    del: (keys) =>
      guard(async () => {
        if (keys.length) await client.del(...keys);
      }),
    run: (script, keys, args) =>
      guard(() =>
        runScript(
          script,
          keys,
          args,
          (sha) => client.evalsha(sha, keys.length, ...keys, ...args),
          () => client.eval(script.lua, keys.length, ...keys, ...args),
        ),
      ),
    deleteByPrefix: (prefix) =>
      guard(async () => {
        let deleted = 0;
        let cursor = '0';
        do {
          const [next, keys] = await client.scan(cursor, 'MATCH', prefixPattern(prefix), 'COUNT', 500);
          cursor = next;
          if (keys.length) deleted += await client.unlink(...keys);
        } while (cursor !== '0');
        return deleted;
      }),
    ping: () => guard(async () => void (await client.ping())),
    close: () => closeRedisClient(client),
  };
}
