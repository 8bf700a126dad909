import { randomBytes } from 'node:crypto';
import { getCache } from '@/lib/cache';
import { cacheKeys } from '@/lib/cache/channel-cache';
import { MemoryCache } from '@/lib/cache/memory';
import type { CacheBackend, CacheScript } from '@/lib/cache/port';
import { env } from '@/lib/env';

/**
 * A sliding-log rate limit: each admitted request is logged with its time, and a request is
 * admitted only if fewer than `limit` were admitted in the `windowMs` before it. Unlike fixed or
 * weighted windows (including @upstash/ratelimit's sliding window, an estimate from two fixed
 * windows), this never admits more than `limit` in any window, boundaries included.
 *
 * One atomic script runs it on Redis and on Upstash (EVALSHA over REST) alike; its memory twin
 * runs it in-process, both for the embedded default and whenever the shared cache is down (each
 * process then limits on its own until the cache returns).
 */
const pad = (ms: number) => String(ms).padStart(15, '0');

export const slidingLog: CacheScript = {
  name: 'sliding-log',
  // KEYS: log. ARGV: nowMs, windowMs, limit, uniqueId. Members sort by time (all scored 0, by lex).
  // Answers {admitted 1|0, requests in the window, oldest request's time in ms}.
  lua: `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYLEX', KEYS[1], '-', '(' .. string.format('%015d', now - window))
local count = redis.call('ZCARD', KEYS[1])
local admitted = 0
if count < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], 0, string.format('%015d', now) .. ':' .. ARGV[4])
  redis.call('PEXPIRE', KEYS[1], window)
  count = count + 1
  admitted = 1
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0)[1] or string.format('%015d', now)
return {admitted, count, tonumber(string.sub(oldest, 1, 15))}`,
  memory: (s, [log], [nowText, windowText, limitText, id]) => {
    const now = Number(nowText);
    const window = Number(windowText);
    const cutoff = pad(now - window);
    for (const member of s.zrange(log!)) {
      if (member < cutoff) s.zrem(log!, member);
      else break;
    }
    let count = s.zcard(log!);
    let admitted = 0;
    if (count < Number(limitText)) {
      s.zadd(log!, `${pad(now)}:${id}`);
      s.pexpire(log!, window);
      count += 1;
      admitted = 1;
    }
    const oldest = s.zrange(log!)[0] ?? pad(now);
    return [admitted, count, Number(oldest.slice(0, 15))];
  },
};

export type RateDecision = { allowed: boolean; limit: number; remaining: number; resetMs: number; policy: string };

const local = ((globalThis as { __neurocacheLocalLimits?: CacheBackend }).__neurocacheLocalLimits ??= new MemoryCache(100_000).backend);

/** Takes one request from `keyId`'s allowance, or says how long until there is room. */
export async function takeRequest(keyId: string, options: { limit?: number; windowMs?: number; now?: number } = {}): Promise<RateDecision> {
  const config = env();
  const limit = options.limit ?? config.RATE_LIMIT_REQUESTS;
  const windowMs = options.windowMs ?? config.RATE_LIMIT_WINDOW_SECONDS * 1000;
  const now = options.now ?? Date.now();
  const args = [String(now), String(windowMs), String(limit), randomBytes(6).toString('hex')];
  const key = cacheKeys.rateLimit(keyId);
  const reply = (await getCache()
    .read((backend) => backend.run(slidingLog, [key], args))
    .catch(() => local.run(slidingLog, [key], args))) as [number, number, number];
  const [admitted, count, oldest] = reply.map(Number) as [number, number, number];
  return {
    allowed: admitted === 1,
    limit,
    remaining: Math.max(0, limit - count),
    // Room opens when the oldest logged request leaves the window.
    resetMs: Math.max(0, oldest + windowMs - now),
    policy: `${limit};w=${Math.round(windowMs / 1000)}`,
  };
}

/** The RateLimit headers (IETF draft) every keyed answer carries, and Retry-After on a 429. */
export function rateLimitHeaders(decision: RateDecision): Record<string, string> {
  const reset = String(Math.ceil(decision.resetMs / 1000));
  return {
    'RateLimit-Limit': String(decision.limit),
    'RateLimit-Remaining': String(decision.remaining),
    'RateLimit-Reset': reset,
    'RateLimit-Policy': decision.policy,
    ...(decision.allowed ? {} : { 'Retry-After': reset }),
  };
}
