import 'server-only';
import { and, eq, gt } from 'drizzle-orm';
import type { Database } from '@/lib/db';
import { attachments, channelMembers, type AttachmentRow } from '@/lib/db/schema';
import { notFound } from '@/lib/http/errors';
import { isUuid } from '@/lib/ids';
import { getFileStore } from '@/lib/storage';
import { TOMBSTONE } from './lifecycle';

/**
 * An attachment as the caller may see it: a sent one to every member of its channel, an unsent
 * one to its uploader alone (it is still their draft). Anything else is 404, like one that does
 * not exist.
 */
export async function requireVisibleAttachment(db: Database, { userId, attachmentId }: { userId: string; attachmentId: string }): Promise<AttachmentRow> {
  if (!isUuid(attachmentId)) throw notFound('Attachment');
  const [found] = await db
    .select({ attachment: attachments })
    .from(attachments)
    .innerJoin(channelMembers, and(eq(channelMembers.channelId, attachments.channelId), eq(channelMembers.userId, userId)))
    .where(and(eq(attachments.id, attachmentId), gt(attachments.createdAt, TOMBSTONE)))
    .limit(1);
  const row = found?.attachment;
  if (!row || (row.messageId === null && row.uploaderId !== userId)) throw notFound('Attachment');
  return row;
}

/**
 * An attachment's row and bytes, with no access check: for the server's own use once access was
 * settled another way (an agent reading the images of a message it answers). Undefined when the
 * attachment, or its file, is gone.
 */
export async function readAttachmentBytes(db: Database, attachmentId: string): Promise<{ row: AttachmentRow; bytes: Buffer } | undefined> {
  if (!isUuid(attachmentId)) return undefined;
  const [row] = await db
    .select()
    .from(attachments)
    .where(and(eq(attachments.id, attachmentId), gt(attachments.createdAt, TOMBSTONE)))
    .limit(1);
  if (!row) return undefined;
  const bytes = await getFileStore().get(row.storageKey);
  return bytes ? { row, bytes } : undefined;
}
