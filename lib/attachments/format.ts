import 'server-only';
import type { AttachmentRow } from '@/lib/db/schema';
import type { AttachmentJson } from '@/lib/contracts/abilities';

export const attachmentUrl = (id: string) => `/api/attachments/${id}`;

/** Where an attachment's bytes live in the file store, and its preview beside them. */
export const fileKey = (channelId: string, attachmentId: string) => `attachments/${channelId}/${attachmentId}`;
export const thumbnailKey = (channelId: string, attachmentId: string) => `attachments/${channelId}/${attachmentId}.thumb`;

/** A video's strip of the frames an agent sampled from it (JPEG), beside the video, and its URL. */
export const framesKey = (storageKey: string) => `${storageKey}.frames`;
export const framesUrl = (attachmentId: string) => `${attachmentUrl(attachmentId)}?frames=1`;

/** The media type thumbnails are stored as (lib/abilities/media's `thumbnail` encodes WebP). */
export const THUMBNAIL_TYPE = 'image/webp';


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
export const keysOf = (row: Pick<AttachmentRow, 'storageKey' | 'thumbnailKey'>): string[] => [row.storageKey, ...(row.thumbnailKey ? [row.thumbnailKey] : []), framesKey(row.storageKey)];
