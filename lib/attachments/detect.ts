import 'server-only';
import { describeBytes } from '@/lib/bytes';
import { env } from '@/lib/env';
import { AppError } from '@/lib/http/errors';
import { IMAGE_MIME_TYPES, sniffImageFormat, sniffVideoContainer } from '@/lib/abilities/media';
import { detectKind, mimeTypeFor } from '@/lib/knowledge/parse';

export type AttachmentKind = 'image' | 'video' | 'document';

export type Detected = { kind: AttachmentKind; mimeType: string };

const VIDEO_TYPES = { mp4: 'video/mp4', mov: 'video/quicktime', webm: 'video/webm' } as const;

/** What people may attach, said the same way in every refusal. */
export const ACCEPTED = 'attach PNG, JPEG, WebP or GIF images, MP4, WebM or MOV videos, or PDF, DOCX, HTML, Markdown or plain-text documents';

/**
 * What a file is, by its bytes: image and video signatures first, then the document kinds the
 * knowledge parser reads (which check their bytes too: a PDF header, a DOCX's ZIP entry, UTF-8
 * text). The type the browser declared never decides alone, so an HTML page sent as image/png, an
 * SVG or an executable is refused.
 */
export function detectAttachment({ name, mimeType, bytes }: { name: string; mimeType: string; bytes: Uint8Array }): Detected | undefined {
  const image = sniffImageFormat(bytes);
  if (image) return { kind: 'image', mimeType: IMAGE_MIME_TYPES[image] };
  const video = sniffVideoContainer(bytes.subarray(0, 16));
  if (video) return { kind: 'video', mimeType: VIDEO_TYPES[video] };
  const document = detectKind({ name, mimeType, bytes });
  if (document) return { kind: 'document', mimeType: mimeTypeFor(document) };
  return undefined;
}

/** The largest file of a kind: videos have their own, larger limit. */
export const maxBytesFor = (kind: AttachmentKind) => (kind === 'video' ? env().ATTACHMENT_MAX_VIDEO_BYTES : env().ATTACHMENT_MAX_BYTES);

/** The largest upload of any kind: what the multipart reader holds a file to while it streams in. */
export const largestAttachment = () => Math.max(env().ATTACHMENT_MAX_BYTES, env().ATTACHMENT_MAX_VIDEO_BYTES);

export function unsupported(name: string): AppError {
  return new AppError('unsupported_media_type', `${name} is not a type the hub accepts; ${ACCEPTED}.`);
}

export function tooLarge(name: string, kind: AttachmentKind): AppError {
  const limit = describeBytes(maxBytesFor(kind));
  if (kind === 'video') return new AppError('payload_too_large', `${name} is larger than ${limit}, the limit for a video.`);
  const videos = env().ATTACHMENT_MAX_VIDEO_BYTES > env().ATTACHMENT_MAX_BYTES ? ` (videos may be up to ${describeBytes(env().ATTACHMENT_MAX_VIDEO_BYTES)})` : '';
  return new AppError('payload_too_large', `${name} is larger than ${limit}, the limit for an image or a document${videos}.`);
}

/** What the composer checks before sending a byte (GET /api/channels/:channelId/attachments). */
export const attachmentLimits = () => ({ maxBytes: env().ATTACHMENT_MAX_BYTES, maxVideoBytes: env().ATTACHMENT_MAX_VIDEO_BYTES, perMessage: env().ATTACHMENTS_PER_MESSAGE });
