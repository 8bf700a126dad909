import 'server-only';
import { kickIngestion } from '@/lib/knowledge/ingest';
import { inArray, lt, sql } from 'drizzle-orm';
import { getCache } from '@/lib/cache';
import { invalidateWindow } from '@/lib/cache/channel-cache';
import { getDb } from '@/lib/db';
import { rowsOf } from '@/lib/db/rows';
import { messages } from '@/lib/db/schema';
import { env } from '@/lib/env';
import { purgeUsageDays } from '@/lib/usage/budget';
import { releaseAttachments, removeReleased, sweepAttachments } from '@/lib/attachments';
import { endStaleReplies } from './stale-replies';

export type RetentionResult = { cutoff: string; deleted: number; batches: number; channels: number; skipped?: 'locked' };

// One purge at a time across every process sharing the database (an arbitrary, fixed key).
const RETENTION_LOCK = 7_210_331;

/**
 * Deletes messages older than the retention period from Postgres in bounded batches (short
 * transactions, no long locks) and drops them from the cache. Idempotent: a second run, or a
 * run racing another process, deletes nothing twice and fails nothing.
 */
export async function purgeExpiredMessages({
  now = new Date(),
  retentionDays = env().RETENTION_DAYS,
  batchSize = env().RETENTION_BATCH_SIZE,
}: { now?: Date; retentionDays?: number; batchSize?: number } = {}): Promise<RetentionResult> {
  const cutoff = new Date(now.getTime() - retentionDays * 24 * 60 * 60 * 1000);
  const db = await getDb();
  const cache = getCache();
  const touched = new Set<string>();
  let deleted = 0;
  let batches = 0;

  for (;;) {
    const batch = await db.transaction(async (tx) => {
      const [lock] = rowsOf<{ locked: boolean }>(await tx.execute(sql`select pg_try_advisory_xact_lock(${RETENTION_LOCK}) as locked`));
      if (!lock?.locked) return null;
      const doomed = (await tx.select({ id: messages.id }).from(messages).where(lt(messages.createdAt, cutoff)).orderBy(messages.createdAt).limit(batchSize)).map((row) => row.id);
      if (doomed.length === 0) return { rows: [], released: [] };
      // Their attachments are let go of first, so the cascade cannot lose the files they name.
      const released = await releaseAttachments(tx, doomed);
      const rows = await tx.delete(messages).where(inArray(messages.id, doomed)).returning({ id: messages.id, channelId: messages.channelId, threadId: messages.threadId });
      return { rows, released };
    });
    if (batch === null) return { cutoff: cutoff.toISOString(), deleted, batches, channels: touched.size, skipped: 'locked' };
    await removeReleased(db, batch.released);
    if (batch.rows.length === 0) break;
    batches += 1;
    deleted += batch.rows.length;
    const byChannel = new Map<string, string[]>();
    for (const row of batch.rows) byChannel.set(row.channelId, [...(byChannel.get(row.channelId) ?? []), row.id]);
    for (const [channelId, ids] of byChannel) {
      touched.add(channelId);
      await invalidateWindow(cache, { channelId, deletedIds: ids });
    }
    // Old replies leave their threads' windows too (a parent's own replies went with it by the cascade).
    for (const row of batch.rows) if (row.threadId) await invalidateWindow(cache, { channelId: row.channelId, threadId: row.threadId, deletedIds: [row.id] });
    if (batch.rows.length < batchSize) break;
  }
  return { cutoff: cutoff.toISOString(), deleted, batches, channels: touched.size };
}

export type MaintenanceResult = RetentionResult & { interruptedReplies: number; usageDaysPurged: number; attachmentsRemoved: number };

/**
 * The periodic upkeep (the self-hosted schedule and Vercel Cron alike): retention, ending agent
 * replies that a process which died left streaming, dropping old days of the model budget, and
 * removing uploads never sent within a day (and any attachment files a deletion left behind).
 */
export async function runMaintenance(): Promise<MaintenanceResult> {
  const retention = await purgeExpiredMessages();
  // Deployments with no long-running process (Vercel) take up documents whose indexing was cut off.
  kickIngestion();
  const db = await getDb();
  return { ...retention, interruptedReplies: await endStaleReplies(db), usageDaysPurged: await purgeUsageDays(), attachmentsRemoved: await sweepAttachments(db) };
}

/** Self-hosted: upkeep on start and then every RETENTION_INTERVAL_MINUTES (0 turns it off). */
export function startRetentionScheduler({ log = console.log }: { log?: (line: string) => void } = {}): () => void {
  const minutes = env().RETENTION_INTERVAL_MINUTES;
  if (minutes === 0) return () => {};
  const run = async () => {
    try {
      const result = await runMaintenance();
      if (result.interruptedReplies > 0) log(`[maintenance] ended ${result.interruptedReplies} interrupted agent replies`);
      if (result.deleted > 0) log(`[retention] deleted ${result.deleted} messages older than ${result.cutoff} from ${result.channels} channels`);
    } catch (error) {
      console.error('[retention] run failed', error instanceof Error ? error.message : error);
    }
  };
  const first = setTimeout(run, 10_000);
  const timer = setInterval(run, minutes * 60_000);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
