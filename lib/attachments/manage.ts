import 'server-only';
import { and, eq, gt, isNull } from 'drizzle-orm';
import { deleteChannel } from '@/lib/channels';
import { requireMember } from '@/lib/channels/access';
import type { AttachmentLimits } from '@/lib/contracts/messages';
import type { DocumentJson } from '@/lib/contracts/knowledge';
import { getDb } from '@/lib/db';
import { isUuid } from '@/lib/ids';
import { attachments } from '@/lib/db/schema';
import { AppError, notFound } from '@/lib/http/errors';
import { addDocuments } from '@/lib/knowledge/upload';
import { getFileStore } from '@/lib/storage';
import { requireVisibleAttachment } from './access';
import { attachmentLimits } from './detect';
import { keysOf } from './format';
import { removeFiles, removeReleased, TOMBSTONE } from './lifecycle';

const DOCUMENT_TYPES = new Set([
  'application/pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'text/html',
  'text/markdown',
  'text/plain',
]);

/**
 * "Add to knowledge base" on a document attached in a channel: a copy of the file becomes a
 * document of one of the caller's own bases (indexed in the background, as any upload), so the
 * document outlives the message. The caller must be able to see the attachment; the base must be
 * theirs (404 otherwise, from lib/knowledge).
 */
export async function addAttachmentToKnowledge({ userId, attachmentId, knowledgeBaseId }: { userId: string; attachmentId: string; knowledgeBaseId: string }): Promise<DocumentJson[]> {
  const row = await requireVisibleAttachment(await getDb(), { userId, attachmentId });
  if (!DOCUMENT_TYPES.has(row.mimeType)) {
    throw new AppError('unsupported_media_type', `${row.name} is not a document; PDF, DOCX, HTML, Markdown and plain-text attachments can be added to a knowledge base.`);
  }
  const bytes = await getFileStore().get(row.storageKey);
  if (!bytes) throw notFound('Attachment');
  return addDocuments({ userId, knowledgeBaseId, files: [{ field: 'file', name: row.name, mimeType: row.mimeType, bytes }] });
}

/** DELETE /api/attachments/:id: the uploader takes back an upload no message carries yet (the chip's ×). */
export async function removeUpload({ userId, attachmentId }: { userId: string; attachmentId: string }): Promise<void> {
  const db = await getDb();
  const row = await requireVisibleAttachment(db, { userId, attachmentId });
  if (row.messageId !== null) throw new AppError('conflict', 'This file was sent with a message; delete the message to remove it.');
  const released = await db
    .update(attachments)
    .set({ createdAt: TOMBSTONE })
    .where(and(eq(attachments.id, row.id), isNull(attachments.messageId), gt(attachments.createdAt, TOMBSTONE)))
    .returning({ id: attachments.id, storageKey: attachments.storageKey, thumbnailKey: attachments.thumbnailKey });
  // Sent at this very moment: the message keeps it.
  if (released.length === 0) throw new AppError('conflict', 'This file was sent with a message; delete the message to remove it.');
  await removeReleased(db, released);
}

/**
 * Deletes a channel and the files of its attachments (the rows cascade with the channel, so
 * their keys are read first and the files removed once the channel is gone). Used by the channel
 * DELETE route in place of lib/channels' deleteChannel.
 */
export async function deleteChannelWithAttachments(args: { userId: string; channelId: string }): Promise<void> {
  // Not an id: nothing to read, and deleteChannel answers the 404.
  if (!isUuid(args.channelId)) return deleteChannel(args);
  const db = await getDb();
  const rows = await db.select({ storageKey: attachments.storageKey, thumbnailKey: attachments.thumbnailKey }).from(attachments).where(eq(attachments.channelId, args.channelId));
  await deleteChannel(args);
  await removeFiles(rows.flatMap(keysOf));
}

/** GET /api/channels/:channelId/attachments: what a member's composer checks before uploading. */
export async function attachmentLimitsFor({ userId, channelId }: { userId: string; channelId: string }): Promise<AttachmentLimits> {
  await requireMember(await getDb(), { userId, channelId });
  return attachmentLimits();
}
