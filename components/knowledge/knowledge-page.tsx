'use client';

import { useQuery } from '@tanstack/react-query';
import { Button, Spinner } from 'flowbite-react';
import { observer } from 'mobx-react-lite';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { KnowledgeBase, RetrievalMode } from '@/lib/api-types';
import { toApiError } from '@/lib/http/client';
import { useStores } from '@/stores/context';
import { knowledgeListQuery } from '@/stores/knowledge-store';
import { plural } from './format';
import { KnowledgeBaseDetail } from './knowledge-base-detail';
import { describeBytes } from '@/lib/bytes';
import { KnowledgeBaseModal } from './knowledge-base-modal';

/** Says plainly how search works here, so nobody expects meaning-based matches from keywords. */
export function RetrievalNotice({ retrieval }: { retrieval: RetrievalMode }) {
  return (
    <p className="rounded-lg border border-gray-200 bg-gray-50 px-3 py-2 text-xs text-gray-600 dark:border-gray-800 dark:bg-gray-900 dark:text-gray-300" data-testid="retrieval-mode" data-kind={retrieval.kind}>
      {retrieval.kind === 'hybrid' ? (
        <>
          Hybrid search with <code className="font-mono">{retrieval.model}</code>: keyword matches and meaning-based (embedding) matches, fused.
        </>
      ) : (
        <>
          Search is full-text (keyword) search. Set <code className="font-mono">EMBEDDINGS_MODEL</code> for semantic search.
        </>
      )}
    </p>
  );
}

function BaseCard({ knowledgeBase, selected }: { knowledgeBase: KnowledgeBase; selected: boolean }) {
  return (
    <li>
      <Link
        href={`/hub/knowledge/${knowledgeBase.id}`}
        aria-current={selected ? 'page' : undefined}
        data-testid="knowledge-base-card"
        data-knowledge-base-id={knowledgeBase.id}
        className={`flex flex-col gap-0.5 rounded-lg border px-3 py-2.5 ${
          selected ? 'border-sky-600 bg-sky-50 dark:border-sky-500 dark:bg-sky-950/40' : 'border-gray-200 hover:bg-gray-50 dark:border-gray-800 dark:hover:bg-gray-900'
        }`}
      >
        <span className="truncate text-sm font-semibold">{knowledgeBase.name}</span>
        {knowledgeBase.description && <span className="line-clamp-2 text-xs text-gray-600 dark:text-gray-300">{knowledgeBase.description}</span>}
        <span className="text-xs text-gray-500 dark:text-gray-400" data-testid="knowledge-base-card-totals">
          {plural(knowledgeBase.documentCount, 'document')} · {plural(knowledgeBase.chunkCount, 'passage')} · {describeBytes(knowledgeBase.bytes)}
        </span>
      </Link>
    </li>
  );
}

/**
 * The knowledge page: the person's knowledge bases, and the selected one (from the URL) with its
 * documents. On a phone the list and the selected base are one screen each.
 */
export const KnowledgePage = observer(function KnowledgePage({ selectedId }: { selectedId?: string }) {
  const root = useStores();
  const router = useRouter();
  const { data, isPending, error, refetch } = useQuery(knowledgeListQuery(root));
  const [creating, setCreating] = useState(false);
  const bases = data?.knowledgeBases ?? [];
  const selected = selectedId ? bases.find((kb) => kb.id === selectedId) : undefined;

  return (
    <div className="flex min-h-0 flex-1 flex-col gap-4 overflow-y-auto px-4 py-5 sm:px-6" data-testid="knowledge-page">
      <header className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0 flex-1 basis-64">
          <h1 className="text-lg font-semibold">Knowledge</h1>
          <p className="text-sm text-gray-500 dark:text-gray-400">Upload documents into knowledge bases. Agents you give a base answer from it and cite the passages they used.</p>
        </div>
        <Button size="sm" onClick={() => setCreating(true)} data-testid="new-knowledge-base">
          New knowledge base
        </Button>
      </header>
      {data && <RetrievalNotice retrieval={data.retrieval} />}
      {isPending && <Spinner aria-label="Loading knowledge bases" />}
      {error && (
        <button type="button" onClick={() => refetch()} className="self-start text-sm text-red-600 hover:underline dark:text-red-400">
          Could not load your knowledge bases ({toApiError(error).message}). Retry
        </button>
      )}
      {data && bases.length === 0 && (
        <div className="rounded-lg border border-dashed border-gray-300 p-8 text-center text-sm text-gray-500 dark:border-gray-700 dark:text-gray-400" data-testid="knowledge-empty">
          No knowledge bases yet. Create one, then drop your documents into it.
        </div>
      )}
      {data && bases.length > 0 && (
        <div className="grid min-w-0 gap-5 lg:grid-cols-[18rem_minmax(0,1fr)]">
          <nav aria-label="Knowledge bases" className={selectedId ? 'hidden lg:block' : undefined}>
            <ul className="flex flex-col gap-2" data-testid="knowledge-base-list">
              {bases.map((kb) => (
                <BaseCard key={kb.id} knowledgeBase={kb} selected={kb.id === selectedId} />
              ))}
            </ul>
          </nav>
          <div className={`min-w-0 ${selectedId ? '' : 'hidden lg:block'}`}>
            {selectedId && (
              <Link href="/hub/knowledge" className="mb-3 inline-block text-sm text-sky-700 hover:underline lg:hidden dark:text-sky-400" data-testid="all-knowledge-bases">
                ← All knowledge bases
              </Link>
            )}
            {selected ? (
              <KnowledgeBaseDetail key={selected.id} knowledgeBase={selected} />
            ) : selectedId ? (
              <p className="text-sm text-gray-500 dark:text-gray-400" data-testid="knowledge-base-missing">
                This knowledge base does not exist, or is not yours.
              </p>
            ) : (
              <p className="rounded-lg border border-dashed border-gray-300 p-8 text-center text-sm text-gray-500 dark:border-gray-700 dark:text-gray-400">
                Select a knowledge base to see its documents.
              </p>
            )}
          </div>
        </div>
      )}
      {creating && <KnowledgeBaseModal onClose={() => setCreating(false)} onSaved={(kb) => router.push(`/hub/knowledge/${kb.id}`)} />}
    </div>
  );
});
