import 'server-only';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { getCache } from '@/lib/cache';
import { invalidateWindow } from '@/lib/cache/channel-cache';
import type { Database } from '@/lib/db';
import { messages } from '@/lib/db/schema';
import { env } from '@/lib/env';
import { getPublisher } from '@/lib/realtime/publisher';
import { selectMessages, toMessageJson } from './format';

export const INTERRUPTED = 'The hub restarted during this reply; retry it.';

/**
 * How long a reply must have been streaming before no process can still be writing it: every
 * reply is cut off at AGENT_REPLY_MAX_SECONDS, so one streaming longer than that (plus a margin
 * for the final write) was interrupted by a crash, a deploy, or a serverless function that ended.
 */
export const staleAfterMs = () => (env().AGENT_REPLY_MAX_SECONDS + 30) * 1000;

/**
 * Ends replies left "streaming" by a process that died: those streaming since before
 * `olderThanMs` ago (in one channel, or everywhere) become retryable errors, their cached windows
 * are dropped and members see the change live. Conditional on the status, so a reply that just
 * ended, or a stop, wins. Returns how many were ended.
 */
export async function endStaleReplies(db: Database, { olderThanMs = staleAfterMs(), channelId }: { olderThanMs?: number; channelId?: string } = {}): Promise<number> {
  const rows = await db
    .update(messages)
    .set({ status: 'error', errorCode: 'unavailable', errorMessage: INTERRUPTED })
    .where(
      and(
        eq(messages.status, 'streaming'),
        // Rows from before stream_started_at existed have only created_at.
        // The database's clock, which stamped stream_started_at: app servers' clocks may disagree.
        sql`coalesce(${messages.streamStartedAt}, ${messages.createdAt}) <= now() - make_interval(secs => ${olderThanMs / 1000})`,
        channelId ? eq(messages.channelId, channelId) : undefined,
      ),
    )
    .returning({ id: messages.id, channelId: messages.channelId, threadId: messages.threadId });
  if (rows.length === 0) return 0;
  const cache = getCache();
  await Promise.all([...new Set(rows.map((row) => row.channelId))].map((id) => invalidateWindow(cache, { channelId: id })));
  // Replies in threads live in their threads' windows.
  await Promise.all(rows.filter((row) => row.threadId).map((row) => invalidateWindow(cache, { channelId: row.channelId, threadId: row.threadId! })));
  const publisher = getPublisher();
  for (const row of await selectMessages(db).where(inArray(messages.id, rows.map((r) => r.id)))) {
    publisher.toChannel(row.message.channelId, 'message:updated', { message: toMessageJson(row) });
  }
  return rows.length;
}

// At most one look per channel per interval and process: a page showing a reply that is really
// streaming (a retry keeps its old createdAt) must not cost a write on every read.
const lastLook = new Map<string, number>();
const LOOK_INTERVAL_MS = 10_000;

/**
 * For history reads: if the page shows a reply that has been streaming for longer than any reply
 * may, end the channel's stale replies. This is what recovers interrupted replies on a deployment
 * with no long-running process to do it at start (Vercel).
 */
export function shouldLookForStaleReplies(channelId: string, messagesJson: string[], now = Date.now()): boolean {
  const stale = now - staleAfterMs();
  const suspect = messagesJson.some((json) => {
    if (!json.includes('"status":"streaming"')) return false;
    const { createdAt } = JSON.parse(json) as { createdAt: string };
    return Date.parse(createdAt) <= stale;
  });
  if (!suspect || now - (lastLook.get(channelId) ?? 0) < LOOK_INTERVAL_MS) return false;
  lastLook.set(channelId, now);
  if (lastLook.size > 10_000) lastLook.clear();
  return true;
}
