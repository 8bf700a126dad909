import 'server-only';
import { eq, sql, sum } from 'drizzle-orm';
import type { Database } from '@/lib/db';
import { documents } from '@/lib/db/schema';
import { env } from '@/lib/env';
import { describeBytes } from '@/lib/bytes';

/**
 * The per-person storage limit (KNOWLEDGE_MAX_BYTES_PER_USER), one rule for uploads and for web
 * pages the indexing job fetches: the bytes a person's documents hold, counted inside a
 * transaction that holds the person's advisory lock, so concurrent additions take turns and
 * together cannot pass it.
 */

/** Bytes of documents a person holds. */
export async function storageUsed(db: Database, userId: string): Promise<number> {
  const [row] = await db.select({ bytes: sum(documents.bytes) }).from(documents).where(eq(documents.ownerId, userId));
  return Number(row?.bytes ?? 0);
}

/** Takes the person's storage lock for the rest of the transaction `tx`, and says how many bytes they hold. */
export async function lockStorage(tx: Database, userId: string): Promise<number> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`knowledge-storage:${userId}`}, 0))`);
  return storageUsed(tx, userId);
}

/** Whether `adding` more bytes fit beside `used`. */
export const fitsStorage = (used: number, adding: number) => used + adding <= env().KNOWLEDGE_MAX_BYTES_PER_USER;

/** The sentence of a refusal: what the documents would come to, against the limit. */
export const overStorageMessage = (used: number, adding: number) =>
  `These documents would bring yours to ${describeBytes(used + adding)}, over your storage limit of ${describeBytes(env().KNOWLEDGE_MAX_BYTES_PER_USER)}; delete some documents first.`;
