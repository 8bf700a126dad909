'use client';

import { useCallback, useEffect, useId, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { documentFileUrl } from '@/components/knowledge/format';
import { Markdown } from '@/components/ui/markdown';
import type { TextRenderer } from '@/components/ui/markdown-tree';
import type { Citation } from '@/lib/api-types';

/** Where a citation opens: its document's file at its page, or the web page it came from. */
export function citationHref(citation: Citation): string | null {
  if (citation.documentId && citation.knowledgeBaseId) return documentFileUrl(citation.knowledgeBaseId, citation.documentId, citation.page);
  // Only web addresses: a stored url is data from outside and must not become a javascript: link.
  if (citation.url && /^https?:\/\//i.test(citation.url)) return citation.url;
  return null;
}

export const citationName = (citation: Citation) => citation.documentName ?? citation.title ?? citation.url ?? `Source ${citation.n}`;

/** "page 3 · Installing", what locates the passage inside its source. */
export const citationWhere = (citation: Citation) => [citation.page ? `page ${citation.page}` : null, citation.heading || null].filter(Boolean).join(' · ');

const CLOSE_DELAY_MS = 150;

/**
 * `[n]` in a reply: a small button whose excerpt shows on hover, on focus and on a tap (touch has
 * no hover), and closes on Escape, on leaving, or on a tap elsewhere. The excerpt is a tooltip
 * (text only); the links to open a source are in the Sources list under the reply.
 */
export function CitationChip({ citation }: { citation: Citation }) {
  const [open, setOpen] = useState(false);
  const [pinned, setPinned] = useState(false);
  const [position, setPosition] = useState<{ left: number; width: number; top?: number; bottom?: number } | null>(null);
  const chip = useRef<HTMLButtonElement>(null);
  const wrapper = useRef<HTMLSpanElement>(null);
  const closeTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const popoverId = useId();
  const where = citationWhere(citation);

  // Bumped on every show, so the excerpt is placed for where the chip is now.
  const [placements, setPlacements] = useState(0);
  const show = useCallback(() => {
    clearTimeout(closeTimer.current);
    setOpen(true);
    setPlacements((count) => count + 1);
  }, []);
  const hideSoon = useCallback(() => {
    clearTimeout(closeTimer.current);
    // A short grace, so the pointer can cross the gap into the excerpt (to select its text).
    closeTimer.current = setTimeout(() => setOpen(false), CLOSE_DELAY_MS);
  }, []);
  const close = useCallback(() => {
    clearTimeout(closeTimer.current);
    setOpen(false);
    setPinned(false);
  }, []);
  useEffect(() => () => clearTimeout(closeTimer.current), []);

  // Placed against the viewport and kept inside it, so a chip at a phone's right edge opens on
  // screen, and one low on the screen (the newest reply, above the composer) opens upwards.
  useLayoutEffect(() => {
    if (!open || !chip.current) return;
    const rect = chip.current.getBoundingClientRect();
    const viewportWidth = document.documentElement.clientWidth || window.innerWidth;
    const viewportHeight = window.innerHeight;
    const width = Math.min(320, viewportWidth - 16);
    const left = Math.max(8, Math.min(rect.left, viewportWidth - width - 8));
    setPosition(rect.bottom > viewportHeight * 0.6 ? { left, width, bottom: viewportHeight - rect.top + 4 } : { left, width, top: rect.bottom + 4 });
  }, [open, placements]);

  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        close();
        chip.current?.focus();
      }
    };
    const onPointer = (event: PointerEvent) => {
      if (!wrapper.current?.contains(event.target as Node)) close();
    };
    // The excerpt is placed for where the chip was; a scroll or a resize moves the chip away from it.
    const onMove = () => close();
    document.addEventListener('keydown', onKey);
    document.addEventListener('pointerdown', onPointer);
    window.addEventListener('scroll', onMove, true);
    window.addEventListener('resize', onMove);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('pointerdown', onPointer);
      window.removeEventListener('scroll', onMove, true);
      window.removeEventListener('resize', onMove);
    };
  }, [open, close]);

  return (
    <span ref={wrapper} className="relative inline" onMouseEnter={show} onMouseLeave={() => !pinned && hideSoon()}>
      <button
        ref={chip}
        type="button"
        data-testid="citation-chip"
        data-n={citation.n}
        aria-label={`Source ${citation.n}: ${citationName(citation)}`}
        aria-expanded={open}
        aria-describedby={open ? popoverId : undefined}
        onFocus={show}
        onBlur={(event) => !wrapper.current?.contains(event.relatedTarget as Node) && !pinned && hideSoon()}
        onClick={() => {
          if (pinned) close();
          else {
            show();
            setPinned(true);
          }
        }}
        className="mx-0.5 inline-flex h-[1.15rem] min-w-[1.15rem] items-center justify-center rounded bg-sky-100 px-1 align-text-top text-[0.7rem] font-semibold leading-none text-sky-800 hover:bg-sky-200 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 dark:bg-sky-900/70 dark:text-sky-100 dark:hover:bg-sky-800"
      >
        {citation.n}
      </button>
      {open && (
        <span
          id={popoverId}
          role="tooltip"
          data-testid="citation-popover"
          style={position ? { position: 'fixed', ...position } : { position: 'absolute', left: 0, top: '100%', width: 320 }}
          className="z-50 flex flex-col gap-1 rounded-lg border border-gray-200 bg-white p-3 text-left text-xs font-normal text-gray-700 shadow-lg dark:border-gray-700 dark:bg-gray-800 dark:text-gray-200"
        >
          <span className="font-semibold text-gray-900 dark:text-gray-50">
            [{citation.n}] {citationName(citation)}
          </span>
          {where && <span className="text-gray-500 dark:text-gray-400">{where}</span>}
          <span className="line-clamp-6 whitespace-pre-line break-words" data-testid="citation-excerpt">
            {citation.excerpt}
          </span>
        </span>
      )}
    </span>
  );
}

/**
 * The "Sources" under a reply: each citation by its number, name and place, opening in a new tab.
 * A document opens only for its owner (files are theirs): given the viewer's own bases, a
 * document of someone else's base is named without a link, instead of a link that answers 404.
 */
export function SourcesList({ citations, ownKnowledgeBaseIds }: { citations: Citation[]; ownKnowledgeBaseIds?: ReadonlySet<string> }) {
  if (citations.length === 0) return null;
  const sorted = [...citations].sort((a, b) => a.n - b.n);
  return (
    <section aria-label="Sources" className="mt-1.5 border-t border-gray-200 pt-1.5 dark:border-gray-700" data-testid="sources">
      <h4 className="text-[0.7rem] font-semibold uppercase tracking-wide text-gray-500 dark:text-gray-400">Sources</h4>
      <ol className="mt-0.5 flex flex-col gap-0.5 text-xs">
        {sorted.map((citation) => {
          const othersDocument = Boolean(citation.knowledgeBaseId && ownKnowledgeBaseIds && !ownKnowledgeBaseIds.has(citation.knowledgeBaseId));
          const href = othersDocument ? null : citationHref(citation);
          const where = citationWhere(citation);
          const name = citationName(citation);
          return (
            <li key={citation.n} className="flex min-w-0 items-baseline gap-1.5" data-testid="source">
              <span className="shrink-0 font-semibold text-sky-800 dark:text-sky-200">[{citation.n}]</span>
              <span className="min-w-0 break-words">
                {href ? (
                  <a href={href} target="_blank" rel="noopener noreferrer" className="font-medium text-sky-700 hover:underline dark:text-sky-400" data-testid="source-link">
                    {name}
                  </a>
                ) : (
                  <span className="font-medium" title={othersDocument ? "Only the owner of this agent's knowledge base can open the document." : undefined}>
                    {name}
                  </span>
                )}
                {where && <span className="text-gray-500 dark:text-gray-400"> · {where}</span>}
              </span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}

const MARKER = /\[(\d{1,3})\]/g;

function splitMarkers(text: string, byNumber: Map<number, Citation>, key: string): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(MARKER)) {
    const citation = byNumber.get(Number(match[1]));
    if (!citation) continue;
    if (match.index > last) out.push(text.slice(last, match.index));
    out.push(<CitationChip key={`${key}-${match.index}`} citation={citation} />);
    last = match.index + match[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/**
 * A reply's markdown with each `[n]` that names one of its citations turned into a chip. The
 * markdown is rendered, sanitized and rebuilt as React exactly as every message is (Markdown);
 * only its text nodes are split here, so no HTML is ever assembled from the content and an `[n]`
 * inside code or without a citation stays text.
 */
export function CitedMarkdown({ source, citations }: { source: string; citations: Citation[] }) {
  const byNumber = useMemo(() => new Map(citations.map((citation) => [citation.n, citation])), [citations]);
  const renderText = useCallback<TextRenderer>((text, key) => splitMarkers(text, byNumber, key), [byNumber]);
  return <Markdown source={source} renderText={renderText} />;
}
