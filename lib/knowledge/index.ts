import 'server-only';
import { and, asc, count, eq, inArray, sql, sum } from 'drizzle-orm';
import type { z } from 'zod';
import { getDb, type Database } from '@/lib/db';
import { isUniqueViolation } from '@/lib/db/errors';
import { documents, knowledgeBases, knowledgeChunks } from '@/lib/db/schema';
import { conflict, notFound } from '@/lib/http/errors';
import type { DocumentJson, KnowledgeBaseJson, RetrievalMode, SearchResultJson } from '@/lib/contracts/knowledge';
import { env } from '@/lib/env';
import { isUuid, newId } from '@/lib/ids';
import { getFileStore } from '@/lib/storage';
import { requireOwnKnowledgeBase } from './access';
import { toDocumentJson, toKnowledgeBaseJson, type BaseTotals } from './format';
import { abortIngestion, kickIngestion, publishProgress } from './ingest';
import type { createKnowledgeBaseInput, searchInput, updateKnowledgeBaseInput } from './schemas';
import { retrievalMode, searchPassages } from './search';
import { removeTerms } from './terms';

export { requireOwnKnowledgeBase, foreignKnowledgeBaseIds } from './access';
export { addDocuments, addTextDocument, addUrlDocument, receiveDocuments } from './upload';
export { ingestionSettled, kickIngestion, resumeIngestion } from './ingest';

/**
 * Knowledge bases and their documents, owned by one person. Every function takes the caller and
 * answers 404 for another person's base or document, so their existence never leaks.
 */

const nameTaken = (name: string) => conflict(`You already have a knowledge base named "${name}".`);

async function totalsFor(db: Database, baseIds: string[]): Promise<Map<string, BaseTotals>> {
  if (baseIds.length === 0) return new Map();
  const rows = await db
    .select({
      id: documents.knowledgeBaseId,
      documentCount: count(documents.id),
      chunkCount: sum(documents.chunkCount),
      bytes: sum(documents.bytes),
    })
    .from(documents)
    .where(inArray(documents.knowledgeBaseId, baseIds))
    .groupBy(documents.knowledgeBaseId);
  return new Map(rows.map((row) => [row.id, { documentCount: row.documentCount, chunkCount: Number(row.chunkCount ?? 0), bytes: Number(row.bytes ?? 0) }]));
}

const noTotals: BaseTotals = { documentCount: 0, chunkCount: 0, bytes: 0 };

export async function listKnowledgeBases({ userId }: { userId: string }): Promise<KnowledgeBaseJson[]> {
  const db = await getDb();
  const bases = await db.select().from(knowledgeBases).where(eq(knowledgeBases.ownerId, userId)).orderBy(asc(sql`lower(${knowledgeBases.name})`));
  const totals = await totalsFor(
    db,
    bases.map((base) => base.id),
  );
  return bases.map((base) => toKnowledgeBaseJson(base, totals.get(base.id) ?? noTotals));
}

export async function getKnowledgeBase(args: { userId: string; knowledgeBaseId: string }): Promise<KnowledgeBaseJson> {
  const db = await getDb();
  const base = await requireOwnKnowledgeBase(args, db);
  return toKnowledgeBaseJson(base, (await totalsFor(db, [base.id])).get(base.id) ?? noTotals);
}

export async function createKnowledgeBase({ userId, input }: { userId: string; input: z.infer<typeof createKnowledgeBaseInput> }): Promise<KnowledgeBaseJson> {
  const db = await getDb();
  try {
    const [base] = await db
      .insert(knowledgeBases)
      .values({ id: newId(), ownerId: userId, name: input.name, description: input.description ?? '' })
      .returning();
    return toKnowledgeBaseJson(base!, noTotals);
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(input.name);
    throw error;
  }
}

export async function updateKnowledgeBase({
  userId,
  knowledgeBaseId,
  input,
}: {
  userId: string;
  knowledgeBaseId: string;
  input: z.infer<typeof updateKnowledgeBaseInput>;
}): Promise<KnowledgeBaseJson> {
  const db = await getDb();
  await requireOwnKnowledgeBase({ userId, knowledgeBaseId }, db);
  try {
    const [base] = await db
      .update(knowledgeBases)
      .set({ ...input, updatedAt: new Date() })
      .where(eq(knowledgeBases.id, knowledgeBaseId))
      .returning();
    if (!base) throw notFound('Knowledge base');
    return toKnowledgeBaseJson(base, (await totalsFor(db, [base.id])).get(base.id) ?? noTotals);
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(input.name ?? '');
    throw error;
  }
}

/** Stops indexing, then removes the base: its documents, passages and term counts cascade, its agents lose it, its files go. */
export async function deleteKnowledgeBase(args: { userId: string; knowledgeBaseId: string }): Promise<void> {
  const db = await getDb();
  await requireOwnKnowledgeBase(args, db);
  const docs = await db.select({ id: documents.id, storageKey: documents.storageKey }).from(documents).where(eq(documents.knowledgeBaseId, args.knowledgeBaseId));
  for (const doc of docs) abortIngestion(doc.id);
  await db.delete(knowledgeBases).where(eq(knowledgeBases.id, args.knowledgeBaseId));
  // Every file a document of the base may have had: a web page fetched since the list was read is stored under the same key.
  await removeFiles(docs.map((doc) => doc.storageKey ?? `knowledge/${args.userId}/${doc.id}`));
}

async function removeFiles(keys: (string | null)[]): Promise<void> {
  const present = keys.filter((key): key is string => Boolean(key));
  if (present.length === 0) return;
  // The rows are gone already; a file store hiccup leaves an orphan file, never a broken document.
  await getFileStore()
    .remove(present)
    .catch((error: unknown) => console.error('[knowledge] removing files failed', error instanceof Error ? error.message : error));
}

export async function listDocuments(args: { userId: string; knowledgeBaseId: string }): Promise<DocumentJson[]> {
  const db = await getDb();
  await requireOwnKnowledgeBase(args, db);
  const rows = await db.select().from(documents).where(eq(documents.knowledgeBaseId, args.knowledgeBaseId)).orderBy(asc(documents.id));
  // A deployment with no long-running process (Vercel) resumes indexing whenever someone looks.
  if (rows.some((row) => row.status === 'queued' || row.status === 'processing')) kickIngestion();
  return rows.map(toDocumentJson);
}

async function requireOwnDocument(db: Database, { userId, knowledgeBaseId, documentId }: { userId: string; knowledgeBaseId: string; documentId: string }) {
  await requireOwnKnowledgeBase({ userId, knowledgeBaseId }, db);
  if (!isUuid(documentId)) throw notFound('Document');
  const [row] = await db
    .select()
    .from(documents)
    .where(and(eq(documents.id, documentId), eq(documents.knowledgeBaseId, knowledgeBaseId)))
    .limit(1);
  if (!row) throw notFound('Document');
  return row;
}

export async function getDocument(args: { userId: string; knowledgeBaseId: string; documentId: string }): Promise<DocumentJson> {
  return toDocumentJson(await requireOwnDocument(await getDb(), args));
}

/** The original file, for the hub to open (a PDF at a cited page). */
export async function readDocumentFile(args: { userId: string; knowledgeBaseId: string; documentId: string }): Promise<{ name: string; mimeType: string; bytes: Buffer }> {
  const row = await requireOwnDocument(await getDb(), args);
  const bytes = row.storageKey ? await getFileStore().get(row.storageKey) : undefined;
  if (!bytes) throw notFound('File');
  return { name: row.name, mimeType: row.mimeType, bytes };
}

/**
 * Deletes a document: its passages leave search in the same transaction (with their term
 * counts), an indexing job in this process is stopped, and its file is removed.
 */
export async function deleteDocument(args: { userId: string; knowledgeBaseId: string; documentId: string }): Promise<void> {
  const db = await getDb();
  const row = await requireOwnDocument(db, args);
  abortIngestion(row.id);
  const storageKey = await db.transaction(async (tx) => {
    // The document's row first, as indexing takes it: a job writing its passages finishes (or
    // is shut out) before the counts are taken off, and the two never wait on each other.
    const [held] = await tx.select({ storageKey: documents.storageKey }).from(documents).where(eq(documents.id, row.id)).for('update');
    if (!held) return null;
    await removeTerms(tx, { knowledgeBaseId: row.knowledgeBaseId, documentId: row.id });
    await tx.delete(knowledgeChunks).where(eq(knowledgeChunks.documentId, row.id));
    await tx.delete(documents).where(eq(documents.id, row.id));
    return held.storageKey;
  });
  await removeFiles([storageKey ?? row.storageKey]);
  publishProgress(row.ownerId, { ...toDocumentJson(row), status: 'error', error: { code: 'deleted', message: 'The document was deleted.' } });
}

export async function searchKnowledgeBase({
  userId,
  knowledgeBaseId,
  input,
}: {
  userId: string;
  knowledgeBaseId: string;
  input: z.infer<typeof searchInput>;
}): Promise<SearchResultJson[]> {
  const db = await getDb();
  await requireOwnKnowledgeBase({ userId, knowledgeBaseId }, db);
  const hits = await searchPassages({ db, knowledgeBaseIds: [knowledgeBaseId], query: input.query, limit: input.limit ?? 8 });
  return hits.map((hit) => ({
    documentId: hit.documentId,
    documentName: hit.documentName,
    chunkId: hit.chunkId,
    content: hit.content,
    score: hit.score,
    ...(hit.page ? { page: hit.page } : {}),
    ...(hit.heading ? { heading: hit.heading } : {}),
  }));
}

export function knowledgeRetrieval(): RetrievalMode {
  return retrievalMode();
}

/** What one upload may carry, for the browser to refuse a file too large before sending its bytes. */
export function knowledgeLimits() {
  const config = env();
  return { maxFileBytes: config.KNOWLEDGE_MAX_FILE_BYTES, maxFilesPerUpload: config.KNOWLEDGE_MAX_FILES_PER_UPLOAD, maxBytesPerUser: config.KNOWLEDGE_MAX_BYTES_PER_USER };
}
