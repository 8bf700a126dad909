'use client';

import { useQuery } from '@tanstack/react-query';
import { Spinner } from 'flowbite-react';
import { observer } from 'mobx-react-lite';
import { useState } from 'react';
import { ConfirmAction } from '@/components/ui/confirm-action';
import { useAction } from '@/components/ui/use-action';
import type { KnowledgeDocument } from '@/lib/api-types';
import { toApiError } from '@/lib/http/client';
import { useStores } from '@/stores/context';
import { documentsQuery, type Upload } from '@/stores/knowledge-store';
import { describeBytes } from '@/lib/bytes';
import { documentFileUrl, plural } from './format';

type Tone = 'upload' | 'index' | 'ready' | 'error';

const barColor: Record<Tone, string> = { upload: 'bg-sky-500', index: 'bg-violet-500', ready: 'bg-emerald-500', error: 'bg-red-500' };

function ProgressBar({ value, tone, label }: { value: number; tone: Tone; label: string }) {
  const percent = Math.round(Math.max(0, Math.min(1, value)) * 100);
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent}
      data-testid="progress-bar"
      data-tone={tone}
      className="h-1.5 w-full overflow-hidden rounded-full bg-gray-200 dark:bg-gray-700"
    >
      <div className={`h-full rounded-full transition-[width] duration-300 ${barColor[tone]}`} style={{ width: `${percent}%` }} />
    </div>
  );
}

const rowClass = 'flex flex-col gap-1.5 border-t border-gray-100 px-3 py-2.5 first:border-t-0 dark:border-gray-800';
const linkButton = 'text-xs font-medium text-sky-700 hover:underline dark:text-sky-400';

/** A short name for a type, as people call it. */
function kindOf(mimeType: string, name: string): string {
  if (mimeType === 'application/pdf') return 'PDF';
  if (mimeType.includes('wordprocessingml')) return 'Word';
  if (mimeType === 'text/html') return 'Web page';
  if (mimeType === 'text/markdown' || /\.(md|markdown)$/i.test(name)) return 'Markdown';
  if (mimeType.startsWith('text/')) return 'Text';
  return mimeType || 'File';
}

const UploadRow = observer(function UploadRow({ upload }: { upload: Upload }) {
  const { knowledge } = useStores();
  const failed = upload.state === 'failed';
  return (
    <li className={rowClass} data-testid="upload-row" data-state={upload.state} data-name={upload.name}>
      <div className="flex min-w-0 items-baseline gap-2">
        <span className="min-w-0 flex-1 truncate text-sm font-medium" title={upload.name}>{upload.name}</span>
        <span className="shrink-0 text-xs text-gray-500 dark:text-gray-400">{describeBytes(upload.bytes)}</span>
      </div>
      {failed ? (
        <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
          <p className="min-w-0 flex-1 text-xs text-red-600 dark:text-red-400" role="alert" data-testid="upload-error">
            Not uploaded: {upload.error}
          </p>
          {!upload.final && (
            <button type="button" className={linkButton} onClick={() => knowledge.retry(upload.id)} data-testid="retry-upload">
              Retry
            </button>
          )}
          <button type="button" className="text-xs text-gray-500 hover:underline dark:text-gray-400" onClick={() => knowledge.dismiss(upload.id)} data-testid="dismiss-upload">
            Dismiss
          </button>
        </div>
      ) : (
        <>
          <ProgressBar value={upload.sent} tone="upload" label={`Uploading ${upload.name}`} />
          <div className="flex items-center justify-between text-xs text-gray-500 dark:text-gray-400">
            <span data-testid="upload-status">{upload.state === 'waiting' ? 'Waiting to upload…' : `Uploading… ${Math.round(upload.sent * 100)}%`}</span>
            <button type="button" className="hover:underline" onClick={() => knowledge.dismiss(upload.id)} data-testid="cancel-upload">
              Cancel
            </button>
          </div>
        </>
      )}
    </li>
  );
});

function statusLine(doc: KnowledgeDocument): string {
  switch (doc.status) {
    case 'queued':
      return 'Uploaded · waiting to be indexed…';
    case 'processing':
      return `Indexing… ${Math.round(doc.progress * 100)}%`;
    case 'ready':
      return ['Ready', plural(doc.chunkCount, 'passage'), doc.pageCount ? plural(doc.pageCount, 'page') : null].filter(Boolean).join(' · ');
    case 'error':
      return `Could not be indexed: ${doc.error?.message ?? 'the file could not be read.'}`;
  }
}

function DocumentRow({ doc, confirming, onAsk, onCancel, remove }: {
  doc: KnowledgeDocument;
  confirming: boolean;
  onAsk(): void;
  onCancel(): void;
  remove: { run(id: string): void; pending: boolean; variables?: string };
}) {
  const tone: Tone = doc.status === 'error' ? 'error' : doc.status === 'ready' ? 'ready' : 'index';
  const href = doc.sourceUrl && /^https?:\/\//i.test(doc.sourceUrl) ? doc.sourceUrl : documentFileUrl(doc.knowledgeBaseId, doc.id);
  return (
    <li className={rowClass} data-testid="document-row" data-status={doc.status} data-name={doc.name}>
      <div className="flex min-w-0 items-baseline gap-2">
        <a href={href} target="_blank" rel="noopener noreferrer" className="min-w-0 flex-1 truncate text-sm font-medium hover:underline" title={doc.name} data-testid="document-name">
          {doc.name}
        </a>
        <span className="shrink-0 text-xs text-gray-500 dark:text-gray-400">
          {kindOf(doc.mimeType, doc.name)} · {describeBytes(doc.bytes)}
        </span>
      </div>
      {doc.status !== 'error' && (
        <ProgressBar value={doc.status === 'ready' ? 1 : doc.progress} tone={tone} label={`Indexing ${doc.name}`} />
      )}
      <div className="flex flex-wrap items-center justify-between gap-x-3 gap-y-1 text-xs">
        <span className={`min-w-0 ${doc.status === 'error' ? 'text-red-600 dark:text-red-400' : 'text-gray-500 dark:text-gray-400'}`} role={doc.status === 'error' ? 'alert' : undefined} data-testid="document-status">
          {statusLine(doc)}
        </span>
        <span className="flex shrink-0 items-center gap-2">
          <ConfirmAction
            confirming={confirming}
            onAsk={onAsk}
            onCancel={onCancel}
            onConfirm={() => remove.run(doc.id)}
            pending={remove.pending && remove.variables === doc.id}
            busy={remove.pending}
            label="Delete"
            confirmLabel="Delete"
            pendingLabel="Deleting…"
            question="Delete this document?"
            testIds={{ ask: 'delete-document', confirm: 'confirm-delete-document' }}
          />
        </span>
      </div>
    </li>
  );
}

/** Files on their way up, then every document of the base with its indexing status. */
export const DocumentList = observer(function DocumentList({ knowledgeBaseId }: { knowledgeBaseId: string }) {
  const root = useStores();
  const { data: docs, isPending, error, refetch } = useQuery(documentsQuery(root, knowledgeBaseId));
  const uploads = root.knowledge.uploadsOf(knowledgeBaseId);
  const [confirming, setConfirming] = useState<string | null>(null);
  const remove = useAction((documentId: string) => root.knowledge.removeDocument(knowledgeBaseId, documentId), { onSuccess: () => setConfirming(null) });
  // Newest first (ids are time-ordered), next to the drop zone they came from.
  const sorted = [...(docs ?? [])].sort((a, b) => b.id.localeCompare(a.id));

  return (
    <section aria-label="Documents" className="flex flex-col gap-2">
      <h3 className="text-sm font-semibold">Documents</h3>
      {remove.error && <p className="text-xs text-red-600 dark:text-red-400" role="alert">{remove.error.message}</p>}
      {isPending && <Spinner size="sm" aria-label="Loading documents" />}
      {error && (
        <button type="button" onClick={() => refetch()} className="self-start text-sm text-red-600 hover:underline dark:text-red-400">
          Could not load the documents ({toApiError(error).message}). Retry
        </button>
      )}
      {docs && docs.length === 0 && uploads.length === 0 && <p className="text-sm text-gray-500 dark:text-gray-400">No documents yet. Add some above.</p>}
      {(uploads.length > 0 || sorted.length > 0) && (
        <ul className="rounded-lg border border-gray-200 dark:border-gray-800" data-testid="document-list">
          {uploads.map((upload) => (
            <UploadRow key={upload.id} upload={upload} />
          ))}
          {sorted.map((doc) => (
            <DocumentRow key={doc.id} doc={doc} confirming={confirming === doc.id} onAsk={() => setConfirming(doc.id)} onCancel={() => setConfirming(null)} remove={remove} />
          ))}
        </ul>
      )}
    </section>
  );
});
