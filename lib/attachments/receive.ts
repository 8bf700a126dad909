import 'server-only';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { and, count, eq, gt, isNull } from 'drizzle-orm';
import { inspectImage, inspectVideo, isMediaError, sampleFrames, thumbnail, type MediaError } from '@/lib/abilities/media';
import { describeBytes } from '@/lib/bytes';
import { requireMember } from '@/lib/channels/access';
import type { AttachmentJson } from '@/lib/contracts/abilities';
import { getDb, type Database } from '@/lib/db';
import { isForeignKeyViolation } from '@/lib/db/errors';
import { attachments } from '@/lib/db/schema';
import { env } from '@/lib/env';
import { AppError, invalidRequest, notFound } from '@/lib/http/errors';
import { isMultipart, readMultipart, type UploadedFile } from '@/lib/http/multipart';
import { newId } from '@/lib/ids';
import { cleanName } from '@/lib/knowledge/upload';
import { getFileStore } from '@/lib/storage';
import { detectAttachment, largestAttachment, maxBytesFor, tooLarge, unsupported, type AttachmentKind } from './detect';
import { fileKey, THUMBNAIL_TYPE, thumbnailKey, toAttachmentJson } from './format';
import { TOMBSTONE } from './lifecycle';

/*
 * Receiving a file into a channel: the caller's membership is checked before a byte of the body
 * is read, the file is held to the largest limit while it streams in (lib/http/multipart), then
 * its type is read from its bytes and its own kind's limit applied. Images and videos are
 * measured and given a thumbnail; nothing is stored until all of that has passed.
 */

/** A refusal before the body was read closes the connection (lib/http/route.ts says why). */
const unread = (error: AppError) => new AppError(error.code, error.message, { headers: { ...error.headers, Connection: 'close' } });

/** Uploads a person may hold unsent at once: enough for several full messages, a ceiling for scripts. */
export const maxUnsent = () => env().ATTACHMENTS_PER_MESSAGE * 5;

async function unsentCount(db: Database, userId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(attachments)
    .where(and(eq(attachments.uploaderId, userId), isNull(attachments.messageId), gt(attachments.createdAt, TOMBSTONE)));
  return Number(row?.n ?? 0);
}

type Measured = { width?: number; height?: number; durationMs?: number; thumbnail?: Buffer };

function mediaRefusal(name: string, error: MediaError): AppError | undefined {
  const message = `${name}: ${error.message}`;
  if (error.code === 'unsupported_type') return new AppError('unsupported_media_type', message);
  if (error.code === 'corrupt') return invalidRequest(message);
  if (error.code === 'too_large') return new AppError('payload_too_large', message);
  // Timeout or no ffmpeg on this platform: the file is what its bytes say, only unmeasured.
  return undefined;
}

async function measureVideo(bytes: Buffer): Promise<Measured> {
  // One private temporary file for both ffmpeg runs, rather than one copy each.
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'nc-attachment-'));
  try {
    const file = path.join(dir, 'video');
    await fs.writeFile(file, bytes, { mode: 0o600 });
    const info = await inspectVideo(file);
    // The middle of the clip: past a black first frame, and representative of what it shows.
    const [frame] = await sampleFrames(file, { count: 1, maxSide: 640, info }).catch((error: unknown) => {
      if (isMediaError(error) && error.code !== 'cancelled') return [];
      throw error;
    });
    return { width: info.width, height: info.height, durationMs: info.durationMs, thumbnail: frame ? await thumbnail(frame.jpeg) : undefined };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function measure(kind: AttachmentKind, name: string, bytes: Buffer): Promise<Measured> {
  if (kind === 'document') return {};
  try {
    if (kind === 'video') return await measureVideo(bytes);
    const info = await inspectImage(bytes);
    return { width: info.width, height: info.height, thumbnail: await thumbnail(bytes) };
  } catch (error) {
    if (!isMediaError(error)) throw error;
    const refusal = mediaRefusal(name, error);
    if (refusal) throw refusal;
    console.warn(`[attachments] stored a ${kind} unmeasured (${error.code})`);
    return {};
  }
}

/** Stores one received file as an unsent attachment of the channel. */
export async function storeAttachment({ db, userId, channelId, file }: { db: Database; userId: string; channelId: string; file: UploadedFile }): Promise<AttachmentJson> {
  const name = cleanName(file.name);
  if (file.bytes.length === 0) throw invalidRequest(`${name} is empty.`);
  const detected = detectAttachment({ name, mimeType: file.mimeType, bytes: file.bytes });
  if (!detected) throw unsupported(name);
  if (file.bytes.length > maxBytesFor(detected.kind)) throw tooLarge(name, detected.kind);
  const measured = await measure(detected.kind, name, file.bytes);

  const id = newId();
  const storageKey = fileKey(channelId, id);
  const previewKey = measured.thumbnail ? thumbnailKey(channelId, id) : null;
  const files = getFileStore();
  const written: string[] = [];
  try {
    await files.put(storageKey, file.bytes, detected.mimeType);
    written.push(storageKey);
    if (previewKey && measured.thumbnail) {
      await files.put(previewKey, measured.thumbnail, THUMBNAIL_TYPE);
      written.push(previewKey);
    }
    const [row] = await db
      .insert(attachments)
      .values({
        id,
        channelId,
        uploaderId: userId,
        name,
        mimeType: detected.mimeType,
        bytes: file.bytes.length,
        width: measured.width ?? null,
        height: measured.height ?? null,
        durationMs: measured.durationMs ?? null,
        storageKey,
        thumbnailKey: previewKey,
      })
      .returning();
    return toAttachmentJson(row!);
  } catch (error) {
    if (written.length > 0) await files.remove(written).catch(() => {});
    // The channel was deleted while the file came in.
    if (isForeignKeyViolation(error)) throw notFound('Channel');
    throw error;
  }
}

/**
 * POST /api/channels/:channelId/attachments: one multipart `file`. 404 for a channel the caller
 * is not in (before the body is read), 415 for a type not accepted, 413 over its kind's limit.
 */
export async function receiveAttachment({ userId, channelId, request }: { userId: string; channelId: string; request: Request }): Promise<AttachmentJson> {
  const db = await getDb();
  try {
    await requireMember(db, { userId, channelId });
  } catch (error) {
    throw error instanceof AppError ? unread(error) : error;
  }
  if (!isMultipart(request)) throw unread(new AppError('unsupported_media_type', 'Send the file as multipart/form-data, one file per upload in a field named "file".'));
  const declared = Number(request.headers.get('content-length') ?? '0');
  // The multipart framing is a few hundred bytes: a body this much over the largest file cannot be one.
  if (declared > largestAttachment() + 64 * 1024) {
    throw unread(new AppError('payload_too_large', `The upload is larger than ${describeBytes(largestAttachment())}, the most one attachment may be.`));
  }
  if ((await unsentCount(db, userId)) >= maxUnsent()) {
    throw unread(new AppError('rate_limited', `You have ${maxUnsent()} uploads not yet sent, the most one person may hold; send them or remove some first.`, { headers: { 'Retry-After': '60' } }));
  }
  let files: UploadedFile[];
  try {
    ({ files } = await readMultipart(request, { maxFiles: 1, maxFileBytes: largestAttachment(), describeBytes }));
  } catch (error) {
    // The reader counts files for document uploads ("at most 1 files"): said here for one attachment.
    if (error instanceof AppError && /^Upload at most/.test(error.message)) throw new AppError(error.code, 'Attach one file per upload; each file becomes its own attachment.', { headers: error.headers });
    throw error;
  }
  const file = files.find((entry) => entry.field === 'file');
  if (!file) throw invalidRequest('Attach a file in a field named "file".');
  return storeAttachment({ db, userId, channelId, file });
}
