import 'server-only';
import type { CitationJson } from '@/lib/contracts/citations';

/** One hit of a web search, cleaned of markup: what a model and a citation need. */
export type SearchResult = { title: string; url: string; snippet: string };

export type SearchProviderName = 'searxng' | 'tavily' | 'brave';

/** A web search service behind one port; each implementation speaks its service's own HTTP API. */
export interface SearchProvider {
  readonly name: SearchProviderName;
  search(query: string, opts: { limit: number; signal?: AbortSignal }): Promise<SearchResult[]>;
}

export type WebSearchErrorCode = 'unavailable' | 'auth' | 'rate_limited' | 'bad_response' | 'unreachable' | 'timeout' | 'blocked';

/** Why a search failed; the message is a sentence fit to show the person (no key, no raw body). */
export class WebSearchError extends Error {
  constructor(
    readonly code: WebSearchErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'WebSearchError';
  }
}

/** A tool was called with arguments it cannot use; the message says what to send instead. */
export class ToolInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolInputError';
  }
}

/** A page a tool was asked to read could not be read; the message is readPage's sentence. */
export class PageReadError extends Error {
  constructor(
    readonly code: string,
    readonly url: string,
    message: string,
  ) {
    super(message);
    this.name = 'PageReadError';
  }
}

/** What a tool answers: text for the model and the sources it may cite (issue 11's tool loop adapts these). */
export type ToolResult = { content: string; citations?: CitationJson[] };

export type WebTool = {
  spec: { name: string; description: string; parameters: Record<string, unknown> };
  run(args: unknown, ctx: { signal: AbortSignal }): Promise<ToolResult>;
};

/** One step of deep research, in the shape of API.md's `activity` (the tool loop publishes it). */
export type ResearchActivity = { id: string; tool: 'web_search' | 'read_page'; status: 'running' | 'done' | 'error'; title: string; detail?: string };
