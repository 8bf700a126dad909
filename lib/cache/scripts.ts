import 'server-only';
import type { CacheScript, MemoryOps, ScriptReply } from './port';

/*
 * The atomic operations behind the channel caches, each written twice: in Lua for Redis and
 * Upstash, and in TypeScript for the in-process cache. The behaviour suite runs the same cases
 * against all three, so the twins cannot drift apart.
 *
 * A cached window is a sorted set whose members are all scored 0, so Redis orders them by bytes:
 * one sentinel ('!c' complete: the window holds every message of the channel; '!p' partial:
 * older ones exist) and then `<uuidv7>|<message json>`, which sorts by id, that is by time.
 * An empty channel is a set holding only the sentinel: cached as empty, not a miss.
 */

export const COMPLETE = '!c';
export const PARTIAL = '!p';
export const MEMBER_SENTINEL = '!';

const str = (v: string | null) => v ?? '0';

/** A write's version change: +1, or a fresh random seed when the version is gone. */
function bumpVersion(s: { exists(key: string): boolean; incr(key: string): number; set(key: string, value: string): void }, key: string, seed: string) {
  if (s.exists(key)) s.incr(key);
  else s.set(key, seed);
}

/** A random starting version: large enough never to be reached by increments from another seed. */
export function versionSeed(): string {
  return String(Date.now() * 1000 + Math.floor(Math.random() * 1000));
}

/**
 * Membership and the part of a channel's window that one history page needs, in one round trip.
 * Modes: 'all' (the whole window), 'latest' (the newest `count`), 'before' (the `count` just
 * older than a cursor, newest first) and 'after' (the `count` just newer than a cursor).
 * Members are `<id>|<json>`, so id ranges are lexical ranges: below `<id>|` is older, above
 * `<id>}` ('}' follows '|') is newer.
 */
export const readChannel: CacheScript = {
  name: 'read-channel',
  // KEYS: members, membersVersion, window, windowVersion.
  // ARGV: userId, ttlMs, versionSeed, versionTtlMs, mode, cursor, count.
  // A missing version is seeded with a random integer, never left absent: if it were, a flush or
  // an eviction during a fill could make "absent" match again and let a stale fill through.
  lua: `
local function version(key)
  local v = redis.call('GET', key)
  if not v then
    v = ARGV[3]
    redis.call('SET', key, v, 'PX', ARGV[4])
  end
  return v
end
local member = -1
if redis.call('EXISTS', KEYS[1]) == 1 then
  member = redis.call('SISMEMBER', KEYS[1], ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
local sentinel = redis.call('ZRANGE', KEYS[3], 0, 0)[1] or ''
local oldest = ''
local items = {}
if sentinel ~= '' then
  redis.call('PEXPIRE', KEYS[3], ARGV[2])
  oldest = string.sub(redis.call('ZRANGE', KEYS[3], 1, 1)[1] or '', 1, 36)
  local mode = ARGV[5] or 'all'
  local count = tonumber(ARGV[7] or '0')
  if mode == 'latest' then
    items = redis.call('ZRANGE', KEYS[3], -count, -1)
  elseif mode == 'before' then
    items = redis.call('ZREVRANGEBYLEX', KEYS[3], '(' .. ARGV[6] .. '|', '[0', 'LIMIT', 0, count)
  elseif mode == 'after' then
    items = redis.call('ZRANGEBYLEX', KEYS[3], '(' .. ARGV[6] .. '}', '+', 'LIMIT', 0, count)
  else
    items = redis.call('ZRANGE', KEYS[3], 1, -1)
  end
end
return {member, version(KEYS[2]), version(KEYS[4]), sentinel, oldest, items}`,
  memory: (s: MemoryOps, [members, membersVersion, window, windowVersion], [userId, ttl, seed, versionTtl, mode = 'all', cursor = '', count = '0']) => {
    const version = (key: string) => {
      const found = s.get(key);
      if (found !== null) return found;
      s.set(key, seed!);
      s.pexpire(key, Number(versionTtl));
      return seed!;
    };
    let member = -1;
    if (s.exists(members!)) {
      member = s.sismember(members!, userId!) ? 1 : 0;
      s.pexpire(members!, Number(ttl));
    }
    const all = s.zrange(window!);
    const sentinel = all[0] ?? '';
    let items: string[] = [];
    if (sentinel) {
      s.pexpire(window!, Number(ttl));
      const n = Number(count);
      if (mode === 'latest') items = all.slice(-n);
      else if (mode === 'before') items = all.filter((m) => m >= '0' && m < `${cursor}|`).reverse().slice(0, n);
      else if (mode === 'after') items = all.filter((m) => m > `${cursor}}`).slice(0, n);
      else items = all.slice(1);
    }
    return [member, version(membersVersion!), version(windowVersion!), sentinel, (all[1] ?? '').slice(0, 36), items];
  },
};

/** Membership alone: 1 member, 0 not a member, -1 not cached. */
export const isMemberCached: CacheScript = {
  name: 'is-member',
  // KEYS: members. ARGV: userId, ttlMs.
  lua: `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return redis.call('SISMEMBER', KEYS[1], ARGV[1])`,
  memory: (s, [members], [userId, ttl]) => {
    if (!s.exists(members!)) return -1;
    s.pexpire(members!, Number(ttl));
    return s.sismember(members!, userId!) ? 1 : 0;
  },
};

/**
 * Replaces a cached value only if nothing was written since the reader took `expectedVersion`
 * (before it read Postgres): a fill racing a write loses, and the write is never lost.
 */
export const fillIfUnchanged: CacheScript = {
  name: 'fill-if-unchanged',
  // KEYS: key, versionKey. ARGV: expectedVersion, ttlMs, 'zset'|'set', ...members.
  lua: `
if (redis.call('GET', KEYS[2]) or '0') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
for i = 4, #ARGV do
  if ARGV[3] == 'zset' then redis.call('ZADD', KEYS[1], 0, ARGV[i]) else redis.call('SADD', KEYS[1], ARGV[i]) end
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`,
  memory: (s, [key, versionKey], [expected, ttl, type, ...members]) => {
    if (str(s.get(versionKey!)) !== expected) return 0;
    s.del(key!);
    for (const member of members) {
      if (type === 'zset') s.zadd(key!, member);
      else s.sadd(key!, member);
    }
    s.pexpire(key!, Number(ttl));
    return 1;
  },
};

/**
 * Adds a new message to a cached window, if there is one: in id order, never a second copy of
 * an id, never an id deleted meanwhile (tombstones), trimmed to the newest `max`. Bumps the
 * version either way, so a fill that read Postgres before this message committed is refused. A
 * version that is gone (evicted, flushed) is seeded afresh rather than counted up from 0: INCR on
 * a missing key gives 1, 2, ... again, and a reader that noted such a small version before the loss
 * could see it come back and fill a list missing this message.
 */
export const insertIntoWindow: CacheScript = {
  name: 'insert-into-window',
  // KEYS: window, windowVersion, tombstones. ARGV: id, member, max, ttlMs, versionTtlMs, versionSeed.
  lua: `
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('INCR', KEYS[2]) else redis.call('SET', KEYS[2], ARGV[6]) end
redis.call('PEXPIRE', KEYS[2], ARGV[5])
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('SISMEMBER', KEYS[3], ARGV[1]) == 1 then return 0 end
if #redis.call('ZRANGEBYLEX', KEYS[1], '[' .. ARGV[1] .. '|', '(' .. ARGV[1] .. '}', 'LIMIT', 0, 1) > 0 then return 0 end
redis.call('ZADD', KEYS[1], 0, ARGV[2])
local count = redis.call('ZCARD', KEYS[1]) - 1
local max = tonumber(ARGV[3])
if count > max then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 1, count - max)
  redis.call('ZREM', KEYS[1], '${COMPLETE}')
  redis.call('ZADD', KEYS[1], 0, '${PARTIAL}')
end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1`,
  memory: (s, [window, windowVersion, tombstones], [id, member, max, ttl, versionTtl, seed]) => {
    bumpVersion(s, windowVersion!, seed!);
    s.pexpire(windowVersion!, Number(versionTtl));
    if (!s.exists(window!)) return 0;
    if (s.sismember(tombstones!, id!)) return 0;
    if (s.zrange(window!).some((m) => m.startsWith(`${id}|`))) return 0;
    s.zadd(window!, member!);
    const count = s.zcard(window!) - 1;
    if (count > Number(max)) {
      s.zremrangebyrank(window!, 1, count - Number(max));
      s.zrem(window!, COMPLETE);
      s.zadd(window!, PARTIAL);
    }
    s.pexpire(window!, Number(ttl));
    return 1;
  },
};

/**
 * Drops a cached value after a write that cannot be applied in place (an edit, a delete, a
 * membership change), bumping its version so an in-flight fill cannot put the old one back.
 * Deleted ids become tombstones, so a late insert of one cannot resurrect it.
 */
export const invalidate: CacheScript = {
  name: 'invalidate',
  // KEYS: key, versionKey, tombstones. ARGV: versionTtlMs, tombstoneTtlMs, versionSeed, ...deletedIds.
  // A missing version is seeded, not counted up from 0 (see insertIntoWindow).
  lua: `
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('INCR', KEYS[2]) else redis.call('SET', KEYS[2], ARGV[3]) end
redis.call('PEXPIRE', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[1])
if #ARGV > 3 then
  for i = 4, #ARGV do redis.call('SADD', KEYS[3], ARGV[i]) end
  redis.call('PEXPIRE', KEYS[3], ARGV[2])
end
return 1`,
  memory: (s, [key, versionKey, tombstones], [versionTtl, tombstoneTtl, seed, ...deletedIds]) => {
    bumpVersion(s, versionKey!, seed!);
    s.pexpire(versionKey!, Number(versionTtl));
    s.del(key!);
    if (deletedIds.length > 0) {
      for (const id of deletedIds) s.sadd(tombstones!, id);
      s.pexpire(tombstones!, Number(tombstoneTtl));
    }
    return 1;
  },
};

export type ChannelSnapshot = {
  /** true or false when the membership set is cached; undefined on a miss. */
  member: boolean | undefined;
  membersVersion: string;
  windowVersion: string;
  /** The window's sentinel followed by the members read, as the script returned them; empty on a miss. */
  window: string[];
  /** Id of the oldest message in the window ('' when the window is empty or missing). */
  oldestId: string;
};

export class CacheReplyShapeError extends Error {
  constructor(what: string) {
    super(`unexpected cache reply: ${what}`);
    this.name = 'CacheReplyShapeError';
  }
}

/** Checks the shape of a read-channel reply; a cache answering garbage is refused, not trusted. */
export function parseSnapshot(reply: ScriptReply): ChannelSnapshot {
  if (!Array.isArray(reply) || reply.length !== 6) throw new CacheReplyShapeError('read-channel is not a 6-tuple');
  const [member, membersVersion, windowVersion, sentinel, oldestId, items] = reply;
  if (![-1, 0, 1].includes(Number(member))) throw new CacheReplyShapeError('membership flag');
  if (typeof membersVersion !== 'string' && typeof membersVersion !== 'number') throw new CacheReplyShapeError('members version');
  if (typeof windowVersion !== 'string' && typeof windowVersion !== 'number') throw new CacheReplyShapeError('window version');
  if (typeof sentinel !== 'string' || typeof oldestId !== 'string') throw new CacheReplyShapeError('window sentinel');
  if (!Array.isArray(items) || !items.every((m) => typeof m === 'string')) throw new CacheReplyShapeError('window members');
  return {
    member: Number(member) === -1 ? undefined : Number(member) === 1,
    membersVersion: String(membersVersion),
    windowVersion: String(windowVersion),
    window: sentinel ? [sentinel, ...(items as string[])] : [],
    oldestId,
  };
}
