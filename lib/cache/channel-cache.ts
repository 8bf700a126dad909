import 'server-only';
import { env } from '@/lib/env';
import type { CacheBackend } from './port';
import type { ResilientCache } from './resilient';
import {
  COMPLETE,
  CacheReplyShapeError,
  fillIfUnchanged,
  insertIntoWindow,
  invalidate,
  isMemberCached,
  MEMBER_SENTINEL,
  PARTIAL,
  parseSnapshot,
  readChannel,
  versionSeed,
} from './scripts';

/*
 * The channel caches: each channel's newest N messages (oldest first) and its member ids.
 *
 * Consistency scheme (why no read returns a list Postgres contradicts):
 * 1. Postgres is written first, in its transaction; the cache is touched only after commit.
 * 2. Every write bumps the channel's version key atomically with its cache change: a new message
 *    is inserted in id order (never twice, never if deleted); an edit or delete drops the window.
 * 3. A reader that misses notes the version, reads Postgres, and fills only if the version is
 *    still the one it noted (fillIfUnchanged). A fill that raced a write is refused, so it can
 *    never put back a list missing that write. A reader that finds no version seeds a random
 *    one, so a version lost to a flush or an eviction can never match an old note again.
 * 4. If the cache cannot be reached, reads go to Postgres (X-Cache: BYPASS) and each failed write
 *    leaves a repair that ResilientCache replays before the cache is trusted again.
 * Memberships follow the same scheme, so a removed member loses access at once.
 *
 * Threads: the channel window holds top-level messages only; each thread has its own window of
 * replies (`threadId` below), keyed under its channel so a window can only ever be read through
 * a membership of the channel its fill was checked against. Both follow the scheme above. A reply
 * changes its parent's summary, so every reply created or deleted also drops the channel window
 * (as an edit does): summaries written in place could land out of order and leave a stale count.
 */

export const cacheKeys = {
  window: (channelId: string) => `channel:${channelId}:messages`,
  windowVersion: (channelId: string) => `channel:${channelId}:messages:v`,
  tombstones: (channelId: string) => `channel:${channelId}:messages:deleted`,
  threadWindow: (channelId: string, threadId: string) => `channel:${channelId}:thread:${threadId}:messages`,
  threadWindowVersion: (channelId: string, threadId: string) => `channel:${channelId}:thread:${threadId}:messages:v`,
  threadTombstones: (channelId: string, threadId: string) => `channel:${channelId}:thread:${threadId}:messages:deleted`,
  members: (channelId: string) => `channel:${channelId}:members`,
  membersVersion: (channelId: string) => `channel:${channelId}:members:v`,
  session: (tokenHash: string) => `session:${tokenHash}`,
  apiKey: (keyHash: string) => `apikey:${keyHash}`,
  rateLimit: (keyId: string) => `ratelimit:${keyId}`,
};

/** A window's keys: the channel's top-level window, or one thread's replies (`threadId`). */
function windowKeys(channelId: string, threadId?: string): [window: string, version: string, tombstones: string] {
  return threadId
    ? [cacheKeys.threadWindow(channelId, threadId), cacheKeys.threadWindowVersion(channelId, threadId), cacheKeys.threadTombstones(channelId, threadId)]
    : [cacheKeys.window(channelId), cacheKeys.windowVersion(channelId), cacheKeys.tombstones(channelId)];
}

// Versions and tombstones outlive any fill or late write by a wide margin.
const VERSION_TTL_MS = 24 * 60 * 60 * 1000;
const TOMBSTONE_TTL_MS = 24 * 60 * 60 * 1000;

const ttlMs = () => env().CACHE_TTL_SECONDS * 1000;
export const windowSize = () => env().CACHE_HISTORY_SIZE;

export type WindowItem = { id: string; json: string };
/** A whole cached window, oldest first. */
export type CachedWindow = { complete: boolean; items: WindowItem[] };
/** The part of a window one page needs: up to limit + 1 items around the cursor, oldest first. */
export type WindowSlice = { complete: boolean; oldestId: string; items: WindowItem[] };
export type ChannelSnapshot = {
  member: boolean | undefined;
  membersVersion: string;
  windowVersion: string;
  /** The whole window, when no page was asked for. */
  window?: CachedWindow;
  /** The slice for the page asked for. */
  slice?: WindowSlice;
};

export type PageQuery = { limit: number; before?: string; after?: string };
export type WindowPage = { items: WindowItem[]; nextCursor: string | null };

const UUID_PREFIX = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\|/;

function decodeItem(member: string): WindowItem {
  if (!UUID_PREFIX.test(member)) throw new CacheReplyShapeError('window member');
  return { id: member.slice(0, 36), json: member.slice(37) };
}

/** Decodes a window's raw members (sentinel first); anything that is not what we write is refused. */
export function decodeWindow(raw: string[]): CachedWindow | undefined {
  if (raw.length === 0) return undefined;
  const [sentinel, ...members] = raw;
  if (sentinel !== COMPLETE && sentinel !== PARTIAL) throw new CacheReplyShapeError('window sentinel');
  // A 'latest' read longer than the window includes the sentinel again.
  return { complete: sentinel === COMPLETE, items: members.filter((m) => m !== sentinel).map(decodeItem) };
}

function readMode(page?: PageQuery): [mode: string, cursor: string, count: string] {
  if (!page) return ['all', '', '0'];
  const count = String(page.limit + 1);
  if (page.after) return ['after', page.after, count];
  if (page.before) return ['before', page.before, count];
  return ['latest', '', count];
}

/**
 * Membership, versions and the window (whole, or only the slice `page` needs) in one round trip.
 */
export async function readChannelSnapshot(
  cache: ResilientCache,
  { channelId, userId, page, threadId }: { channelId: string; userId: string; page?: PageQuery; threadId?: string },
): Promise<ChannelSnapshot> {
  const [windowKey, versionKey] = windowKeys(channelId, threadId);
  const reply = await cache.read((backend) =>
    backend.run(
      readChannel,
      [cacheKeys.members(channelId), cacheKeys.membersVersion(channelId), windowKey, versionKey],
      [userId, String(ttlMs()), versionSeed(), String(VERSION_TTL_MS), ...readMode(page)],
    ),
  );
  const { window: raw, oldestId, ...snapshot } = parseSnapshot(reply);
  const window = decodeWindow(raw);
  if (!page || !window) return { ...snapshot, window };
  // 'before' arrives newest first; a slice is oldest first like everything else.
  const items = page.before && !page.after ? [...window.items].reverse() : window.items;
  return { ...snapshot, slice: { complete: window.complete, oldestId, items } };
}

/** The slice of a whole window that `page` needs, as readChannelSnapshot would read it. */
export function sliceOf(window: CachedWindow, { limit, before, after }: PageQuery): WindowSlice {
  const count = limit + 1;
  const items = after
    ? window.items.filter((item) => item.id > after).slice(0, count)
    : before
      ? window.items.filter((item) => item.id < before).slice(-count)
      : window.items.slice(-count);
  return { complete: window.complete, oldestId: window.items[0]?.id ?? '', items };
}

/**
 * Answers a history page from a slice when the window is certain to hold all of it, else
 * undefined (the page reaches older than the window: Postgres answers it).
 */
export function pageFromSlice({ complete, oldestId, items }: WindowSlice, { limit, after }: PageQuery): WindowPage | undefined {
  if (after) {
    // Everything after `after` is in the window if the window starts at or before it.
    if (!complete && (!oldestId || after < oldestId)) return undefined;
    const page = items.slice(0, limit);
    return { items: page, nextCursor: items.length > limit ? page.at(-1)!.id : null };
  }
  if (items.length > limit) {
    const page = items.slice(-limit);
    return { items: page, nextCursor: page[0]!.id };
  }
  if (complete) return { items, nextCursor: null };
  // A partial window ends where Postgres holds older messages: a full page can still be served.
  return items.length === limit ? { items, nextCursor: items[0]!.id } : undefined;
}

export function pageFromWindow(window: CachedWindow, page: PageQuery): WindowPage | undefined {
  return pageFromSlice(sliceOf(window, page), page);
}

/** Cached membership: true or false when known, undefined when not cached or unreachable. */
export async function cachedMembership(cache: ResilientCache, { channelId, userId }: { channelId: string; userId: string }): Promise<boolean | undefined> {
  try {
    const reply = Number(await cache.read((backend) => backend.run(isMemberCached, [cacheKeys.members(channelId)], [userId, String(ttlMs())])));
    return reply === -1 ? undefined : reply === 1;
  } catch {
    return undefined;
  }
}

/** Best effort: a fill that fails or loses a race only means the next read misses too. */
export async function fillWindow(
  cache: ResilientCache,
  { channelId, threadId, version, items, complete }: { channelId: string; threadId?: string; version: string; items: WindowItem[]; complete: boolean },
): Promise<boolean> {
  const members = [complete ? COMPLETE : PARTIAL, ...items.map((item) => `${item.id}|${item.json}`)];
  const [windowKey, versionKey] = windowKeys(channelId, threadId);
  try {
    const reply = await cache.read((backend) =>
      backend.run(fillIfUnchanged, [windowKey, versionKey], [version, String(ttlMs()), 'zset', ...members]),
    );
    return Number(reply) === 1;
  } catch {
    return false;
  }
}

export async function fillMembers(cache: ResilientCache, { channelId, version, userIds }: { channelId: string; version: string; userIds: string[] }): Promise<boolean> {
  try {
    const reply = await cache.read((backend) =>
      backend.run(fillIfUnchanged, [cacheKeys.members(channelId), cacheKeys.membersVersion(channelId)], [version, String(ttlMs()), 'set', MEMBER_SENTINEL, ...userIds]),
    );
    return Number(reply) === 1;
  } catch {
    return false;
  }
}

const invalidateWindowScript = (keys: string[], deletedIds: string[]) => (backend: CacheBackend) =>
  backend.run(invalidate, keys, [String(VERSION_TTL_MS), String(TOMBSTONE_TTL_MS), versionSeed(), ...deletedIds]);

/**
 * After a new message committed: add it to the cached window (its thread's, for a reply), or (if
 * that fails) drop the window.
 */
export function cacheNewMessage(cache: ResilientCache, { channelId, threadId, id, json }: { channelId: string; threadId?: string; id: string; json: string }) {
  const keys = windowKeys(channelId, threadId);
  return cache.write(
    keys[0],
    (backend) => backend.run(insertIntoWindow, keys, [id, `${id}|${json}`, String(windowSize()), String(ttlMs()), String(VERSION_TTL_MS), versionSeed()]),
    invalidateWindowScript(keys, []),
  );
}

/** After an edit, a delete (with its ids) or a status change committed: drop the window (a thread's, with `threadId`). */
export function invalidateWindow(cache: ResilientCache, { channelId, threadId, deletedIds = [] }: { channelId: string; threadId?: string; deletedIds?: string[] }) {
  const keys = windowKeys(channelId, threadId);
  return cache.write(keys[0], invalidateWindowScript(keys, deletedIds));
}

/** After a membership change committed: drop the member set. */
export function invalidateMembers(cache: ResilientCache, { channelId }: { channelId: string }) {
  return cache.write(cacheKeys.members(channelId), (backend) =>
    backend.run(invalidate, [cacheKeys.members(channelId), cacheKeys.membersVersion(channelId), cacheKeys.tombstones(channelId)], [String(VERSION_TTL_MS), '0', versionSeed()]),
  );
}
