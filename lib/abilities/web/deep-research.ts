import 'server-only';
import { randomUUID } from 'node:crypto';
import type { CitationJson } from '@/lib/contracts/citations';
import type { Lookup } from '@/lib/outbound';
import { attribute, excerptOf, pageCitation, passagesText, sourceBlock, WEB_DATA_NOTICE } from './format';
import { readPage, type PagePassage } from './read-page';
import { keywordsOf } from './relevance';
import { ToolInputError, WebSearchError, type ResearchActivity, type SearchProvider, type SearchResult, type ToolResult, type WebTool } from './types';

/*
 * Deep research without a model in the loop: the question and up to two rewordings of it are
 * searched at once, the best distinct pages across those searches are read in parallel (each
 * within its own time limit), and what was gathered comes back as numbered sources for a model
 * to write the answer from. The same question always makes the same searches.
 */

export type ResearchSource = { n: number; url: string; title: string; passages: PagePassage[]; /** The page could not be read: its search snippet stands in. */ fromSnippet: boolean };

export type DeepResearchResult = ToolResult & {
  citations: CitationJson[];
  queries: string[];
  searches: { query: string; results: number; error?: string }[];
  sources: ResearchSource[];
  failures: { url: string; error: string }[];
};

export type DeepResearchOptions = {
  provider: SearchProvider;
  question: string;
  maxSearches?: number;
  maxPages?: number;
  resultsPerSearch?: number;
  passagesPerPage?: number;
  /** Each page's fetch and reading together. */
  pageTimeoutMs?: number;
  maxBytes?: number;
  signal?: AbortSignal;
  onActivity?: (activity: ResearchActivity) => void;
  lookup?: Lookup;
};

const QUESTION_MAX_CHARS = 300;
const bounded = (value: number | undefined, fallback: number, max: number) => Math.max(1, Math.min(max, Math.floor(value ?? fallback)));

/** The searches for a question: the question itself, its key words, and its key words aimed by what it asks. */
export function researchQueries(question: string, max = 3): string[] {
  const asked = question.replace(/\s+/g, ' ').trim().slice(0, QUESTION_MAX_CHARS);
  const keywords = keywordsOf(asked).join(' ');
  const aim = /\b(vs\.?|versus|compared?|comparison|difference|better)\b/i.test(asked)
    ? 'comparison'
    : /^(how|why)\b/i.test(asked)
      ? 'explained'
      : /^(what|who|which)\b/i.test(asked)
        ? 'overview'
        : /\b(latest|news|recent|today|this (week|month|year))\b/i.test(asked)
          ? 'latest news'
          : 'guide';
  const candidates = [asked, keywords, keywords && `${keywords} ${aim}`];
  const seen = new Set<string>();
  const queries: string[] = [];
  for (const query of candidates) {
    const key = query.toLowerCase();
    if (!query || seen.has(key)) continue;
    seen.add(key);
    queries.push(query);
  }
  return queries.slice(0, bounded(max, 3, 5));
}

/** One address per page: a fragment or a trailing slash does not make another page. */
function pageKey(url: string): string {
  const parsed = new URL(url);
  parsed.hash = '';
  parsed.hostname = parsed.hostname.toLowerCase();
  return parsed.href.replace(/\/+$/, '');
}

/** The top results of every search taken in turns (first of each, then second of each...), each page once. */
function interleave(lists: SearchResult[][], max: number): SearchResult[] {
  const picked: SearchResult[] = [];
  const seen = new Set<string>();
  const longest = Math.max(0, ...lists.map((list) => list.length));
  for (let rank = 0; rank < longest && picked.length < max; rank++) {
    for (const list of lists) {
      const result = list[rank];
      if (!result || picked.length >= max) continue;
      const key = pageKey(result.url);
      if (seen.has(key)) continue;
      seen.add(key);
      const url = new URL(result.url);
      url.hash = '';
      picked.push({ ...result, url: url.href });
    }
  }
  return picked;
}

const hostOf = (url: string) => new URL(url).hostname;

export async function deepResearch(options: DeepResearchOptions): Promise<DeepResearchResult> {
  const { provider, signal, onActivity } = options;
  const question = options.question.replace(/\s+/g, ' ').trim();
  if (!question) throw new ToolInputError('Deep research needs a question.');
  const report = (activity: ResearchActivity) => onActivity?.(activity);
  const queries = researchQueries(question, options.maxSearches ?? 3);
  const resultsPerSearch = bounded(options.resultsPerSearch, 5, 20);

  const searches = await Promise.all(
    queries.map(async (query) => {
      const id = randomUUID();
      const title = `Searching the web for “${query}”`;
      report({ id, tool: 'web_search', status: 'running', title });
      try {
        const results = await provider.search(query, { limit: resultsPerSearch, signal });
        report({ id, tool: 'web_search', status: 'done', title, detail: `${results.length} result${results.length === 1 ? '' : 's'}` });
        return { query, results };
      } catch (error) {
        signal?.throwIfAborted();
        const message = error instanceof WebSearchError ? error.message : 'The search failed.';
        report({ id, tool: 'web_search', status: 'error', title, detail: message });
        return { query, results: [] as SearchResult[], error: error instanceof WebSearchError ? error : new WebSearchError('unavailable', message) };
      }
    }),
  );
  const failedAll = searches.every((search) => search.error);
  if (failedAll) throw searches[0]!.error!;

  const chosen = interleave(
    searches.map((search) => search.results),
    bounded(options.maxPages, 5, 10),
  );
  const readId = randomUUID();
  const readTitle = `Reading ${chosen.length} page${chosen.length === 1 ? '' : 's'}`;
  if (chosen.length > 0) report({ id: readId, tool: 'read_page', status: 'running', title: readTitle, detail: [...new Set(chosen.map((result) => hostOf(result.url)))].join(', ') });
  const pages = await Promise.all(
    chosen.map((result) =>
      readPage(result.url, {
        signal,
        query: question,
        maxPassages: bounded(options.passagesPerPage, 3, 10),
        timeoutMs: options.pageTimeoutMs ?? 10_000,
        maxBytes: options.maxBytes,
        lookup: options.lookup,
      }),
    ),
  );

  const sources: ResearchSource[] = [];
  const failures: { url: string; error: string }[] = [];
  chosen.forEach((result, index) => {
    const page = pages[index]!;
    const n = sources.length + 1;
    if (page.ok) {
      sources.push({ n, url: page.url, title: page.title || result.title, passages: page.passages, fromSnippet: false });
      return;
    }
    failures.push({ url: result.url, error: page.error });
    if (result.snippet) sources.push({ n, url: result.url, title: result.title, passages: [{ heading: '', content: result.snippet }], fromSnippet: true });
  });
  if (chosen.length > 0) {
    const read = chosen.length - failures.length;
    report({ id: readId, tool: 'read_page', status: read === 0 ? 'error' : 'done', title: readTitle, detail: `Read ${read} of ${chosen.length} page${chosen.length === 1 ? '' : 's'}` });
  }

  return {
    content: researchText(question, searches, sources, failures),
    citations: sources.map((source) => (source.fromSnippet ? { n: source.n, url: source.url, title: source.title, excerpt: excerptOf(source.passages[0]!.content) } : pageCitation(source.n, source))),
    queries,
    searches: searches.map((search) => ({ query: search.query, results: search.results.length, ...(search.error ? { error: search.error.message } : {}) })),
    sources,
    failures,
  };
}

function researchText(question: string, searches: { query: string; results: SearchResult[]; error?: WebSearchError }[], sources: ResearchSource[], failures: { url: string; error: string }[]): string {
  const searched = searches.map((search) => `"${attribute(search.query)}" (${search.error ? `failed: ${search.error.message}` : `${search.results.length} results`})`).join('; ');
  const parts = [`Research for the question "${attribute(question)}". Searched: ${searched}.`];
  if (sources.length === 0) {
    parts.push('No sources were found. Say so, and do not invent citations.');
    return parts.join('\n\n');
  }
  parts.push(
    `${WEB_DATA_NOTICE} Write the answer from these sources, cite each fact with its source number in square brackets like [1] or [2][3], say where they disagree, and say what they do not answer.`,
    `<sources>\n${sources
      .map((source) => sourceBlock(source.n, { url: source.url, title: source.title, body: passagesText(source.passages), ...(source.fromSnippet ? { note: 'search snippet only; the page could not be read' } : {}) }))
      .join('\n')}\n</sources>`,
  );
  if (failures.length > 0) parts.push(`Pages that could not be read: ${failures.map((failure) => `${attribute(failure.url)} (${failure.error})`).join('; ')}`);
  return parts.join('\n\n');
}

export function deepResearchTool(provider: SearchProvider, options: Omit<DeepResearchOptions, 'provider' | 'question' | 'signal'> = {}): WebTool {
  return {
    spec: {
      name: 'deep_research',
      description: 'Research a question on the web: several searches, the best pages read, answered as numbered sources to write a cited answer from.',
      parameters: {
        type: 'object',
        properties: { question: { type: 'string', description: 'The question to research, in full.', maxLength: QUESTION_MAX_CHARS } },
        required: ['question'],
        additionalProperties: false,
      },
    },
    async run(args, { signal }) {
      const question = typeof args === 'object' && args !== null ? (args as Record<string, unknown>).question : undefined;
      if (typeof question !== 'string' || !question.trim()) throw new ToolInputError('The tool needs "question" (a string).');
      const result = await deepResearch({ ...options, provider, question: question.slice(0, QUESTION_MAX_CHARS), signal });
      return { content: result.content, citations: result.citations };
    },
  };
}
