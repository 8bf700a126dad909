import 'server-only';
import type { DocumentRow, KnowledgeBase } from '@/lib/db/schema';
import type { DocumentJson, KnowledgeBaseJson } from '@/lib/contracts/knowledge';

export type BaseTotals = { documentCount: number; chunkCount: number; bytes: number };

export function toKnowledgeBaseJson(base: KnowledgeBase, totals: BaseTotals): KnowledgeBaseJson {
  return {
    id: base.id,
    name: base.name,
    description: base.description,
    documentCount: Number(totals.documentCount),
    chunkCount: Number(totals.chunkCount),
    bytes: Number(totals.bytes),
    createdAt: base.createdAt.toISOString(),
    updatedAt: base.updatedAt.toISOString(),
  };
}

export function toDocumentJson(row: DocumentRow): DocumentJson {
  return {
    id: row.id,
    knowledgeBaseId: row.knowledgeBaseId,
    name: row.name,
    mimeType: row.mimeType,
    bytes: row.bytes,
    status: row.status,
    progress: row.status === 'ready' ? 1 : Math.max(0, Math.min(1, row.progress)),
    chunkCount: row.chunkCount,
    ...(row.pageCount ? { pageCount: row.pageCount } : {}),
    ...(row.status === 'error' ? { error: { code: row.errorCode ?? 'error', message: row.errorMessage ?? 'The document could not be indexed.' } } : {}),
    ...(row.sourceUrl ? { sourceUrl: row.sourceUrl } : {}),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
