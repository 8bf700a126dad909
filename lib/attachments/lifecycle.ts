import 'server-only';
import { and, asc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import type { AttachmentJson } from '@/lib/contracts/abilities';
import type { Database } from '@/lib/db';
import { attachments, type AttachmentRow } from '@/lib/db/schema';
import { env } from '@/lib/env';
import { invalidRequest } from '@/lib/http/errors';
import { isUuid } from '@/lib/ids';
import { getFileStore } from '@/lib/storage';
import { keysOf, toAttachmentJson } from './format';

/*
 * An attachment's life: uploaded (no message yet, its uploader's for a day), claimed by the
 * message that carries it, and gone with that message. Rows cascade with their message, which
 * would lose the files they point to, so a message's attachments are first let go of in the
 * deleting transaction: message_id cleared and created_at set to TOMBSTONE. The files are then
 * removed, and the rows after them; if that is cut short, the periodic sweep finishes it, so no
 * file is ever left without a row that names it.
 */

/** created_at of an attachment whose files are to be removed (no upload is that old). */
export const TOMBSTONE = new Date(0);

/** How long an upload waits for a message before the sweep takes it. */
export const UNSENT_TTL_MS = 24 * 60 * 60 * 1000;

const SWEEP_BATCH = 500;

/** The database's clock, which stamped created_at: app servers' clocks may disagree. */
const youngerThan = (ms: number) => sql`${attachments.createdAt} > now() - make_interval(secs => ${ms / 1000})`;

/**
 * Gives a new message its attachments, inside the transaction that inserts it: only the sender's
 * own uploads to this channel that no message carries yet and that have not expired. Anything
 * else (another person's, already sent, unknown) is refused with one sentence, never saying which
 * of those it was.
 */
export async function claimAttachments(
  tx: Database,
  { userId, channelId, messageId, attachmentIds }: { userId: string; channelId: string; messageId: string; attachmentIds: string[] },
): Promise<AttachmentJson[]> {
  const ids = [...new Set(attachmentIds)];
  if (ids.length === 0) return [];
  const max = env().ATTACHMENTS_PER_MESSAGE;
  if (ids.length > max) throw invalidRequest(`A message can carry at most ${max} attachments.`, { attachmentIds: [`At most ${max}.`] });
  const wellFormed = ids.filter(isUuid);
  const rows = wellFormed.length
    ? await tx
        .update(attachments)
        .set({ messageId })
        .where(
          and(
            inArray(attachments.id, wellFormed),
            eq(attachments.uploaderId, userId),
            eq(attachments.channelId, channelId),
            isNull(attachments.messageId),
            youngerThan(UNSENT_TTL_MS),
          ),
        )
        .returning()
    : [];
  if (rows.length < ids.length) {
    const claimed = new Set(rows.map((row) => row.id));
    const refused = ids.filter((id) => !claimed.has(id));
    throw invalidRequest(
      refused.length === 1
        ? 'One of the attachments is not an upload of yours to this channel waiting to be sent (it may have been sent already, or expired); upload the file again.'
        : `${refused.length} of the attachments are not uploads of yours to this channel waiting to be sent (they may have been sent already, or expired); upload the files again.`,
      { attachmentIds: refused },
    );
  }
  return rows.sort((a, b) => (a.id < b.id ? -1 : 1)).map(toAttachmentJson);
}

/** The attachments of each message, in upload order: what history pages carry. */
export async function attachmentsOf(db: Database, messageIds: string[]): Promise<Map<string, AttachmentJson[]>> {
  const byMessage = new Map<string, AttachmentJson[]>();
  const ids = [...new Set(messageIds)];
  if (ids.length === 0) return byMessage;
  const rows = await db.select().from(attachments).where(inArray(attachments.messageId, ids)).orderBy(asc(attachments.id));
  for (const row of rows) {
    const list = byMessage.get(row.messageId!) ?? [];
    list.push(toAttachmentJson(row));
    byMessage.set(row.messageId!, list);
  }
  return byMessage;
}

type Doomed = Pick<AttachmentRow, 'id' | 'storageKey' | 'thumbnailKey'>;
const doomedColumns = { id: attachments.id, storageKey: attachments.storageKey, thumbnailKey: attachments.thumbnailKey };

/**
 * Inside the transaction that deletes these messages: lets go of their attachments (marked for
 * removal) so the cascade cannot take the rows that name their files. Returns what to remove once
 * the transaction has committed (`removeFiles`).
 */
export async function releaseAttachments(tx: Database, messageIds: string[]): Promise<Doomed[]> {
  if (messageIds.length === 0) return [];
  return tx.update(attachments).set({ messageId: null, createdAt: TOMBSTONE }).where(inArray(attachments.messageId, messageIds)).returning(doomedColumns);
}

/**
 * Removes released attachments' files, then their rows. A file store failure leaves the rows
 * for the sweep to try again (and is logged); it never fails the caller, whose deletion stands.
 */
export async function removeReleased(db: Database, doomed: Doomed[]): Promise<number> {
  if (doomed.length === 0) return 0;
  try {
    await getFileStore().remove(doomed.flatMap(keysOf));
  } catch (error) {
    console.error('[attachments] removing files failed; the sweep tries again', error instanceof Error ? error.message : error);
    return 0;
  }
  const gone = await db
    .delete(attachments)
    .where(and(inArray(attachments.id, doomed.map((row) => row.id)), isNull(attachments.messageId), eq(attachments.createdAt, TOMBSTONE)))
    .returning({ id: attachments.id });
  return gone.length;
}

/**
 * The periodic part (lib/messages/retention's upkeep): uploads no message claimed within
 * `olderThanMs` are marked for removal, then every marked attachment's files and row are removed.
 * The mark is a conditional update, so an upload claimed at the same moment is either claimed or
 * marked, never both. Returns how many attachments were removed.
 */
export async function sweepAttachments(db: Database, { olderThanMs = UNSENT_TTL_MS }: { olderThanMs?: number } = {}): Promise<number> {
  for (;;) {
    const stale = db
      .select({ id: attachments.id })
      .from(attachments)
      .where(and(isNull(attachments.messageId), gt(attachments.createdAt, TOMBSTONE), sql`not (${youngerThan(olderThanMs)})`))
      .limit(SWEEP_BATCH);
    const marked = await db
      .update(attachments)
      .set({ createdAt: TOMBSTONE })
      .where(and(inArray(attachments.id, stale), isNull(attachments.messageId), sql`not (${youngerThan(olderThanMs)})`))
      .returning({ id: attachments.id });
    if (marked.length < SWEEP_BATCH) break;
  }
  let removed = 0;
  for (;;) {
    const doomed = await db
      .select(doomedColumns)
      .from(attachments)
      .where(and(isNull(attachments.messageId), eq(attachments.createdAt, TOMBSTONE)))
      .limit(SWEEP_BATCH);
    if (doomed.length === 0) break;
    const gone = await removeReleased(db, doomed);
    removed += gone;
    // The store is failing: the next run tries again.
    if (gone === 0 || doomed.length < SWEEP_BATCH) break;
  }
  return removed;
}

/** Removes files, logging (never throwing) a store failure: for rows already gone, such as a deleted channel's. */
export async function removeFiles(keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  await getFileStore()
    .remove(keys)
    .catch((error: unknown) => console.error('[attachments] removing files failed', error instanceof Error ? error.message : error));
}
