import 'server-only';
import { and, asc, desc, eq, gt, isNull, lt, type SQL } from 'drizzle-orm';
import { requireMember } from '@/lib/channels/access';
import { getCache } from '@/lib/cache';
import { fillMembers, fillWindow, pageFromSlice, pageFromWindow, readChannelSnapshot, windowSize, type ChannelSnapshot, type WindowItem } from '@/lib/cache/channel-cache';
import { getDb, type Database } from '@/lib/db';
import { channelMembers, messages } from '@/lib/db/schema';
import { notFound } from '@/lib/http/errors';
import { runInBackground } from '@/lib/background';
import { isUuid } from '@/lib/ids';
import { Timings } from '@/lib/http/timing';
import { getMessage, selectMessages, withAttachments, type MessageRowWithNames } from './format';
import type { AroundMessagesQuery, ListMessagesQuery } from './schemas';
import { endStaleReplies, shouldLookForStaleReplies } from './stale-replies';
import { threadHeader, type ThreadHeader } from './thread-reads';

export type CacheOutcome = 'HIT' | 'MISS' | 'BYPASS';

/** A history page with each message already serialized: cached pages are served as they are stored. */
export type HistoryResult = {
  messagesJson: string[];
  nextCursor: string | null;
  cache: CacheOutcome;
  timings: Timings;
  /** A thread page: its parent and the caller's read state (never cached: per caller, and always fresh). */
  thread?: ThreadHeader;
};

/** Which messages a list walks: the channel's top-level ones, or one thread's replies. */
const scopeOf = (channelId: string, threadId?: string): SQL =>
  threadId ? and(eq(messages.threadId, threadId), eq(messages.channelId, channelId))! : and(eq(messages.channelId, channelId), isNull(messages.threadId))!;

/** Serialized with their attachments, so the cached window carries them as it carries citations. */
const toItems = async (db: Database, rows: MessageRowWithNames[]): Promise<WindowItem[]> =>
  (await withAttachments(db, rows)).map((message) => ({ id: message.id, json: JSON.stringify(message) }));

/** A page straight from Postgres, for pages the cached window cannot answer. */
async function queryPage(db: Database, channelId: string, { limit, before, after, threadId }: ListMessagesQuery) {
  const scope = scopeOf(channelId, threadId);
  if (after) {
    const rows = await selectMessages(db)
      .where(and(scope, gt(messages.id, after)))
      .orderBy(asc(messages.id))
      .limit(limit + 1);
    const page = await toItems(db, rows.slice(0, limit));
    return { items: page, nextCursor: rows.length > limit ? page.at(-1)!.id : null };
  }
  const rows = await selectMessages(db)
    .where(and(scope, before ? lt(messages.id, before) : undefined))
    .orderBy(desc(messages.id))
    .limit(limit + 1);
  const page = await toItems(db, rows.slice(0, limit).reverse());
  return { items: page, nextCursor: rows.length > limit ? page[0]!.id : null };
}

/** The newest N messages (oldest first), and whether they are all the channel has. */
async function queryWindow(db: Database, channelId: string, threadId?: string) {
  const size = windowSize();
  const rows = await selectMessages(db).where(scopeOf(channelId, threadId)).orderBy(desc(messages.id)).limit(size + 1);
  return { items: await toItems(db, rows.slice(0, size).reverse()), complete: rows.length <= size };
}

async function memberIds(db: Database, channelId: string): Promise<string[]> {
  const rows = await db.select({ userId: channelMembers.userId }).from(channelMembers).where(and(eq(channelMembers.channelId, channelId), eq(channelMembers.kind, 'user')));
  return rows.map((row) => row.userId!);
}

/**
 * A page of history, oldest first. `before` walks back in time and its nextCursor is the oldest
 * id of the page; `after` walks forward (catch-up) and its nextCursor is the newest id. Ids are
 * UUIDv7, so id order is creation order and pages never overlap or skip.
 *
 * Read-through: membership and the newest window come from the cache in one round trip (HIT);
 * on a miss they are read from Postgres and filled (MISS); pages older than the window, or any
 * read while the cache is unavailable, go to Postgres alone (BYPASS).
 *
 * With `threadId` the page is of that thread's replies, from the thread's own window by the same
 * rules; its parent and the caller's read state come from Postgres on every read (one indexed
 * lookup, which is also what makes a deleted or foreign parent a 404 whatever the cache holds).
 */
export async function listMessages({ userId, channelId, query }: { userId: string; channelId: string; query: ListMessagesQuery }): Promise<HistoryResult> {
  if (!isUuid(channelId)) throw notFound('Channel');
  const timings = new Timings();
  const cache = getCache();
  const db = await getDb();
  const { threadId } = query;
  let thread: ThreadHeader | undefined;
  const result = (items: WindowItem[], nextCursor: string | null, outcome: CacheOutcome): HistoryResult => {
    const messagesJson = items.map((item) => item.json);
    if (shouldLookForStaleReplies(channelId, messagesJson)) runInBackground(endStaleReplies(db, { channelId }), 'ending interrupted replies');
    return { messagesJson, nextCursor, cache: outcome, timings, ...(thread ? { thread } : {}) };
  };

  let snapshot: ChannelSnapshot | undefined;
  try {
    snapshot = await timings.measure('cache', () => readChannelSnapshot(cache, { channelId, userId, page: query, threadId }));
  } catch {
    snapshot = undefined; // unavailable or garbage: Postgres answers this one
  }

  if (snapshot?.member === false) throw notFound('Channel');
  if (snapshot?.member === undefined) {
    const ids = await timings.measure('db', () => memberIds(db, channelId));
    if (!ids.includes(userId)) throw notFound('Channel');
    if (snapshot) await timings.measure('cache', () => fillMembers(cache, { channelId, version: snapshot.membersVersion, userIds: ids }));
  }
  // Only a member learns whether the thread exists.
  if (threadId) thread = await timings.measure('db', () => threadHeader(db, { channelId, threadId, userId }));

  if (!snapshot) {
    const page = await timings.measure('db', () => queryPage(db, channelId, query));
    return result(page.items, page.nextCursor, 'BYPASS');
  }
  if (snapshot.slice) {
    const page = pageFromSlice(snapshot.slice, query);
    if (page) return result(page.items, page.nextCursor, 'HIT');
    const older = await timings.measure('db', () => queryPage(db, channelId, query));
    return result(older.items, older.nextCursor, 'BYPASS');
  }

  const window = await timings.measure('db', () => queryWindow(db, channelId, threadId));
  await timings.measure('cache', () => fillWindow(cache, { channelId, threadId, version: snapshot.windowVersion, ...window }));
  const page = pageFromWindow(window, query) ?? (await timings.measure('db', () => queryPage(db, channelId, query)));
  return result(page.items, page.nextCursor, 'MISS');
}

/** The HTTP answer: the page as API.md shapes it, with X-Cache and Server-Timing. */
export function historyResponse(history: HistoryResult): Response {
  const thread = history.thread ? `,"parent":${history.thread.parentJson},"read":${JSON.stringify(history.thread.read)}` : '';
  const body = `{"messages":[${history.messagesJson.join(',')}],"nextCursor":${JSON.stringify(history.nextCursor)}${thread}}`;
  return new Response(body, {
    status: 200,
    headers: {
      'content-type': 'application/json',
      'cache-control': 'private, no-store',
      'x-cache': history.cache,
      'server-timing': history.timings.header(),
    },
  });
}

/** A page centred on one message (`?around=`), with a cursor each way. */
export type AroundResult = {
  messagesJson: string[];
  /** Older messages exist: pass as `before` (the oldest id of the page), as nextCursor always is. */
  nextCursor: string | null;
  /** Newer messages exist: pass as `after` (the newest id of the page). */
  prevCursor: string | null;
  /** The message the page is centred on: the one asked for, or the parent of the thread it replies in. */
  targetId: string;
  /** Set when the message asked for is a thread reply: the thread it is in (the page shows its parent). */
  threadId?: string;
  timings: Timings;
};

/**
 * Jumping to a message (search results, links): the top-level messages around it, about half the
 * page older and half newer. A thread reply is found at its parent's place in the channel, and
 * `threadId` says which thread to open. The cached window is not consulted (X-Cache: BYPASS):
 * such jumps land anywhere in history, mostly outside it, and are rare next to reading the newest.
 */
export async function listMessagesAround({ userId, channelId, query }: { userId: string; channelId: string; query: AroundMessagesQuery }): Promise<AroundResult> {
  const timings = new Timings();
  const db = await getDb();
  await timings.measure('db', () => requireMember(db, { userId, channelId }));
  const asked = await timings.measure('db', () => getMessage(db, { channelId, messageId: query.around }));
  const threadId = asked.message.threadId ?? undefined;
  const target = threadId ? await timings.measure('db', () => getMessage(db, { channelId, messageId: threadId })) : asked;
  const targetId = target.message.id;
  const newerCount = Math.floor((query.limit - 1) / 2);
  const olderCount = query.limit - 1 - newerCount;
  const topLevel = and(eq(messages.channelId, channelId), isNull(messages.threadId));
  const [older, newer] = await timings.measure('db', () =>
    Promise.all([
      selectMessages(db).where(and(topLevel, lt(messages.id, targetId))).orderBy(desc(messages.id)).limit(olderCount + 1),
      selectMessages(db).where(and(topLevel, gt(messages.id, targetId))).orderBy(asc(messages.id)).limit(newerCount + 1),
    ]),
  );
  const rows = [...older.slice(0, olderCount).reverse(), target, ...newer.slice(0, newerCount)];
  const items = await timings.measure('db', () => toItems(db, rows));
  return {
    messagesJson: items.map((item) => item.json),
    nextCursor: older.length > olderCount ? items[0]!.id : null,
    prevCursor: newer.length > newerCount ? items.at(-1)!.id : null,
    targetId,
    ...(threadId ? { threadId } : {}),
    timings,
  };
}

export function aroundResponse(page: AroundResult): Response {
  const { messagesJson, timings, ...rest } = page;
  const body = `{"messages":[${messagesJson.join(',')}],${JSON.stringify(rest).slice(1)}`;
  return new Response(body, {
    status: 200,
    headers: { 'content-type': 'application/json', 'cache-control': 'private, no-store', 'x-cache': 'BYPASS', 'server-timing': timings.header() },
  });
}
