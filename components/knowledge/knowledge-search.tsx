'use client';

import { useQuery } from '@tanstack/react-query';
import { Button, TextInput } from 'flowbite-react';
import { useState, type FormEvent } from 'react';
import { PendingLabel } from '@/components/ui/pending-label';
import type { KnowledgeSearchResult } from '@/lib/api-types';
import { toApiError } from '@/lib/http/client';
import { useStores } from '@/stores/context';
import { knowledgeSearchQuery } from '@/stores/knowledge-store';
import { documentFileUrl, highlightPieces, searchTerms } from './format';

/** Text with the words that match the search marked; pieces are text nodes, never HTML. */
export function Highlighted({ text, terms }: { text: string; terms: string[] }) {
  return (
    <>
      {highlightPieces(text, terms).map((piece, i) =>
        piece.marked ? (
          <mark key={i} className="rounded-sm bg-amber-200 px-0.5 text-gray-900 dark:bg-amber-400/30 dark:text-amber-100">
            {piece.text}
          </mark>
        ) : (
          piece.text
        ),
      )}
    </>
  );
}

function ResultItem({ knowledgeBaseId, result, terms }: { knowledgeBaseId: string; result: KnowledgeSearchResult; terms: string[] }) {
  const where = [result.page ? `page ${result.page}` : null, result.heading || null].filter(Boolean).join(' · ');
  return (
    <li className="flex flex-col gap-1 border-t border-gray-100 px-3 py-2.5 first:border-t-0 dark:border-gray-800" data-testid="search-result">
      <div className="flex min-w-0 flex-wrap items-baseline gap-x-2 text-xs">
        <a
          href={documentFileUrl(knowledgeBaseId, result.documentId, result.page)}
          target="_blank"
          rel="noopener noreferrer"
          className="min-w-0 truncate font-semibold text-sky-700 hover:underline dark:text-sky-400"
          data-testid="search-result-document"
        >
          {result.documentName}
        </a>
        {where && <span className="min-w-0 truncate text-gray-500 dark:text-gray-400" data-testid="search-result-where">{where}</span>}
      </div>
      <p className="line-clamp-5 whitespace-pre-line break-words text-sm text-gray-700 dark:text-gray-200" data-testid="search-result-content">
        <Highlighted text={result.content} terms={terms} />
      </p>
    </li>
  );
}

/** "Try a search": the passages an agent given this base would be handed for a question. */
export function KnowledgeSearch({ knowledgeBaseId }: { knowledgeBaseId: string }) {
  const root = useStores();
  const [draft, setDraft] = useState('');
  const [asked, setAsked] = useState('');
  const search = useQuery(knowledgeSearchQuery(root, knowledgeBaseId, asked));
  const terms = searchTerms(asked);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const query = draft.trim();
    if (query === asked) void search.refetch();
    setAsked(query);
  }

  return (
    <section aria-label="Try a search" className="flex flex-col gap-2">
      <h3 className="text-sm font-semibold">Try a search</h3>
      <form onSubmit={onSubmit} className="flex flex-col gap-2 sm:flex-row" role="search" data-testid="knowledge-search-form">
        <TextInput
          type="search"
          aria-label="Search this knowledge base"
          placeholder="Ask what an agent would be asked"
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          className="min-w-0 flex-1"
          data-testid="knowledge-search-input"
        />
        <Button type="submit" size="sm" disabled={!draft.trim() || search.isFetching} data-testid="knowledge-search-submit">
          <PendingLabel pending={search.isFetching} idle="Search" busy="Searching…" />
        </Button>
      </form>
      {search.error && (
        <p className="text-sm text-red-600 dark:text-red-400" role="alert">
          {toApiError(search.error).message}
        </p>
      )}
      {search.data && search.data.length === 0 && (
        <p className="text-sm text-gray-500 dark:text-gray-400" data-testid="search-empty">
          No passage matches “{asked}”. Documents still indexing are not searched yet.
        </p>
      )}
      {search.data && search.data.length > 0 && (
        <ol className="rounded-lg border border-gray-200 dark:border-gray-800" data-testid="search-results" aria-live="polite">
          {search.data.map((result) => (
            <ResultItem key={result.chunkId} knowledgeBaseId={knowledgeBaseId} result={result} terms={terms} />
          ))}
        </ol>
      )}
    </section>
  );
}
