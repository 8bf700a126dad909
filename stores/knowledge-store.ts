import { queryOptions } from '@tanstack/react-query';
import { makeAutoObservable, runInAction } from 'mobx';
import { describeBytes } from '@/lib/bytes';
import type { KnowledgeBase, KnowledgeDocument, KnowledgeProgress, KnowledgeSearchResult, RetrievalMode } from '@/lib/api-types';
import { toApiError } from '@/lib/http/client';
import { queryKeys } from './query-keys';
import type { RootStore } from './root-store';

/** What GET /api/knowledge answers; `limits` (where the server says them) lets a file too large be refused before its bytes go. */
export type KnowledgeList = { knowledgeBases: KnowledgeBase[]; retrieval: RetrievalMode; limits?: { maxFileBytes?: number } };
export type KnowledgeBaseInput = { name: string; description: string };

/**
 * A file on its way to the server: uploading (with the fraction of its bytes sent), or refused
 * (the server's reason, or the network's). Once the server has it, it is a document in React
 * Query's list and its indexing progress comes from `knowledge:progress`.
 */
export type Upload = {
  id: string;
  knowledgeBaseId: string;
  name: string;
  bytes: number;
  state: 'waiting' | 'uploading' | 'failed';
  /** 0..1 of the file's bytes sent. */
  sent: number;
  error?: string;
  /** The refusal would recur as is (415, 413, an empty file): no Retry is offered. */
  final?: boolean;
};

/** At most this many files upload at once; the rest wait their turn (a drop of 50 files opens 3 connections, not 50). */
export const UPLOAD_CONCURRENCY = 3;

const statusRank: Record<KnowledgeDocument['status'], number> = { queued: 0, processing: 1, ready: 2, error: 2 };

/** Of two copies of one document, the one further along (events and fetches race; neither may move it back). */
export function newerDocument(a: KnowledgeDocument | undefined, b: KnowledgeDocument): KnowledgeDocument {
  if (!a) return b;
  if (a.updatedAt !== b.updatedAt) return a.updatedAt > b.updatedAt ? a : b;
  if (statusRank[a.status] !== statusRank[b.status]) return statusRank[a.status] > statusRank[b.status] ? a : b;
  return a.progress > b.progress ? a : b;
}

export const knowledgeListQuery = (root: RootStore) => queryOptions({ queryKey: queryKeys.knowledge, queryFn: () => root.knowledge.list() });

export const documentsQuery = (root: RootStore, knowledgeBaseId: string) =>
  queryOptions({ queryKey: queryKeys.knowledgeDocuments(knowledgeBaseId), queryFn: () => root.knowledge.documents(knowledgeBaseId) });

export const knowledgeSearchQuery = (root: RootStore, knowledgeBaseId: string, query: string) =>
  queryOptions({
    queryKey: queryKeys.knowledgeSearch(knowledgeBaseId, query),
    queryFn: () => root.knowledge.search(knowledgeBaseId, query),
    enabled: query.trim().length > 0,
    // A search is asked again when the person asks again, not behind their back.
    staleTime: 60_000,
  });

/**
 * Knowledge bases and their documents are server data in React Query; this store holds the
 * transport and what is the browser's own: files still uploading or refused (`uploads`). Each
 * `knowledge:progress` event updates its document in React Query's list.
 */
export class KnowledgeStore {
  uploads = new Map<string, Upload>();
  /** The newest copy of each document the socket has told of, so a list fetched mid-indexing cannot show it older. */
  private latest = new Map<string, KnowledgeDocument>();
  private files = new Map<string, File>();
  /** Documents known to be deleted: a late event from their indexing must not bring them back. */
  private removed = new Set<string>();
  private aborts = new Map<string, AbortController>();
  private queue: string[] = [];
  private active = 0;
  private countsTimer?: ReturnType<typeof setTimeout>;

  constructor(private readonly root: RootStore) {
    makeAutoObservable<KnowledgeStore, 'root' | 'latest' | 'files' | 'removed' | 'aborts' | 'queue' | 'active' | 'countsTimer'>(this, {
      root: false,
      latest: false,
      files: false,
      removed: false,
      aborts: false,
      queue: false,
      active: false,
      countsTimer: false,
    });
  }

  uploadsOf(knowledgeBaseId: string): Upload[] {
    return [...this.uploads.values()].filter((upload) => upload.knowledgeBaseId === knowledgeBaseId);
  }

  // Transport.
  async list(): Promise<KnowledgeList> {
    const { data } = await this.root.http.get<Partial<KnowledgeList>>('/api/knowledge');
    return { knowledgeBases: data.knowledgeBases ?? [], retrieval: data.retrieval ?? { kind: 'full-text' }, ...(data.limits ? { limits: data.limits } : {}) };
  }

  async create(input: KnowledgeBaseInput): Promise<KnowledgeBase> {
    const { data } = await this.root.http.post<{ knowledgeBase: KnowledgeBase }>('/api/knowledge', input);
    await this.root.queryClient.invalidateQueries({ queryKey: queryKeys.knowledge, exact: true });
    return data.knowledgeBase;
  }

  async update(knowledgeBaseId: string, input: Partial<KnowledgeBaseInput>): Promise<KnowledgeBase> {
    const { data } = await this.root.http.patch<{ knowledgeBase: KnowledgeBase }>(`/api/knowledge/${knowledgeBaseId}`, input);
    await this.root.queryClient.invalidateQueries({ queryKey: queryKeys.knowledge, exact: true });
    return data.knowledgeBase;
  }

  async remove(knowledgeBaseId: string): Promise<void> {
    await this.root.http.delete(`/api/knowledge/${knowledgeBaseId}`);
    for (const upload of this.uploadsOf(knowledgeBaseId)) this.dismiss(upload.id);
    this.root.queryClient.setQueryData<KnowledgeList>(queryKeys.knowledge, (old) => old && { ...old, knowledgeBases: old.knowledgeBases.filter((kb) => kb.id !== knowledgeBaseId) });
    this.root.queryClient.removeQueries({ queryKey: queryKeys.knowledgeBase(knowledgeBaseId) });
    // An agent given this base no longer has it.
    await this.root.queryClient.invalidateQueries({ queryKey: queryKeys.agents });
  }

  async documents(knowledgeBaseId: string): Promise<KnowledgeDocument[]> {
    const { data } = await this.root.http.get<{ documents: KnowledgeDocument[] }>(`/api/knowledge/${knowledgeBaseId}/documents`);
    return data.documents.map((doc) => newerDocument(this.latest.get(doc.id), doc));
  }

  async removeDocument(knowledgeBaseId: string, documentId: string): Promise<void> {
    await this.root.http.delete(`/api/knowledge/${knowledgeBaseId}/documents/${documentId}`);
    this.forgetDocument(knowledgeBaseId, documentId);
    await this.refreshCounts();
  }

  private forgetDocument(knowledgeBaseId: string, documentId: string) {
    this.removed.add(documentId);
    this.latest.delete(documentId);
    this.root.queryClient.setQueryData<KnowledgeDocument[]>(queryKeys.knowledgeDocuments(knowledgeBaseId), (old) => old?.filter((doc) => doc.id !== documentId));
  }

  async addUrl(knowledgeBaseId: string, url: string): Promise<KnowledgeDocument[]> {
    const { data } = await this.root.http.post<{ documents: KnowledgeDocument[] }>(`/api/knowledge/${knowledgeBaseId}/documents`, { url });
    data.documents.forEach((doc) => this.receiveDocument(doc));
    this.refreshCountsSoon();
    return data.documents;
  }

  async addText(knowledgeBaseId: string, input: { title: string; text: string }): Promise<KnowledgeDocument[]> {
    const { data } = await this.root.http.post<{ documents: KnowledgeDocument[] }>(`/api/knowledge/${knowledgeBaseId}/documents`, input);
    data.documents.forEach((doc) => this.receiveDocument(doc));
    this.refreshCountsSoon();
    return data.documents;
  }

  async search(knowledgeBaseId: string, query: string, limit = 8): Promise<KnowledgeSearchResult[]> {
    const { data } = await this.root.http.post<{ results: KnowledgeSearchResult[] }>(`/api/knowledge/${knowledgeBaseId}/search`, { query, limit });
    return data.results;
  }

  /**
   * Queues files for upload, one request per file: each file has its own progress bar and its
   * own answer (a 415 for one file refuses that file, not the nineteen beside it), and a failed
   * file can be retried alone.
   */
  upload(knowledgeBaseId: string, files: Iterable<File>): string[] {
    const ids: string[] = [];
    const maxFileBytes = this.root.queryClient.getQueryData<KnowledgeList>(queryKeys.knowledge)?.limits?.maxFileBytes;
    for (const file of files) {
      const id = crypto.randomUUID();
      ids.push(id);
      // A server refuses an oversized body by closing the connection mid-upload, which a browser
      // may report as a network failure instead of the 413: where the limit is known, the file
      // is refused here, in the same words.
      if (maxFileBytes && file.size > maxFileBytes) {
        this.uploads.set(id, { id, knowledgeBaseId, name: file.name, bytes: file.size, state: 'failed', sent: 0, final: true, error: `${file.name} is larger than ${describeBytes(maxFileBytes)}, the limit for one file.` });
        continue;
      }
      this.files.set(id, file);
      this.uploads.set(id, { id, knowledgeBaseId, name: file.name, bytes: file.size, state: 'waiting', sent: 0 });
      this.queue.push(id);
    }
    this.pump();
    return ids;
  }

  retry(uploadId: string) {
    const upload = this.uploads.get(uploadId);
    if (!upload || upload.state !== 'failed' || !this.files.has(uploadId)) return;
    Object.assign(upload, { state: 'waiting', sent: 0, error: undefined, final: undefined });
    this.queue.push(uploadId);
    this.pump();
  }

  /** Stops an upload in flight (or forgets a refused one). */
  dismiss(uploadId: string) {
    this.aborts.get(uploadId)?.abort();
    this.queue = this.queue.filter((id) => id !== uploadId);
    this.uploads.delete(uploadId);
    this.files.delete(uploadId);
  }

  private pump() {
    while (this.active < UPLOAD_CONCURRENCY && this.queue.length > 0) {
      const id = this.queue.shift()!;
      if (!this.uploads.has(id)) continue;
      this.active += 1;
      void this.send(id).finally(() => {
        this.active -= 1;
        this.pump();
      });
    }
  }

  private async send(uploadId: string) {
    const upload = this.uploads.get(uploadId);
    const file = this.files.get(uploadId);
    if (!upload || !file) return;
    const abort = new AbortController();
    this.aborts.set(uploadId, abort);
    runInAction(() => (upload.state = 'uploading'));
    const form = new FormData();
    form.append('file', file, file.name);
    try {
      const { data } = await this.root.http.post<{ documents: KnowledgeDocument[] }>(`/api/knowledge/${upload.knowledgeBaseId}/documents`, form, {
        // The client's JSON default would turn the form into JSON; this lets the browser set the boundary.
        headers: { 'content-type': 'multipart/form-data' },
        // A large file on a slow link takes longer than the client's 15 s default; progress shows it is alive.
        timeout: 0,
        signal: abort.signal,
        onUploadProgress: (event) => {
          const total = event.total ?? file.size;
          runInAction(() => (upload.sent = total > 0 ? Math.min(1, event.loaded / total) : 1));
        },
      });
      runInAction(() => {
        data.documents.forEach((doc) => this.receiveDocument(doc));
        this.uploads.delete(uploadId);
        this.files.delete(uploadId);
      });
      this.refreshCountsSoon();
    } catch (error) {
      if (abort.signal.aborted) return;
      const apiError = toApiError(error);
      runInAction(() => Object.assign(upload, { state: 'failed', error: apiError.message, final: !apiError.retryable && apiError.status !== 409 }));
    } finally {
      this.aborts.delete(uploadId);
    }
  }

  /** `knowledge:progress`: a document of the person's moved through its statuses. */
  receiveProgress({ knowledgeBaseId, document }: KnowledgeProgress) {
    if (this.removed.has(document.id)) return;
    // A deletion (from any tab, or the API) is told as a last event with the code `deleted`.
    if (document.status === 'error' && document.error?.code === 'deleted') {
      this.forgetDocument(knowledgeBaseId, document.id);
      this.refreshCountsSoon();
      return;
    }
    const before = this.latest.get(document.id);
    this.receiveDocument({ ...document, knowledgeBaseId });
    const settledNow = (document.status === 'ready' || document.status === 'error') && before?.status !== document.status;
    if (settledNow) this.refreshCountsSoon();
  }

  /** One document's newest copy into its base's list (added if the list lacks it). */
  private receiveDocument(document: KnowledgeDocument) {
    const doc = newerDocument(this.latest.get(document.id), document);
    this.latest.set(doc.id, doc);
    this.root.queryClient.setQueryData<KnowledgeDocument[]>(queryKeys.knowledgeDocuments(doc.knowledgeBaseId), (old) => {
      if (!old) return old;
      const at = old.findIndex((d) => d.id === doc.id);
      if (at < 0) return [...old, doc];
      const next = [...old];
      next[at] = newerDocument(old[at], doc);
      return next;
    });
  }

  private async refreshCounts() {
    await this.root.queryClient.invalidateQueries({ queryKey: queryKeys.knowledge, exact: true });
  }

  /** The bases' totals (documents, passages, bytes) follow indexing, at most once a second for a drop of many files. */
  private refreshCountsSoon() {
    this.countsTimer ??= setTimeout(() => {
      this.countsTimer = undefined;
      void this.refreshCounts();
    }, 1000);
  }
}
