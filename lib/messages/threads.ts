import 'server-only';
import { and, eq, sql } from 'drizzle-orm';
import { getCache } from '@/lib/cache';
import { cacheNewMessage, invalidateWindow } from '@/lib/cache/channel-cache';
import type { Database } from '@/lib/db';
import { rowsOf } from '@/lib/db/rows';
import { messages, threadReads, type MessageRow } from '@/lib/db/schema';
import { invalidRequest, notFound } from '@/lib/http/errors';
import { isUuid } from '@/lib/ids';
import { getPublisher } from '@/lib/realtime/publisher';
import type { MessageJson, ThreadSummaryJson } from '@/lib/contracts/messages';

/*
 * Threads: a reply is a message whose thread_id names a top-level message of the same channel.
 * The parent keeps its thread's summary (reply_count, last_reply_at, thread_participants) so a
 * history page needs no aggregate. The summary is recomputed from the replies, in the transaction
 * that adds or removes one and under the channel's lock (the one insertInOrder takes), so two
 * replies committing together can never leave a count or a participant list that skips one.
 */

/** The top-level message a reply goes under: 404 unless it is in this channel, 400 for a reply. */
export async function requireThreadParent(db: Database, { channelId, threadId }: { channelId: string; threadId: string }): Promise<MessageRow> {
  if (!isUuid(threadId)) throw notFound('Thread');
  const [parent] = await db
    .select()
    .from(messages)
    .where(and(eq(messages.id, threadId), eq(messages.channelId, channelId)))
    .limit(1);
  if (!parent) throw notFound('Thread');
  if (parent.threadId) throw invalidRequest('That message is a reply in a thread; reply in its thread instead.', { threadId: ['Not a top-level message.'] });
  return parent;
}

/**
 * Recomputes a parent's summary from its replies (call under the channel's lock): how many, the
 * newest one's time, and who replied, each once in order of their first reply.
 */
export async function refreshThreadSummary(tx: Database, threadId: string): Promise<ThreadSummaryJson | null> {
  const [row] = rowsOf<{ reply_count: number; last_reply_at: Date | string | null; thread_participants: ThreadSummaryJson['participants'] | null }>(
    await tx.execute(sql`
      with replies as (
        select id, created_at, author_kind, coalesce(author_user_id, author_agent_id) as author_id
        from ${messages} where thread_id = ${threadId}
      ), firsts as (
        select author_kind, author_id, min(id::text) as first_id from replies group by author_kind, author_id
      ), people as (
        select jsonb_agg(jsonb_build_object('kind', f.author_kind, 'id', f.author_id, 'name', coalesce(u.name, a.name, case when f.author_kind = 'agent' then 'Deleted agent' else 'Unknown' end)) order by f.first_id) as list
        from firsts f
        left join users u on f.author_kind = 'user' and u.id = f.author_id
        left join agents a on f.author_kind = 'agent' and a.id = f.author_id
      )
      update ${messages} set
        reply_count = (select count(*) from replies),
        last_reply_at = (select max(created_at) from replies),
        thread_participants = (select list from people)
      where id = ${threadId}
      returning reply_count, last_reply_at, thread_participants`),
  );
  if (!row) return null;
  return summaryOf({ replyCount: row.reply_count, lastReplyAt: row.last_reply_at === null ? null : new Date(row.last_reply_at), threadParticipants: row.thread_participants });
}

/** A parent's summary as the API shapes it; none while it has no replies. */
export function summaryOf(row: Pick<MessageRow, 'replyCount' | 'lastReplyAt' | 'threadParticipants'>): ThreadSummaryJson | null {
  if (!row.replyCount || !row.lastReplyAt) return null;
  return { replyCount: row.replyCount, lastReplyAt: row.lastReplyAt.toISOString(), participants: row.threadParticipants ?? [] };
}

/** A person has read a thread up to `lastReadId` (never moves back: a late, older mark is ignored). */
export async function advanceThreadRead(db: Database, { userId, threadId, lastReadId }: { userId: string; threadId: string; lastReadId: string }): Promise<string> {
  const [row] = await db
    .insert(threadReads)
    .values({ userId, threadId, lastReadId })
    .onConflictDoUpdate({ target: [threadReads.userId, threadReads.threadId], set: { lastReadId: sql`greatest(${threadReads.lastReadId}, excluded.last_read_id)` } })
    .returning({ lastReadId: threadReads.lastReadId });
  return row!.lastReadId;
}

/**
 * In the transaction that stored a reply (under the channel's lock): the parent's summary, and
 * the author's read mark (they have read the thread up to what they wrote).
 */
export async function recordReply(tx: Database, reply: MessageRow): Promise<ThreadSummaryJson | null> {
  const summary = await refreshThreadSummary(tx, reply.threadId!);
  if (reply.authorUserId) await advanceThreadRead(tx, { userId: reply.authorUserId, threadId: reply.threadId!, lastReadId: reply.id });
  return summary;
}

/**
 * After a reply committed: it joins its thread's window, the channel window (which shows the
 * parent's old summary) is dropped, and members hear of both.
 */
export async function publishReply(message: MessageJson, thread: ThreadSummaryJson | null): Promise<void> {
  const { channelId, threadId } = message;
  const cache = getCache();
  await Promise.all([cacheNewMessage(cache, { channelId, threadId, id: message.id, json: JSON.stringify(message) }), invalidateWindow(cache, { channelId })]);
  const publisher = getPublisher();
  publisher.toChannel(channelId, 'message:created', { message });
  publisher.toChannel(channelId, 'thread:updated', { channelId, threadId: threadId!, thread });
}
