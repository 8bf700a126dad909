import 'server-only';
import { and, eq, sql } from 'drizzle-orm';
import { requireMember } from '@/lib/channels/access';
import { getDb, type Database } from '@/lib/db';
import { rowsOf } from '@/lib/db/rows';
import { messages, threadReads } from '@/lib/db/schema';
import { invalidRequest, notFound } from '@/lib/http/errors';
import { isUuid } from '@/lib/ids';
import { selectMessages, withAttachments } from './format';
import { advanceThreadRead, requireThreadParent } from './threads';

/*
 * Unread replies, per person: thread_reads keeps the newest reply each person has read in each
 * thread (writing a reply marks it read). A reply is unread for a person when it is newer than
 * their mark and somebody else wrote it. This state is per caller, so it never enters the cached
 * JSON every member shares: a thread page carries it beside the messages (`read`), and the
 * channel's list of unread threads is its own request.
 */

/** Where a person stands in one thread. */
export type ThreadRead = { lastReadId: string | null; unreadCount: number; unread: boolean };
/** What a thread page carries beside its replies: the parent (serialized) and the caller's read state. */
export type ThreadHeader = { parentJson: string; read: ThreadRead };

const NIL = '00000000-0000-0000-0000-000000000000';

/** Replies of `threadId` newer than the person's mark and not theirs. */
const unreadCountSql = (threadId: unknown, userId: string) => sql<number>`(
  select count(*)::int from ${messages} r
  where r.thread_id = ${threadId}
    and r.id > coalesce((select tr.last_read_id from ${threadReads} tr where tr.thread_id = ${threadId} and tr.user_id = ${userId}), ${NIL}::uuid)
    and r.author_user_id is distinct from ${userId}::uuid)`;

/** A thread page's parent and the caller's read state, in one lookup (404 for no such thread in this channel). */
export async function threadHeader(db: Database, { channelId, threadId, userId }: { channelId: string; threadId: string; userId: string }): Promise<ThreadHeader> {
  if (!isUuid(threadId)) throw notFound('Thread');
  const [row] = await selectMessages(db)
    .where(and(eq(messages.id, threadId), eq(messages.channelId, channelId)))
    .limit(1);
  if (!row) throw notFound('Thread');
  if (row.message.threadId) throw invalidRequest('That message is a reply in a thread, not the start of one.', { threadId: ['Not a top-level message.'] });
  const [[parent], read] = await Promise.all([withAttachments(db, [row]), readState(db, { threadId, userId })]);
  return { parentJson: JSON.stringify(parent), read };
}

async function readState(db: Database, { threadId, userId }: { threadId: string; userId: string }): Promise<ThreadRead> {
  const [row] = rowsOf<{ last_read_id: string | null; unread_count: number }>(
    await db.execute(sql`select (select tr.last_read_id from ${threadReads} tr where tr.thread_id = ${threadId} and tr.user_id = ${userId}) as last_read_id, ${unreadCountSql(threadId, userId)} as unread_count`),
  );
  const unreadCount = Number(row?.unread_count ?? 0);
  return { lastReadId: row?.last_read_id ?? null, unreadCount, unread: unreadCount > 0 };
}

/**
 * PUT .../threads/:threadId/read: the caller has read the thread up to `lastReadId` (a reply of
 * it, or the parent itself for "nothing yet"). Never moves the mark back.
 */
export async function markThreadRead({ userId, channelId, threadId, lastReadId }: { userId: string; channelId: string; threadId: string; lastReadId: string }): Promise<ThreadRead & { threadId: string }> {
  const db = await getDb();
  await requireMember(db, { userId, channelId });
  await requireThreadParent(db, { channelId, threadId });
  if (lastReadId !== threadId) {
    const [reply] = await db
      .select({ id: messages.id })
      .from(messages)
      .where(and(eq(messages.id, lastReadId), eq(messages.threadId, threadId)))
      .limit(1);
    if (!reply) throw invalidRequest('lastReadId is not a message of this thread.', { lastReadId: ['Not a message of this thread.'] });
  }
  await advanceThreadRead(db, { userId, threadId, lastReadId });
  return { threadId, ...(await readState(db, { threadId, userId })) };
}

/**
 * GET .../threads/unread: the caller's threads in the channel with unread replies (threads they
 * started, or have read or written in), each with how many.
 */
export async function listUnreadThreads({ userId, channelId }: { userId: string; channelId: string }): Promise<{ threadId: string; unreadCount: number }[]> {
  const db = await getDb();
  await requireMember(db, { userId, channelId });
  const rows = rowsOf<{ thread_id: string; unread_count: number }>(
    await db.execute(sql`
      select p.id as thread_id, count(r.id)::int as unread_count
      from ${messages} p
      left join ${threadReads} tr on tr.thread_id = p.id and tr.user_id = ${userId}
      join ${messages} r on r.thread_id = p.id and r.id > coalesce(tr.last_read_id, ${NIL}::uuid) and r.author_user_id is distinct from ${userId}::uuid
      where p.channel_id = ${channelId} and p.thread_id is null and p.reply_count > 0
        and (p.author_user_id = ${userId} or tr.user_id is not null)
      group by p.id
      order by p.id`),
  );
  return rows.map((row) => ({ threadId: row.thread_id, unreadCount: Number(row.unread_count) }));
}
