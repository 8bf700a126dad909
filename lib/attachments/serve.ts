import 'server-only';
import { getDb } from '@/lib/db';
import { AppError, notFound } from '@/lib/http/errors';
import { getFileStore } from '@/lib/storage';
import { requireVisibleAttachment } from './access';
import { framesKey, THUMBNAIL_TYPE } from './format';

/** The file itself, its preview, or (videos an agent watched) the strip of frames it sampled. */
export type AttachmentVariant = 'file' | 'thumbnail' | 'frames';

export type AttachmentFile = { id: string; name: string; mimeType: string; bytes: Buffer; variant: AttachmentVariant };

const VARIANT_TYPE: Record<Exclude<AttachmentVariant, 'file'>, string> = { thumbnail: THUMBNAIL_TYPE, frames: 'image/jpeg' };
const VARIANT_SUFFIX: Record<Exclude<AttachmentVariant, 'file'>, string> = { thumbnail: '.webp', frames: '.frames.jpg' };

/** GET /api/attachments/:id (`variant` for the preview or the frame strip): the file, to those who may see it (404 otherwise). */
export async function readAttachment({ userId, attachmentId, variant = 'file' }: { userId: string; attachmentId: string; variant?: AttachmentVariant }): Promise<AttachmentFile> {
  const row = await requireVisibleAttachment(await getDb(), { userId, attachmentId });
  const key = variant === 'thumbnail' ? row.thumbnailKey : variant === 'frames' ? framesKey(row.storageKey) : row.storageKey;
  if (!key) throw new AppError('not_found', 'This attachment has no thumbnail.');
  const bytes = await getFileStore().get(key);
  if (!bytes) throw variant === 'frames' ? new AppError('not_found', 'No agent has sampled frames of this attachment.') : notFound('Attachment');
  return { id: row.id, name: row.name, mimeType: variant === 'file' ? row.mimeType : VARIANT_TYPE[variant], bytes, variant };
}

/** Types shown in the page itself: images and videos, sniffed from their bytes on upload. Never SVG or HTML. */
const INLINE = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/gif', 'video/mp4', 'video/webm', 'video/quicktime']);

/** What a document is sent as: text with its charset; HTML only as bytes to save, never as a page of the hub. */
function documentType(mimeType: string): string {
  if (mimeType === 'text/plain' || mimeType === 'text/markdown') return `${mimeType}; charset=utf-8`;
  if (mimeType === 'application/pdf' || mimeType.startsWith('application/vnd.openxmlformats')) return mimeType;
  return 'application/octet-stream';
}

/** RFC 6266 / 5987: an ASCII fallback and the exact name, percent-encoded. */
function disposition(kind: 'inline' | 'attachment', name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const exact = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${exact}`;
}

/** The bytes as a body without copying them (a video may be hundreds of megabytes). */
const view = (bytes: Buffer) => new Uint8Array(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength);

/** One `bytes=a-b` range within the file, or undefined (several ranges, or none that fits: the whole file is sent). */
function rangeOf(header: string | null, size: number): { start: number; end: number } | undefined {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match || (!match[1] && !match[2])) return undefined;
  let start: number;
  let end: number;
  if (!match[1]) {
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] ? Math.min(Number(match[2]), size - 1) : size - 1;
  }
  return start <= end && start < size ? { start, end } : undefined;
}

/**
 * The HTTP answer for a file: its real type, inline only for images and videos (documents are
 * downloads, with a sandbox policy in case one is opened anyway), never sniffed, cached by the
 * browser alone. Byte ranges are answered, so video players can seek.
 */
export function attachmentResponse(file: AttachmentFile, request: Request): Response {
  const inline = file.variant !== 'file' || INLINE.has(file.mimeType);
  const etag = `"${file.id}${file.variant === 'file' ? '' : `-${file.variant}`}"`;
  const headers: Record<string, string> = {
    'Content-Type': inline ? file.mimeType : documentType(file.mimeType),
    'Content-Disposition': disposition(inline ? 'inline' : 'attachment', file.variant === 'file' ? file.name : `${file.name}${VARIANT_SUFFIX[file.variant]}`),
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'private, max-age=3600',
    'Accept-Ranges': 'bytes',
    ETag: etag,
    ...(inline ? {} : { 'Content-Security-Policy': "default-src 'none'; sandbox" }),
  };
  if (request.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers });
  const size = file.bytes.length;
  const range = rangeOf(request.headers.get('range'), size);
  if (range) {
    const part = file.bytes.subarray(range.start, range.end + 1);
    return new Response(view(part), {
      status: 206,
      headers: { ...headers, 'Content-Range': `bytes ${range.start}-${range.end}/${size}`, 'Content-Length': String(part.length) },
    });
  }
  return new Response(view(file.bytes), { status: 200, headers: { ...headers, 'Content-Length': String(size) } });
}
