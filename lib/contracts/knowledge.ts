import type { DocumentStatus } from '@/lib/db/schema';

/** Knowledge bases, documents and search results as the API, the realtime events and the browser see them (API.md). */

export type KnowledgeBaseJson = {
  id: string;
  name: string;
  description: string;
  documentCount: number;
  chunkCount: number;
  bytes: number;
  createdAt: string;
  updatedAt: string;
};

export type DocumentJson = {
  id: string;
  knowledgeBaseId: string;
  name: string;
  mimeType: string;
  bytes: number;
  status: DocumentStatus;
  /** 0..1 while indexing; 1 once ready. */
  progress: number;
  chunkCount: number;
  pageCount?: number;
  error?: { code: string; message: string };
  sourceUrl?: string;
  createdAt: string;
  updatedAt: string;
};

export type SearchResultJson = {
  documentId: string;
  documentName: string;
  chunkId: string;
  content: string;
  score: number;
  page?: number;
  heading?: string;
};

/** How this deployment searches: keywords only, or keywords fused with an embeddings model's vectors. */
export type RetrievalMode = { kind: 'full-text' } | { kind: 'hybrid'; model: string };

export type KnowledgeProgressEvent = { knowledgeBaseId: string; document: DocumentJson };
