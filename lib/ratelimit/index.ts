import 'server-only';
import { randomBytes } from 'node:crypto';
import { getCache } from '@/lib/cache';
import { cacheKeys } from '@/lib/cache/channel-cache';
import { MemoryCache } from '@/lib/cache/memory';
import type { CacheBackend, CacheScript, MemoryOps } from '@/lib/cache/port';
import { env } from '@/lib/env';
import { AppError } from '@/lib/http/errors';

/**
 * A sliding-log rate limit: each admitted request is logged with its time, and a request is
 * admitted only if fewer than `limit` were admitted in the `windowMs` before it. Unlike fixed or
 * weighted windows (including @upstash/ratelimit's sliding window, an estimate from two fixed
 * windows), this never admits more than `limit` in any window, boundaries included.
 *
 * One request may be counted against several logs at once (a key's and its owner's; an account's
 * and an address's): it is admitted only if every log has room, and then logged in all of them,
 * in one atomic step, so no log ever goes over by a race between them.
 *
 * One atomic script runs it on Redis and on Upstash (EVALSHA over REST) alike; its memory twin
 * runs it in-process, both for the embedded default and whenever the shared cache is down (each
 * process then limits on its own until the cache returns).
 */
const pad = (ms: number) => String(ms).padStart(15, '0');

export const slidingLog: CacheScript = {
  name: 'sliding-log',
  // KEYS: one log per allowance. ARGV: nowMs, uniqueId, then windowMs and limit per log.
  // Members sort by time (all scored 0, by lex). Answers {admitted 1|0, then per log: requests
  // in its window, its oldest request's time in ms}.
  lua: `
local now = tonumber(ARGV[1])
local member = string.format('%015d', now) .. ':' .. ARGV[2]
local counts = {}
local admitted = 1
for i = 1, #KEYS do
  redis.call('ZREMRANGEBYLEX', KEYS[i], '-', '(' .. string.format('%015d', now - tonumber(ARGV[1 + 2 * i])))
  counts[i] = redis.call('ZCARD', KEYS[i])
  if counts[i] >= tonumber(ARGV[2 + 2 * i]) then admitted = 0 end
end
local reply = {admitted}
for i = 1, #KEYS do
  if admitted == 1 then
    redis.call('ZADD', KEYS[i], 0, member)
    redis.call('PEXPIRE', KEYS[i], ARGV[1 + 2 * i])
    counts[i] = counts[i] + 1
  end
  local oldest = redis.call('ZRANGE', KEYS[i], 0, 0)[1] or string.format('%015d', now)
  reply[#reply + 1] = counts[i]
  reply[#reply + 1] = tonumber(string.sub(oldest, 1, 15))
end
return reply`,
  memory: (s: MemoryOps, logs, [nowText, id, ...limits]) => {
    const now = Number(nowText);
    const member = `${pad(now)}:${id}`;
    const counts = logs.map((log, i) => {
      const cutoff = pad(now - Number(limits[2 * i]));
      for (const entry of s.zrange(log)) {
        if (entry < cutoff) s.zrem(log, entry);
        else break;
      }
      return s.zcard(log);
    });
    const admitted = counts.every((count, i) => count < Number(limits[2 * i + 1])) ? 1 : 0;
    const reply: number[] = [admitted];
    logs.forEach((log, i) => {
      if (admitted) {
        s.zadd(log, member);
        s.pexpire(log, Number(limits[2 * i]));
        counts[i]! += 1;
      }
      reply.push(counts[i]!, Number((s.zrange(log)[0] ?? pad(now)).slice(0, 15)));
    });
    return reply;
  },
};

/** Takes back one logged request (ZREM), e.g. a sign-in attempt that turned out to be right. */
export const slidingLogRelease: CacheScript = {
  name: 'sliding-log-release',
  lua: `return redis.call('ZREM', KEYS[1], ARGV[1])`,
  memory: (s: MemoryOps, [log], [member]) => {
    const had = s.zrange(log!).includes(member!);
    s.zrem(log!, member!);
    return had ? 1 : 0;
  },
};

/** One log a request counts against: its name (what is limited), how many, in what window. */
export type Allowance = { bucket: string; limit: number; windowMs: number };

export type RateDecision = {
  allowed: boolean;
  /** The binding allowance (the one refusing, or the one with the least room left). */
  bucket: string;
  limit: number;
  remaining: number;
  resetMs: number;
  policy: string;
  /** What was logged, so it can be taken back (giveBack). */
  entry: { member: string; buckets: string[] };
};

const local = ((globalThis as { __neurocacheLocalLimits?: CacheBackend }).__neurocacheLocalLimits ??= new MemoryCache(100_000).backend);

async function runOnCache(script: CacheScript, keys: string[], args: string[]) {
  return getCache()
    .read((backend) => backend.run(script, keys, args))
    .catch(() => local.run(script, keys, args));
}

/**
 * Takes one request from every allowance at once, or from none: admitted only if all have room.
 * The decision describes the tightest: the allowance that refused (the one whose room opens
 * last, if several), else the one with the fewest requests left.
 */
export async function take(allowances: Allowance[], now = Date.now()): Promise<RateDecision> {
  const id = randomBytes(6).toString('hex');
  const keys = allowances.map((a) => cacheKeys.rateLimit(a.bucket));
  const args = [String(now), id, ...allowances.flatMap((a) => [String(a.windowMs), String(a.limit)])];
  const [admitted, ...logs] = ((await runOnCache(slidingLog, keys, args)) as (number | string)[]).map(Number);
  const states = allowances.map((a, i) => {
    const count = logs[2 * i]!;
    // Room opens when the oldest logged request leaves the window.
    return { ...a, remaining: Math.max(0, a.limit - count), resetMs: Math.max(0, logs[2 * i + 1]! + a.windowMs - now), full: count >= a.limit };
  });
  const allowed = admitted === 1;
  const binding = allowed
    ? states.reduce((best, s) => (s.remaining < best.remaining ? s : best))
    : states.reduce((best, s) => (s.full && (!best.full || s.resetMs > best.resetMs) ? s : best));
  return {
    allowed,
    bucket: binding.bucket,
    limit: binding.limit,
    remaining: binding.remaining,
    resetMs: binding.resetMs,
    policy: `${binding.limit};w=${Math.round(binding.windowMs / 1000)}`,
    entry: { member: `${pad(now)}:${id}`, buckets: allowed ? allowances.map((a) => a.bucket) : [] },
  };
}

/** Takes back what an admitted request logged in `bucket` (as if it never happened there). */
export async function giveBack(decision: RateDecision, bucket: string): Promise<void> {
  if (!decision.entry.buckets.includes(bucket)) return;
  await runOnCache(slidingLogRelease, [cacheKeys.rateLimit(bucket)], [decision.entry.member]);
}

/** Seconds to wait before retrying, as Retry-After says them (at least 1). */
export const retryAfterSeconds = (decision: RateDecision) => Math.max(1, Math.ceil(decision.resetMs / 1000));

/**
 * Takes one request from the allowances, or throws 429 `rate_limited` with Retry-After and a
 * message saying why (given the binding decision) and how long to wait. `details.retryAfterSeconds`
 * lets the browser wait and retry by itself.
 */
export async function throttle(allowances: Allowance[], message: (decision: RateDecision) => string): Promise<RateDecision> {
  const decision = await take(allowances);
  if (!decision.allowed) {
    const seconds = retryAfterSeconds(decision);
    throw new AppError('rate_limited', `${message(decision)} Try again in ${seconds} s.`, {
      details: { retryAfterSeconds: seconds },
      headers: { 'Retry-After': String(seconds) },
    });
  }
  return decision;
}

/**
 * The public API's allowance for one request: the key's own (RATE_LIMIT_REQUESTS), and with
 * `ownerId` its owner's across all their keys (RATE_LIMIT_OWNER_REQUESTS, same window), so
 * making more keys does not make more room. `subject` names what refused, for the 429's message.
 */
export async function takeRequest(
  keyId: string,
  options: { limit?: number; windowMs?: number; now?: number; ownerId?: string } = {},
): Promise<RateDecision & { subject: string }> {
  const config = env();
  const windowMs = options.windowMs ?? config.RATE_LIMIT_WINDOW_SECONDS * 1000;
  const allowances: Allowance[] = [{ bucket: keyId, limit: options.limit ?? config.RATE_LIMIT_REQUESTS, windowMs }];
  if (options.ownerId) allowances.push({ bucket: `owner:${options.ownerId}`, limit: config.RATE_LIMIT_OWNER_REQUESTS, windowMs });
  const decision = await take(allowances, options.now);
  return { ...decision, subject: decision.bucket === keyId ? 'This key' : 'Your API keys together' };
}

/** The RateLimit headers (IETF draft) every keyed answer carries, and Retry-After on a 429. */
export function rateLimitHeaders(decision: RateDecision): Record<string, string> {
  const reset = String(Math.ceil(decision.resetMs / 1000));
  return {
    'RateLimit-Limit': String(decision.limit),
    'RateLimit-Remaining': String(decision.remaining),
    'RateLimit-Reset': reset,
    'RateLimit-Policy': decision.policy,
    ...(decision.allowed ? {} : { 'Retry-After': String(retryAfterSeconds(decision)) }),
  };
}
