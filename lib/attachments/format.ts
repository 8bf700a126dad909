import 'server-only';
import type { AttachmentRow } from '@/lib/db/schema';
import type { AttachmentJson } from '@/lib/contracts/abilities';

/** Where an attachment's bytes live in the file store, and its preview beside them. */
export const fileKey = (channelId: string, attachmentId: string) => `attachments/${channelId}/${attachmentId}`;
export const thumbnailKey = (channelId: string, attachmentId: string) => `attachments/${channelId}/${attachmentId}.thumb`;

/** The media type thumbnails are stored as (lib/abilities/media's `thumbnail` encodes WebP). */
export const THUMBNAIL_TYPE = 'image/webp';

export const attachmentUrl = (id: string) => `/api/attachments/${id}`;

export function toAttachmentJson(row: AttachmentRow): AttachmentJson {
  return {
    id: row.id,
    name: row.name,
    mimeType: row.mimeType,
    bytes: row.bytes,
    ...(row.width !== null ? { width: row.width } : {}),
    ...(row.height !== null ? { height: row.height } : {}),
    ...(row.durationMs !== null ? { durationMs: row.durationMs } : {}),
    url: attachmentUrl(row.id),
    ...(row.thumbnailKey ? { thumbnailUrl: `${attachmentUrl(row.id)}?thumbnail=1` } : {}),
  };
}

/** Every file an attachment holds in the store. */
export const keysOf = (row: Pick<AttachmentRow, 'storageKey' | 'thumbnailKey'>): string[] => [row.storageKey, ...(row.thumbnailKey ? [row.thumbnailKey] : [])];
