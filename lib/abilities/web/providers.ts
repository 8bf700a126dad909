import 'server-only';
import { fetchPublic, OutboundError, type Lookup, type PublicResponse } from '@/lib/outbound';
import { WebSearchError, type SearchProvider, type SearchProviderName, type SearchResult } from './types';

/*
 * The three search services, each through its own HTTP API and always through fetchPublic: a
 * provider's address is checked like any page's (public only, unless OUTBOUND_ALLOW_HOSTS names
 * it), so a misconfigured SEARXNG_URL cannot reach the hub's own network either. API keys travel
 * in headers, never in bodies: fetchPublic drops a caller's headers on a redirect to another
 * origin, so a key cannot follow a redirect elsewhere.
 */

export const TAVILY_BASE_URL = 'https://api.tavily.com';
export const BRAVE_BASE_URL = 'https://api.search.brave.com';
export const DEFAULT_MAX_RESULTS = 5;
/** Results one search may ask for: the most Tavily and Brave give in one call. */
export const MAX_RESULTS_LIMIT = 20;
/** Search answers are small; anything past this is not a search answer. */
const RESPONSE_MAX_BYTES = 2 * 1024 * 1024;
const TITLE_MAX_CHARS = 200;
const SNIPPET_MAX_CHARS = 500;

const labels: Record<SearchProviderName, string> = { searxng: 'SearXNG', tavily: 'Tavily', brave: 'Brave Search' };
const keyVariables: Record<SearchProviderName, string> = { searxng: 'SEARXNG_URL', tavily: 'TAVILY_API_KEY', brave: 'BRAVE_SEARCH_API_KEY' };

type Transport = { timeoutMs?: number; lookup?: Lookup };

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Provider text as plain text: Brave marks matches with <strong>, and any of them may carry entities. */
export function plainText(text: unknown, maxChars: number): string {
  if (typeof text !== 'string') return '';
  const flat = text
    .replace(/<[^<>]{0,500}>/g, '')
    .replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,6});/gi, (whole, name: string) => {
      if (name[0] === '#') {
        const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
      }
      return entities[name.toLowerCase()] ?? whole;
    })
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > maxChars ? `${flat.slice(0, maxChars - 1).trimEnd()}…` : flat;
}

/** Results with an http(s) address, cleaned, each address once, at most `limit`. */
function cleanResults(raw: { title?: unknown; url?: unknown; snippet?: unknown }[], limit: number): SearchResult[] {
  const seen = new Set<string>();
  const results: SearchResult[] = [];
  for (const item of raw) {
    if (results.length >= limit) break;
    if (typeof item.url !== 'string') continue;
    let url: URL;
    try {
      url = new URL(item.url);
    } catch {
      continue;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') continue;
    url.hash = '';
    if (seen.has(url.href)) continue;
    seen.add(url.href);
    results.push({ url: url.href, title: plainText(item.title, TITLE_MAX_CHARS) || url.hostname, snippet: plainText(item.snippet, SNIPPET_MAX_CHARS) });
  }
  return results;
}

const clampLimit = (limit: number) => Math.max(1, Math.min(MAX_RESULTS_LIMIT, Math.floor(limit) || DEFAULT_MAX_RESULTS));

/** An endpoint under a base URL that may itself have a path (a SearXNG behind /searx/). */
function endpoint(base: string, path: string): URL {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
  url.search = '';
  url.hash = '';
  return url;
}

async function call(name: SearchProviderName, url: URL, init: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string; signal?: AbortSignal } & Transport): Promise<PublicResponse> {
  const label = labels[name];
  try {
    return await fetchPublic(url, { ...init, accept: 'application/json', maxBytes: RESPONSE_MAX_BYTES, allowErrorStatus: true });
  } catch (error) {
    if (init.signal?.aborted) throw init.signal.reason;
    if (error instanceof OutboundError) {
      const code = error.code === 'timeout' ? 'timeout' : error.code === 'blocked' ? 'blocked' : 'unreachable';
      throw new WebSearchError(code, `Web search through ${label} failed: ${error.message}`);
    }
    throw error;
  }
}

/** The service's answer as JSON, or the sentence that says why there is none. */
function readJson(name: SearchProviderName, response: PublicResponse): unknown {
  const label = labels[name];
  const { status } = response;
  if (status === 401 || (status === 403 && name !== 'searxng')) {
    throw new WebSearchError('auth', `${label} refused the search key (${status}); check ${keyVariables[name]}.`);
  }
  if (status === 403) {
    throw new WebSearchError('auth', 'The SearXNG server refused to answer in JSON (403); enable the json format under search.formats in its settings.yml.');
  }
  if (status === 429) throw new WebSearchError('rate_limited', `${label} is limiting the rate of searches (429); try again in a moment.`);
  if (status === 432 || status === 402) throw new WebSearchError('rate_limited', `${label} says the search plan's quota is used up (${status}).`);
  if (status < 200 || status > 299) throw new WebSearchError('unavailable', `${label} answered ${status} to the search.`);
  try {
    return JSON.parse(response.body.toString('utf8'));
  } catch {
    throw new WebSearchError('bad_response', `${label} did not answer with search results (the response was not JSON).`);
  }
}

function listAt(name: SearchProviderName, value: unknown): Record<string, unknown>[] {
  if (!Array.isArray(value)) throw new WebSearchError('bad_response', `${labels[name]} answered without a list of results.`);
  return value.filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null);
}

/** SearXNG's JSON API: GET {base}/search?q=…&format=json (the instance must allow the json format). */
export function searxngProvider({ baseUrl, ...transport }: { baseUrl: string } & Transport): SearchProvider {
  return {
    name: 'searxng',
    async search(query, { limit, signal }) {
      const url = endpoint(baseUrl, '/search');
      url.searchParams.set('q', query);
      url.searchParams.set('format', 'json');
      url.searchParams.set('pageno', '1');
      url.searchParams.set('safesearch', '1');
      const json = readJson('searxng', await call('searxng', url, { signal, ...transport })) as { results?: unknown };
      // SearXNG takes no result count: it answers a page, cut here.
      return cleanResults(
        listAt('searxng', json?.results).map((item) => ({ title: item.title, url: item.url, snippet: item.content })),
        clampLimit(limit),
      );
    },
  };
}

/** Tavily's search API: POST {base}/search with a bearer key and a JSON body. */
export function tavilyProvider({ apiKey, baseUrl = TAVILY_BASE_URL, ...transport }: { apiKey: string; baseUrl?: string } & Transport): SearchProvider {
  return {
    name: 'tavily',
    async search(query, { limit, signal }) {
      const body = JSON.stringify({ query, max_results: clampLimit(limit), search_depth: 'basic', topic: 'general', include_answer: false, include_raw_content: false, include_images: false });
      const response = await call('tavily', endpoint(baseUrl, '/search'), {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body,
        signal,
        ...transport,
      });
      const json = readJson('tavily', response) as { results?: unknown };
      return cleanResults(
        listAt('tavily', json?.results).map((item) => ({ title: item.title, url: item.url, snippet: item.content })),
        clampLimit(limit),
      );
    },
  };
}

/** Brave's Web Search API: GET {base}/res/v1/web/search?q=…&count=… with X-Subscription-Token. */
export function braveProvider({ apiKey, baseUrl = BRAVE_BASE_URL, ...transport }: { apiKey: string; baseUrl?: string } & Transport): SearchProvider {
  return {
    name: 'brave',
    async search(query, { limit, signal }) {
      const url = endpoint(baseUrl, '/res/v1/web/search');
      url.searchParams.set('q', query);
      url.searchParams.set('count', String(clampLimit(limit)));
      url.searchParams.set('safesearch', 'moderate');
      url.searchParams.set('text_decorations', 'false');
      const response = await call('brave', url, { headers: { 'x-subscription-token': apiKey }, signal, ...transport });
      const json = readJson('brave', response) as { web?: { results?: unknown } };
      // A query with no web results answers without a `web` section at all.
      const raw = json && typeof json === 'object' && !('web' in json) ? [] : listAt('brave', json?.web?.results);
      return cleanResults(
        raw.map((item) => ({ title: item.title, url: item.url, snippet: item.description })),
        clampLimit(limit),
      );
    },
  };
}

export type WebSearchConfig = {
  /** Which service, when more than one is configured; otherwise SearXNG, then Tavily, then Brave. */
  provider?: SearchProviderName;
  searxngUrl?: string;
  tavilyApiKey?: string;
  braveApiKey?: string;
  /** Results a web_search call answers. */
  maxResults: number;
  /** Endpoint overrides (tests, a proxy in front of the service). */
  tavilyBaseUrl?: string;
  braveBaseUrl?: string;
  timeoutMs?: number;
  lookup?: Lookup;
};

export type WebSearchEnv = {
  SEARXNG_URL?: string;
  TAVILY_API_KEY?: string;
  BRAVE_SEARCH_API_KEY?: string;
  WEB_SEARCH_PROVIDER?: SearchProviderName;
  WEB_SEARCH_MAX_RESULTS?: number;
};

const blank = (value: string | undefined) => (value?.trim() ? value.trim() : undefined);

/** The configuration from the environment's values (lib/env's parsed copy; `webSearchConfig(env())`). */
export function webSearchConfig(values: WebSearchEnv): WebSearchConfig {
  return {
    provider: values.WEB_SEARCH_PROVIDER,
    searxngUrl: blank(values.SEARXNG_URL),
    tavilyApiKey: blank(values.TAVILY_API_KEY),
    braveApiKey: blank(values.BRAVE_SEARCH_API_KEY),
    maxResults: clampLimit(values.WEB_SEARCH_MAX_RESULTS ?? DEFAULT_MAX_RESULTS),
  };
}

const configured = (config: WebSearchConfig): SearchProviderName[] =>
  [config.searxngUrl && 'searxng', config.tavilyApiKey && 'tavily', config.braveApiKey && 'brave'].filter(Boolean) as SearchProviderName[];

/** The provider the configuration names, or undefined when web search is not set up. */
export function createSearchProvider(config: WebSearchConfig): SearchProvider | undefined {
  const names = configured(config);
  // A provider named but not configured is not silently replaced by another (describeWebSearch says why).
  const name = config.provider ? names.find((candidate) => candidate === config.provider) : names[0];
  const transport = { timeoutMs: config.timeoutMs, lookup: config.lookup };
  if (name === 'searxng') return searxngProvider({ baseUrl: config.searxngUrl!, ...transport });
  if (name === 'tavily') return tavilyProvider({ apiKey: config.tavilyApiKey!, baseUrl: config.tavilyBaseUrl, ...transport });
  if (name === 'brave') return braveProvider({ apiKey: config.braveApiKey!, baseUrl: config.braveBaseUrl, ...transport });
  return undefined;
}

export const WEB_SEARCH_UNAVAILABLE = 'Web search needs a search provider: set SEARXNG_URL, TAVILY_API_KEY or BRAVE_SEARCH_API_KEY.';

/** For GET /api/abilities: whether web search works here, and why not. */
export function describeWebSearch(config: WebSearchConfig): { available: boolean; reason?: string; provider?: SearchProviderName } {
  const names = configured(config);
  if (names.length === 0) return { available: false, reason: WEB_SEARCH_UNAVAILABLE };
  if (config.provider && !names.includes(config.provider)) {
    return { available: false, reason: `WEB_SEARCH_PROVIDER is ${config.provider}, but ${keyVariables[config.provider]} is not set.` };
  }
  return { available: true, provider: config.provider ?? names[0] };
}
