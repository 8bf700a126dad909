import 'server-only';
import type { Lookup } from '@/lib/outbound';
import { DEFAULT_MAX_RESULTS } from './providers';
import { readPage, DEFAULT_MAX_PASSAGES } from './read-page';
import { attribute, excerptOf, pageCitation, passagesText, resultBlock, sourceBlock, WEB_DATA_NOTICE } from './format';
import { PageReadError, ToolInputError, type SearchProvider, type ToolResult, type WebTool } from './types';

/*
 * The web abilities as tools for the tool loop. A call that fails rejects with an error whose
 * message is safe to show and to hand to the model (WebSearchError, PageReadError,
 * ToolInputError); a call stopped by its signal rejects with the signal's reason.
 */

const QUERY_MAX_CHARS = 400;
const URL_MAX_CHARS = 2048;

function stringArgument(args: unknown, name: string, max: number, required: boolean): string | undefined {
  const value = typeof args === 'object' && args !== null ? (args as Record<string, unknown>)[name] : undefined;
  if (value === undefined || value === null || value === '') {
    if (required) throw new ToolInputError(`The tool needs "${name}" (a string).`);
    return undefined;
  }
  if (typeof value !== 'string') throw new ToolInputError(`"${name}" must be a string.`);
  const text = value.replace(/\s+/g, ' ').trim();
  if (required && !text) throw new ToolInputError(`"${name}" must not be empty.`);
  if (text.length > max) throw new ToolInputError(`"${name}" is longer than ${max} characters.`);
  return text || undefined;
}

/** Numbered search results as text for the model, and as citations with their addresses. */
export async function runWebSearch(provider: SearchProvider, query: string, { limit = DEFAULT_MAX_RESULTS, signal }: { limit?: number; signal?: AbortSignal } = {}): Promise<ToolResult> {
  const results = await provider.search(query, { limit, signal });
  if (results.length === 0) return { content: `The web search for "${attribute(query)}" found nothing.`, citations: [] };
  return {
    content: [
      `Web search results for "${attribute(query)}" (${results.length}). ${WEB_DATA_NOTICE} To read a result in full, call read_page with its url.`,
      `<results>\n${results.map((result, index) => resultBlock(index + 1, result)).join('\n')}\n</results>`,
    ].join('\n\n'),
    citations: results.map((result, index) => ({ n: index + 1, url: result.url, title: result.title, excerpt: excerptOf(result.snippet || result.title) })),
  };
}

export function webSearchTool(provider: SearchProvider, options: { maxResults?: number } = {}): WebTool {
  return {
    spec: {
      name: 'web_search',
      description: 'Search the web. Answers numbered results (title, address, snippet); read the promising ones with read_page before relying on them.',
      parameters: {
        type: 'object',
        properties: { query: { type: 'string', description: 'What to search for, as you would type it into a search engine.', maxLength: QUERY_MAX_CHARS } },
        required: ['query'],
        additionalProperties: false,
      },
    },
    run: async (args, { signal }) => runWebSearch(provider, stringArgument(args, 'query', QUERY_MAX_CHARS, true)!, { limit: options.maxResults, signal }),
  };
}

export type ReadPageToolOptions = { maxPassages?: number; maxBytes?: number; timeoutMs?: number; lookup?: Lookup };

export function readPageTool(options: ReadPageToolOptions = {}): WebTool {
  return {
    spec: {
      name: 'read_page',
      description: "Read a web page (HTML, plain text or PDF) at a public address. Answers the page's main content as passages; give `query` to keep the passages about it.",
      parameters: {
        type: 'object',
        properties: {
          url: { type: 'string', description: 'The http:// or https:// address of the page.', maxLength: URL_MAX_CHARS },
          query: { type: 'string', description: 'What you are looking for on the page (optional).', maxLength: QUERY_MAX_CHARS },
        },
        required: ['url'],
        additionalProperties: false,
      },
    },
    async run(args, { signal }) {
      const url = stringArgument(args, 'url', URL_MAX_CHARS, true)!;
      const query = stringArgument(args, 'query', QUERY_MAX_CHARS, false);
      const page = await readPage(url, { signal, query, maxPassages: options.maxPassages ?? DEFAULT_MAX_PASSAGES, maxBytes: options.maxBytes, timeoutMs: options.timeoutMs, lookup: options.lookup });
      if (!page.ok) throw new PageReadError(page.code, page.url, `Could not read ${page.url}: ${page.error}`);
      const shown = page.passages.length < page.totalPassages ? ` (${page.passages.length} of its ${page.totalPassages} passages)` : '';
      return {
        content: [`The page ${attribute(page.url)}${shown}. ${WEB_DATA_NOTICE}`, sourceBlock(1, { url: page.url, title: page.title, body: passagesText(page.passages) })].join('\n\n'),
        citations: [pageCitation(1, page)],
      };
    },
  };
}
