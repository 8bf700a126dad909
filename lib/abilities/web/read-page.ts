import 'server-only';
import { chunkDocument } from '@/lib/knowledge/chunk';
import { detectKind, parseDocument, ParseError } from '@/lib/knowledge/parse';
import { fetchPublic, OutboundError, type Lookup, type OutboundErrorCode } from '@/lib/outbound';
import { scoreTexts } from './relevance';

/*
 * A web page as a few passages a model can read: fetched only from a public address (fetchPublic),
 * read as HTML (main content only: navigation, scripts and forms dropped), plain text or PDF by
 * the same parsers as knowledge documents, cut into passages, and, for a question, cut down to
 * the passages that answer it. A page that cannot be read is an answer too, never an exception:
 * one bad page among five must not end a research step.
 */

export type PagePassage = { heading: string; content: string; page?: number };

export type ReadPageErrorCode = OutboundErrorCode | 'unsupported' | 'unreadable' | 'empty';

export type ReadPageResult =
  | { ok: true; url: string; title: string; passages: PagePassage[]; totalPassages: number }
  | { ok: false; url: string; code: ReadPageErrorCode; error: string };

export type ReadPageOptions = {
  /** The caller's stop: aborting it rejects with its reason (a person pressed Stop; not a bad page). */
  signal?: AbortSignal;
  /** When given, the passages that matter most for it are kept (in page order). */
  query?: string;
  maxPassages?: number;
  /** Largest body read, after decompression. Default OUTBOUND_MAX_BYTES. */
  maxBytes?: number;
  /** Fetching and reading together; default OUTBOUND_TIMEOUT_MS for the fetch alone. */
  timeoutMs?: number;
  lookup?: Lookup;
};

export const DEFAULT_MAX_PASSAGES = 6;
const MAX_PASSAGES_LIMIT = 40;
// Smaller than knowledge passages: several pages share one model context.
const PASSAGE_TARGET_CHARS = 700;
const PASSAGE_MAX_CHARS = 1200;
const ACCEPT = 'text/html,application/xhtml+xml,text/plain;q=0.9,text/markdown;q=0.9,application/pdf;q=0.8,*/*;q=0.1';

const failure = (url: string, code: ReadPageErrorCode, error: string): ReadPageResult => ({ ok: false, url, code, error });

const secondsText = (ms: number) => `${+(ms / 1000).toFixed(1)} second${ms === 1000 ? '' : 's'}`;

function pickPassages(passages: PagePassage[], query: string | undefined, max: number): PagePassage[] {
  if (passages.length <= max || !query?.trim()) return passages.slice(0, max);
  const scores = scoreTexts(query, passages.map((passage) => `${passage.heading}\n${passage.content}`));
  if (!scores.some((score) => score > 0)) return passages.slice(0, max);
  const ranked = passages.map((passage, index) => ({ passage, index, score: scores[index]! }));
  ranked.sort((a, b) => b.score - a.score || a.index - b.index);
  return ranked
    .slice(0, max)
    .sort((a, b) => a.index - b.index)
    .map(({ passage }) => passage);
}

function titleFor(url: string, declared: string | undefined, passages: PagePassage[]): string {
  if (declared) return declared;
  const heading = passages.find((passage) => passage.heading)?.heading.split(' › ')[0];
  if (heading) return heading;
  const parsed = new URL(url);
  return `${parsed.hostname}${parsed.pathname === '/' ? '' : parsed.pathname}`;
}

/** The page at `url` as passages, or the sentence that says why it could not be read. */
export async function readPage(url: string, options: ReadPageOptions = {}): Promise<ReadPageResult> {
  const maxPassages = Math.max(1, Math.min(MAX_PASSAGES_LIMIT, Math.floor(options.maxPassages ?? DEFAULT_MAX_PASSAGES)));
  const deadline = new AbortController();
  const timer = options.timeoutMs ? setTimeout(() => deadline.abort(), options.timeoutMs) : undefined;
  const signal = options.signal ? AbortSignal.any([options.signal, deadline.signal]) : deadline.signal;
  const timedOut = () => failure(url, 'timeout', `The page took longer than ${secondsText(options.timeoutMs ?? 0)} to read.`);
  try {
    let page;
    try {
      page = await fetchPublic(url, { signal, accept: ACCEPT, maxBytes: options.maxBytes, timeoutMs: options.timeoutMs, lookup: options.lookup });
    } catch (error) {
      options.signal?.throwIfAborted();
      if (deadline.signal.aborted) return timedOut();
      if (error instanceof OutboundError) return failure(url, error.code, error.message);
      return failure(url, 'unreachable', 'The site could not be reached.');
    }
    const kind = detectKind({ name: new URL(page.url).pathname, mimeType: page.contentType, bytes: page.body });
    if (!kind || kind === 'docx') {
      return failure(page.url, 'unsupported', `The page is ${page.contentType.split(';')[0] || 'of an unknown type'}, which the hub cannot read as a web page.`);
    }
    let parsed;
    try {
      // A plain Uint8Array: pdf.js refuses Node Buffers.
      parsed = await parseDocument({ kind, bytes: new Uint8Array(page.body), signal });
    } catch (error) {
      options.signal?.throwIfAborted();
      if (deadline.signal.aborted) return timedOut();
      if (error instanceof ParseError) return failure(page.url, error.code === 'empty' ? 'empty' : 'unreadable', error.message);
      return failure(page.url, 'unreadable', 'The page could not be read.');
    }
    const passages: PagePassage[] = chunkDocument(parsed, { targetChars: PASSAGE_TARGET_CHARS, maxChars: PASSAGE_MAX_CHARS }).map(({ heading, content, page: number }) => ({
      heading,
      content,
      ...(number ? { page: number } : {}),
    }));
    if (passages.length === 0) return failure(page.url, 'empty', 'No text was found in this page.');
    return { ok: true, url: page.url, title: titleFor(page.url, parsed.title, passages), passages: pickPassages(passages, options.query, maxPassages), totalPassages: passages.length };
  } finally {
    clearTimeout(timer);
  }
}
