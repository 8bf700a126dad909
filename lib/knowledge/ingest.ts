import 'server-only';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { runInBackground } from '@/lib/background';
import { getEmbeddingsProvider } from '@/lib/ai/embeddings';
import { getDb, type Database } from '@/lib/db';
import { describeError, isForeignKeyViolation } from '@/lib/db/errors';
import { documents, knowledgeChunks, type DocumentRow } from '@/lib/db/schema';
import { env } from '@/lib/env';
import type { DocumentJson } from '@/lib/contracts/knowledge';
import { newId } from '@/lib/ids';
import { fetchPublic, OutboundError } from '@/lib/outbound';
import { getPublisher } from '@/lib/realtime/publisher';
import { getFileStore } from '@/lib/storage';
import { chunkDocument, type Passage } from './chunk';
import { toDocumentJson } from './format';
import { fitsStorage, lockStorage, overStorageMessage } from './quota';
import { detectKind, mimeTypeFor, parseDocument, ParseError } from './parse';
import { addTerms, removeTerms } from './terms';
import { embedDocument } from './vectors';

/**
 * Indexing documents in the background. The documents table is the job queue: a "queued" row is
 * claimed (FOR UPDATE SKIP LOCKED, so any number of processes share the queue) by setting it
 * "processing" with a lease the worker renews while it works. A process that dies leaves its
 * lease to run out, and whoever drains the queue next takes the job again (at most
 * MAX_ATTEMPTS times). The embedded database belongs to one process, so at start every
 * "processing" row is requeued at once. Each process runs KNOWLEDGE_INGEST_CONCURRENCY jobs at
 * a time; every step is published to the owner's sockets as `knowledge:progress`.
 */

const LEASE_SECONDS = 60;
const HEARTBEAT_MS = 15_000;
const MAX_ATTEMPTS = 3;
/** One document's indexing ends here whatever it is doing, so a parse that never settles cannot hold a worker (and renew its lease) for ever. */
const JOB_MAX_MS = 15 * 60_000;
const INSERT_BATCH = 250;

type IngestGlobal = { running: Map<string, AbortController>; draining?: Promise<void>; again: boolean };
const slot = globalThis as { __neurocacheIngest?: IngestGlobal };
const state: IngestGlobal = (slot.__neurocacheIngest ??= { running: new Map(), again: false });

/** Tells the document's owner where it stands (their open Knowledge pages move). */
export function publishProgress(userId: string, document: DocumentJson): void {
  getPublisher().toUser(userId, 'knowledge:progress', { knowledgeBaseId: document.knowledgeBaseId, document });
}

/** Starts draining the queue in the background, unless this process already is (then it goes round once more). */
export function kickIngestion(): void {
  if (state.draining) {
    state.again = true;
    return;
  }
  state.again = false;
  const draining = drain().finally(() => {
    state.draining = undefined;
    if (state.again) kickIngestion();
  });
  state.draining = draining;
  runInBackground(draining, 'indexing documents');
}

/** Resolves once this process has nothing left to index (tests, benchmarks, shutdown). */
export async function ingestionSettled(): Promise<void> {
  while (state.draining) await state.draining.catch(() => {});
}

/** Stops a job running in this process (its document is being deleted). */
export function abortIngestion(documentId: string): void {
  state.running.get(documentId)?.abort();
}

/**
 * At start: on the embedded database every "processing" row was this process's before it
 * stopped, so they are requeued now; on a shared Postgres their leases tell. Then drains.
 */
export async function resumeIngestion({ exclusive }: { exclusive: boolean }): Promise<number> {
  const db = await getDb();
  if (exclusive) await db.update(documents).set({ status: 'queued', leaseUntil: null }).where(eq(documents.status, 'processing'));
  const pending = await db
    .select({ id: documents.id })
    .from(documents)
    .where(inArray(documents.status, ['queued', 'processing']))
    .limit(1000);
  if (pending.length > 0) kickIngestion();
  return pending.length;
}

async function drain(): Promise<void> {
  const db = await getDb();
  const worker = async () => {
    for (;;) {
      const job = await claim(db);
      if (!job) return;
      await runJob(db, job);
    }
  };
  await Promise.all(Array.from({ length: env().KNOWLEDGE_INGEST_CONCURRENCY }, worker));
}

/** Takes the oldest waiting job (or one whose lease ran out), or nothing. */
async function claim(db: Database): Promise<DocumentRow | undefined> {
  const [row] = await db
    .update(documents)
    .set({ status: 'processing', attempts: sql`${documents.attempts} + 1`, leaseUntil: sql`now() + make_interval(secs => ${LEASE_SECONDS})`, updatedAt: new Date() })
    .where(
      inArray(
        documents.id,
        sql`(select id from ${documents} where status = 'queued' or (status = 'processing' and (lease_until is null or lease_until < now())) order by id limit 1 for update skip locked)`,
      ),
    )
    .returning();
  return row;
}

/** The job's writes land only while it still holds the document (not deleted, not re-claimed). */
const ours = (job: DocumentRow) => and(eq(documents.id, job.id), eq(documents.attempts, job.attempts), eq(documents.status, 'processing'));

class Progress {
  private lastWrite = 0;
  private lastSent = -1;
  constructor(
    private readonly db: Database,
    private readonly job: DocumentRow,
  ) {}

  /**
   * Records progress (0..1): published when it moved by a step, written at most twice a second.
   * Inside the passages' transaction it is only published: a write from outside it would wait on
   * the row the transaction holds (and on PGlite's one connection, on the transaction itself).
   */
  async report(fraction: number, { write = true }: { write?: boolean } = {}): Promise<void> {
    const progress = Math.round(Math.max(0, Math.min(0.99, fraction)) * 100) / 100;
    if (progress - this.lastSent < 0.05 && this.lastSent >= 0) return;
    this.lastSent = progress;
    publishProgress(this.job.ownerId, toDocumentJson({ ...this.job, progress }));
    if (!write || Date.now() - this.lastWrite < 500) return;
    this.lastWrite = Date.now();
    await this.db.update(documents).set({ progress }).where(ours(this.job));
  }
}

/** The job was deleted or taken by another process: its work is dropped. */
class Gone extends Error {}

/** A document that cannot be indexed for a reason the person can act on, shown on it in words. */
class Unindexable extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function runJob(db: Database, job: DocumentRow): Promise<void> {
  if (job.attempts > MAX_ATTEMPTS) {
    return fail(db, job, 'interrupted', `Indexing was interrupted ${MAX_ATTEMPTS} times; upload the document again.`);
  }
  const controller = new AbortController();
  const deadline = setTimeout(() => controller.abort(new Unindexable('timeout', 'Indexing took longer than 15 minutes and was stopped; split the document and upload the parts.')), JOB_MAX_MS);
  deadline.unref?.();
  state.running.set(job.id, controller);
  const heartbeat = setInterval(() => {
    void db
      .update(documents)
      .set({ leaseUntil: sql`now() + make_interval(secs => ${LEASE_SECONDS})` })
      .where(ours(job))
      .catch(() => {});
  }, HEARTBEAT_MS);
  heartbeat.unref?.();
  try {
    await indexDocument(db, job, controller.signal);
  } catch (error) {
    const reason: unknown = controller.signal.reason;
    if (reason instanceof Unindexable) return fail(db, job, reason.code, reason.message);
    if (controller.signal.aborted || error instanceof Gone || isForeignKeyViolation(error)) return; // deleted meanwhile
    if (error instanceof ParseError || error instanceof Unindexable) return fail(db, job, error.code, error.message);
    if (error instanceof OutboundError) return fail(db, job, error.code, error.message);
    console.error('[knowledge] indexing failed', describeError(error));
    if (job.attempts < MAX_ATTEMPTS) {
      await db.update(documents).set({ status: 'queued', leaseUntil: null }).where(ours(job));
      return;
    }
    await fail(db, job, 'internal', 'Indexing failed on our side; upload the document again.');
  } finally {
    clearInterval(heartbeat);
    clearTimeout(deadline);
    state.running.delete(job.id);
  }
}

async function fail(db: Database, job: DocumentRow, code: string, message: string): Promise<void> {
  const [row] = await db
    .update(documents)
    .set({ status: 'error', errorCode: code, errorMessage: message, leaseUntil: null, updatedAt: new Date() })
    .where(ours(job))
    .returning();
  if (row) publishProgress(row.ownerId, toDocumentJson(row));
}

/** The document's bytes: from the file store, or fetched once from its web address and stored. */
async function loadBytes(db: Database, job: DocumentRow, signal: AbortSignal): Promise<{ job: DocumentRow; bytes: Buffer }> {
  if (job.storageKey) {
    const bytes = await getFileStore().get(job.storageKey);
    if (!bytes) throw new Unindexable('missing', 'The stored file is missing; upload the document again.');
    return { job, bytes };
  }
  if (!job.sourceUrl) throw new Unindexable('missing', 'The document has neither a file nor a web address.');
  const maxBytes = Math.min(env().OUTBOUND_MAX_BYTES, env().KNOWLEDGE_MAX_FILE_BYTES);
  const page = await fetchPublic(job.sourceUrl, { signal, maxBytes, accept: 'text/html,application/xhtml+xml,application/pdf;q=0.9,text/plain;q=0.8,*/*;q=0.1' });
  const kind = detectKind({ name: new URL(page.url).pathname, mimeType: page.contentType, bytes: page.body });
  if (!kind) throw new Unindexable('unsupported', `The page at that address is ${page.contentType || 'of an unknown type'}, which the hub cannot read.`);
  const storageKey = `knowledge/${job.ownerId}/${job.id}`;
  await getFileStore().put(storageKey, page.body, mimeTypeFor(kind));
  // The page counts against its owner's storage like an upload, under the same per-person lock.
  const updated = await db
    .transaction(async (tx) => {
      const used = await lockStorage(tx, job.ownerId);
      if (!fitsStorage(used, page.body.length)) throw new Unindexable('too_large', overStorageMessage(used, page.body.length));
      const [saved] = await tx.update(documents).set({ storageKey, bytes: page.body.length, mimeType: mimeTypeFor(kind) }).where(ours(job)).returning();
      return saved;
    })
    .catch(async (error: unknown) => {
      await getFileStore().remove([storageKey]);
      throw error;
    });
  if (!updated) {
    await getFileStore().remove([storageKey]);
    throw new Gone();
  }
  return { job: updated, bytes: page.body };
}

async function indexDocument(db: Database, claimed: DocumentRow, signal: AbortSignal): Promise<void> {
  publishProgress(claimed.ownerId, toDocumentJson(claimed));
  const { job, bytes } = await loadBytes(db, claimed, signal);
  const progress = new Progress(db, job);
  await progress.report(0.05);
  const kind = detectKind({ name: job.name, mimeType: job.mimeType, bytes });
  if (!kind) throw new Unindexable('unsupported', 'The file is not a type the hub can read.');
  // A plain Uint8Array: pdf.js refuses Node Buffers.
  const parsed = await parseDocument({ kind, bytes: new Uint8Array(bytes), signal, onProgress: (fraction: number) => progress.report(0.05 + fraction * 0.6) });
  if (signal.aborted) throw new Gone();
  const passages = chunkDocument(parsed);
  const max = env().KNOWLEDGE_MAX_PASSAGES_PER_DOCUMENT;
  if (passages.length === 0) throw new Unindexable('empty', 'No text was found in this document.');
  if (passages.length > max) {
    throw new Unindexable('too_large', `This document splits into ${passages.length} passages, over the limit of ${max} for one document; split it into smaller files.`);
  }
  await savePassages(db, job, passages, progress);
  const embeddings = getEmbeddingsProvider();
  if (embeddings) await embedDocument({ db, documentId: job.id, signal, onProgress: (fraction: number) => progress.report(0.85 + fraction * 0.14) });
  const [ready] = await db
    .update(documents)
    .set({
      status: 'ready',
      progress: 1,
      chunkCount: passages.length,
      pageCount: parsed.pageCount ?? null,
      // A web page is named by its title once read.
      ...(job.sourceUrl && parsed.title ? { name: parsed.title.slice(0, 200) } : {}),
      errorCode: null,
      errorMessage: null,
      leaseUntil: null,
      updatedAt: new Date(),
    })
    .where(ours(job))
    .returning();
  if (!ready) throw new Gone();
  publishProgress(ready.ownerId, toDocumentJson(ready));
}

/**
 * Replaces the document's passages (a job taken again after a crash starts clean) and their
 * term counts, in one transaction; they stay out of search until the document is "ready".
 */
async function savePassages(db: Database, job: DocumentRow, passages: Passage[], progress: Progress): Promise<void> {
  await db.transaction(async (tx) => {
    const [held] = await tx.select({ id: documents.id }).from(documents).where(ours(job)).for('update');
    if (!held) throw new Gone();
    await removeTerms(tx, { knowledgeBaseId: job.knowledgeBaseId, documentId: job.id });
    await tx.delete(knowledgeChunks).where(eq(knowledgeChunks.documentId, job.id));
    for (let start = 0; start < passages.length; start += INSERT_BATCH) {
      const batch = passages.slice(start, start + INSERT_BATCH);
      await tx.insert(knowledgeChunks).values(
        batch.map((passage) => ({
          id: newId(),
          documentId: job.id,
          knowledgeBaseId: job.knowledgeBaseId,
          position: passage.position,
          page: passage.page ?? null,
          heading: passage.heading,
          content: passage.content,
        })),
      );
      await progress.report(0.65 + ((start + batch.length) / passages.length) * 0.15, { write: false });
    }
    await addTerms(tx, { knowledgeBaseId: job.knowledgeBaseId, documentId: job.id });
  });
}
