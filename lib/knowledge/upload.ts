import 'server-only';
import { and, count, eq, inArray } from 'drizzle-orm';
import type { z } from 'zod';
import { getDb, type Database } from '@/lib/db';
import { documents, type DocumentRow } from '@/lib/db/schema';
import { env } from '@/lib/env';
import { isForeignKeyViolation } from '@/lib/db/errors';
import { AppError, invalidRequest, notFound } from '@/lib/http/errors';
import { isMultipart, readMultipart, type UploadedFile } from '@/lib/http/multipart';
import type { DocumentJson } from '@/lib/contracts/knowledge';
import { newId } from '@/lib/ids';
import { checkPublicUrl, OutboundError } from '@/lib/outbound';
import { getFileStore } from '@/lib/storage';
import { requireOwnKnowledgeBase } from './access';
import { describeBytes } from '@/lib/bytes';
import { toDocumentJson } from './format';
import { fitsStorage, lockStorage, overStorageMessage, storageUsed } from './quota';
import { kickIngestion, publishProgress } from './ingest';
import { detectKind, mimeTypeFor } from './parse';
import type { addDocumentInput } from './schemas';

/**
 * Adding documents: the request stores each file and its row at once (202), and indexing runs in
 * the background (lib/knowledge/ingest.ts). Everything a person can get wrong is refused before
 * anything is stored, with the file and the limit named: an empty file (400), a type the hub
 * cannot read (415), a file or a total over its limit (413).
 */

const SUPPORTED = 'upload PDF, DOCX, HTML, Markdown or plain text';

/** A file name as shown and stored: no folders, no control characters, at most 200 characters. */
export function cleanName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 200);
  return clean || 'untitled';
}

const overStorage = (used: number, adding: number) => new AppError('payload_too_large', overStorageMessage(used, adding));

/** Documents of a person still waiting to be indexed, against KNOWLEDGE_MAX_PENDING_PER_USER. */
async function pendingCount(db: Database, userId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(documents)
    .where(and(eq(documents.ownerId, userId), inArray(documents.status, ['queued', 'processing'])));
  return Number(row?.n ?? 0);
}

const tooManyPending = (limit: number) =>
  new AppError('rate_limited', `You have ${limit} documents waiting to be indexed, the most one person may; add more once they are ready.`, { headers: { 'Retry-After': '30' } });

type NewDocument = { id: string; name: string; mimeType: string; bytes: number; storageKey: string | null; sourceUrl?: string; data?: Buffer };

/**
 * Stores the files, then their rows in one transaction that holds the person's storage limit:
 * concurrent uploads by one person take turns on an advisory lock, so together they cannot pass
 * it. A failure after the files were written removes them again.
 */
async function store(userId: string, knowledgeBaseId: string, docs: NewDocument[]): Promise<DocumentJson[]> {
  const db = await getDb();
  const adding = docs.reduce((total, doc) => total + doc.bytes, 0);
  // Checked before writing any file too, so a person far over the limit costs no storage writes.
  const usedBefore = await storageUsed(db, userId);
  if (!fitsStorage(usedBefore, adding)) throw overStorage(usedBefore, adding);
  const files = getFileStore();
  const written: string[] = [];
  try {
    for (const doc of docs) {
      if (!doc.storageKey || !doc.data) continue;
      await files.put(doc.storageKey, doc.data, doc.mimeType);
      written.push(doc.storageKey);
    }
    const rows = await db.transaction(async (tx) => {
      const used = await lockStorage(tx, userId);
      if (!fitsStorage(used, adding)) throw overStorage(used, adding);
      const maxPending = env().KNOWLEDGE_MAX_PENDING_PER_USER;
      if ((await pendingCount(tx, userId)) + docs.length > maxPending) throw tooManyPending(maxPending);
      return tx
        .insert(documents)
        .values(
          docs.map((doc) => ({
            id: doc.id,
            knowledgeBaseId,
            ownerId: userId,
            name: doc.name,
            mimeType: doc.mimeType,
            bytes: doc.bytes,
            storageKey: doc.storageKey,
            sourceUrl: doc.sourceUrl ?? null,
          })),
        )
        .returning();
    });
    return announce(userId, rows);
  } catch (error) {
    if (written.length > 0) await files.remove(written).catch(() => {});
    // The base was deleted while the files came in.
    if (isForeignKeyViolation(error)) throw notFound('Knowledge base');
    throw error;
  }
}

function announce(userId: string, rows: DocumentRow[]): DocumentJson[] {
  const json = rows.map(toDocumentJson);
  for (const document of json) publishProgress(userId, document);
  kickIngestion();
  return json;
}

/** Adds uploaded files (multipart `file` fields) to a base. */
export async function addDocuments({ userId, knowledgeBaseId, files }: { userId: string; knowledgeBaseId: string; files: UploadedFile[] }): Promise<DocumentJson[]> {
  await requireOwnKnowledgeBase({ userId, knowledgeBaseId });
  const uploads = files.filter((file) => file.field === 'file');
  if (uploads.length === 0) throw invalidRequest('Attach at least one file in a field named "file".');
  if (uploads.length > env().KNOWLEDGE_MAX_FILES_PER_UPLOAD) throw invalidRequest(`Upload at most ${env().KNOWLEDGE_MAX_FILES_PER_UPLOAD} files at once.`);
  const docs = uploads.map((file): NewDocument => {
    const name = cleanName(file.name);
    if (file.bytes.length === 0) throw invalidRequest(`${name} is empty.`);
    const kind = detectKind({ name, mimeType: file.mimeType, bytes: file.bytes });
    if (!kind) throw new AppError('unsupported_media_type', `${name} is not a type the hub can read; ${SUPPORTED}.`);
    const id = newId();
    return { id, name, mimeType: mimeTypeFor(kind), bytes: file.bytes.length, storageKey: `knowledge/${userId}/${id}`, data: file.bytes };
  });
  return store(userId, knowledgeBaseId, docs);
}

/** Adds pasted text as a Markdown document. */
export async function addTextDocument({ userId, knowledgeBaseId, title, text }: { userId: string; knowledgeBaseId: string; title: string; text: string }): Promise<DocumentJson> {
  await requireOwnKnowledgeBase({ userId, knowledgeBaseId });
  const data = Buffer.from(text, 'utf8');
  if (data.length > env().KNOWLEDGE_MAX_FILE_BYTES) {
    throw new AppError('payload_too_large', `The text is larger than ${describeBytes(env().KNOWLEDGE_MAX_FILE_BYTES)}, the limit for one document.`);
  }
  const id = newId();
  const [document] = await store(userId, knowledgeBaseId, [
    { id, name: cleanName(title), mimeType: mimeTypeFor('markdown'), bytes: data.length, storageKey: `knowledge/${userId}/${id}`, data },
  ]);
  return document!;
}

/**
 * Adds a public web page: the address is checked now (a private or unresolvable one is a 400),
 * and fetched by the indexing job, within the outbound size and time limits.
 */
export async function addUrlDocument({ userId, knowledgeBaseId, url }: { userId: string; knowledgeBaseId: string; url: string }): Promise<DocumentJson> {
  await requireOwnKnowledgeBase({ userId, knowledgeBaseId });
  let checked: URL;
  try {
    checked = await checkPublicUrl(url);
  } catch (error) {
    if (error instanceof OutboundError) throw invalidRequest(error.message, { url: [error.message] });
    throw error;
  }
  const name = cleanName(`${checked.hostname}${checked.pathname === '/' ? '' : checked.pathname}`.replace(/\//g, ' › ')) || checked.hostname;
  const [document] = await store(userId, knowledgeBaseId, [{ id: newId(), name, mimeType: 'text/html', bytes: 0, storageKey: null, sourceUrl: checked.toString() }]);
  return document!;
}

/** A refusal before the body was read closes the connection (lib/http/route.ts says why). */
const withClose = (error: AppError) => new AppError(error.code, error.message, { headers: { ...error.headers, Connection: 'close' } });

/** What one upload may carry (lib/http/multipart holds each file to it as it streams in). */
export const uploadLimits = () => ({ maxFiles: env().KNOWLEDGE_MAX_FILES_PER_UPLOAD, maxFileBytes: env().KNOWLEDGE_MAX_FILE_BYTES, describeBytes });

/**
 * One entry for the hub's and the public API's upload routes: files as multipart/form-data, or
 * JSON `{url}` / `{title, text}` (read through the route's JSON reader, `readJson`).
 */
export async function receiveDocuments({
  userId,
  knowledgeBaseId,
  req,
  readJson,
}: {
  userId: string;
  knowledgeBaseId: string;
  req: Request;
  readJson: () => Promise<z.infer<typeof addDocumentInput>>;
}): Promise<DocumentJson[]> {
  if (isMultipart(req)) {
    // The base, and room for what the request declares, are checked before a byte of it is read.
    await requireOwnKnowledgeBase({ userId, knowledgeBaseId });
    const declared = Number(req.headers.get('content-length') ?? '0');
    const used = await storageUsed(await getDb(), userId);
    // The multipart framing is a few hundred bytes a file: a body this much over the room left cannot fit.
    if (!fitsStorage(used, declared - 64 * 1024)) throw withClose(overStorage(used, declared));
    const { files } = await readMultipart(req, uploadLimits());
    return addDocuments({ userId, knowledgeBaseId, files });
  }
  const input = await readJson();
  if ('url' in input) return [await addUrlDocument({ userId, knowledgeBaseId, url: input.url })];
  return [await addTextDocument({ userId, knowledgeBaseId, title: input.title, text: input.text })];
}
