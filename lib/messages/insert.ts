import 'server-only';
import { sql } from 'drizzle-orm';
import type { PgInsertValue } from 'drizzle-orm/pg-core';
import type { Database } from '@/lib/db';
import { rowsOf } from '@/lib/db/rows';
import { messages, type MessageRow } from '@/lib/db/schema';
import { idAfter } from '@/lib/ids';

// Values may be SQL (the database's now()), as drizzle's own insert takes them.
export type NewMessage = Omit<PgInsertValue<typeof messages>, 'id' | 'channelId'>;

/**
 * Runs `work` in a transaction holding the channel's lock: a new message's id and a thread's
 * summary change one writer at a time. One key for both, so a reply's summary and the next
 * message's id never race. (Embedded PGlite runs one transaction at a time anyway; leaving the
 * lock out there was measured slower under load, bench:realtime, so it is taken everywhere.)
 */
export function inChannelLock<T>(db: Database, channelId: string, work: (tx: Database) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${channelId}, 0))`);
    return work(tx);
  });
}

/**
 * Inserts under a per-channel lock with an id above the channel's last one, so messages commit in
 * id order: a reader catching up with `after=<id>` can never miss one that committed late.
 * `then` runs inside the same transaction once the row is in (not for a clientId repeat).
 */
export function insertInOrder(db: Database, channelId: string, values: NewMessage, then?: (tx: Database, inserted: MessageRow) => Promise<void>) {
  // The lock, then the newest id in a statement of its own: a statement reads the snapshot taken
  // when it began, so a read in the lock's own statement would miss a message another process
  // committed while this one waited, and could take an id below it.
  return inChannelLock(db, channelId, async (tx) => {
    const [last] = rowsOf<{ id: string | null }>(
      await tx.execute(sql`select ${messages.id} as id from ${messages} where ${messages.channelId} = ${channelId} order by ${messages.id} desc limit 1`),
    );
    const inserted = await tx
      .insert(messages)
      .values({ ...values, id: idAfter(last?.id ?? undefined), channelId })
      .onConflictDoNothing({ target: [messages.authorUserId, messages.clientId] })
      .returning();
    // What must commit with the message or not at all (its attachments).
    if (inserted[0] && then) await then(tx, inserted[0]);
    return inserted;
  });
}

