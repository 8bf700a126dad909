import {
  braveProvider,
  createSearchProvider,
  deepResearch,
  deepResearchTool,
  describeWebSearch,
  PageReadError,
  readPage,
  readPageTool,
  researchQueries,
  searxngProvider,
  tavilyProvider,
  ToolInputError,
  webSearchConfig,
  webSearchTool,
  WebSearchError,
  WEB_SEARCH_UNAVAILABLE,
  type ResearchActivity,
  type SearchProvider,
} from '@/lib/abilities/web';
import { setEnv } from '../helpers/env';
import { INJECTION_TEXT, startLoopbackServer, startWebFixtures, type LoopbackServer, type WebFixtures } from '../helpers/searxng-server';

/*
 * Web search and page reading over real HTTP on loopback: a static site, a SearXNG-compatible
 * server and fakes of Tavily's and Brave's APIs, all on 127.0.0.1 port 0, let through by
 * OUTBOUND_ALLOW_HOSTS by host:port (so another loopback port stays refused, as any private
 * address is). Names are answered by a fixed lookup, never by real DNS.
 */

let web: WebFixtures;
let restoreEnv: () => void;
const extra: LoopbackServer[] = [];

beforeAll(async () => {
  web = await startWebFixtures();
  restoreEnv = setEnv({ OUTBOUND_ALLOW_HOSTS: `${web.site.hostPort},${web.searxng.hostPort}`, OUTBOUND_TIMEOUT_MS: '5000' });
});

afterAll(async () => {
  restoreEnv();
  await Promise.all([web.close(), ...extra.map((server) => server.close())]);
});

/** A server the hub must never reach: not allow-listed, so refused like any private address. */
async function trap(): Promise<LoopbackServer> {
  const server = await startLoopbackServer((_request, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<p>internal admin panel</p>'));
  extra.push(server);
  return server;
}

/** A fake search API on loopback, allow-listed for the duration of one test. */
async function fakeApi(answer: (request: { method: string; url: string; headers: Record<string, unknown>; body: Buffer }) => { status: number; json?: unknown; text?: string }) {
  const server = await startLoopbackServer((request, res) => {
    const { status, json, text } = answer(request);
    res.writeHead(status, { 'content-type': json === undefined ? 'text/plain' : 'application/json' }).end(json === undefined ? (text ?? '') : JSON.stringify(json));
  });
  extra.push(server);
  const restore = setEnv({ OUTBOUND_ALLOW_HOSTS: `${web.site.hostPort},${web.searxng.hostPort},${server.hostPort}` });
  return { server, restore };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('search providers', () => {
  it('searches through SearXNG by its JSON API and answers cleaned results within the limit', async () => {
    const provider = searxngProvider({ baseUrl: web.searxng.origin });
    const results = await provider.search('spring tides moon', { limit: 3 });
    expect(results).toHaveLength(3);
    expect(results[0]).toEqual({ url: `${web.site.origin}/tides`, title: 'How tides work - Ocean Notes', snippet: expect.stringContaining('gravity of the Moon') });
    const request = new URL(web.searxng.received.at(-1)!.url, 'http://x');
    expect(request.pathname).toBe('/search');
    expect(request.searchParams.get('format')).toBe('json');
    expect(request.searchParams.get('q')).toBe('spring tides moon');
  });

  it('refuses a SearXNG address that is not public, without connecting to it', async () => {
    const hidden = await trap();
    const error = await failure(searxngProvider({ baseUrl: hidden.origin }).search('tides', { limit: 3 }));
    expect(error).toBeInstanceOf(WebSearchError);
    expect((error as WebSearchError).code).toBe('blocked');
    expect(error.message).toBe('Web search through SearXNG failed: That address is not public; the hub only fetches public web pages.');
    expect(hidden.connections).toBe(0);
  });

  it('says how to fix a SearXNG that does not answer JSON', async () => {
    const { server, restore } = await fakeApi(() => ({ status: 403, text: 'Forbidden' }));
    try {
      const error = await failure(searxngProvider({ baseUrl: `${server.origin}/searx/` }).search('tides', { limit: 3 }));
      expect(error.message).toMatch(/enable the json format under search\.formats in its settings\.yml/);
      expect(new URL(server.received[0]!.url, 'http://x').pathname).toBe('/searx/search');
    } finally {
      restore();
    }
  });

  it('calls Tavily as its API expects (POST /search, bearer key, JSON body) and reads its results', async () => {
    const { server, restore } = await fakeApi(({ headers }) =>
      headers.authorization === 'Bearer tvly-test-key'
        ? {
            status: 200,
            json: {
              query: 'neap tides',
              answer: null,
              images: [],
              results: [
                { title: 'Neap tide', url: 'https://example.org/neap#top', content: 'Neap tides happen at the quarter moons &amp; have the smallest range.', score: 0.9, raw_content: null },
                { title: 'Not a web page', url: 'javascript:alert(1)', content: 'x', score: 0.1 },
                { title: 'Duplicate', url: 'https://example.org/neap', content: 'same page', score: 0.5 },
              ],
              response_time: 0.4,
            },
          }
        : { status: 401, json: { detail: { error: 'Unauthorized: missing or invalid API key.' } } },
    );
    try {
      const results = await tavilyProvider({ apiKey: 'tvly-test-key', baseUrl: server.origin }).search('neap tides', { limit: 3 });
      expect(results).toEqual([{ title: 'Neap tide', url: 'https://example.org/neap', snippet: 'Neap tides happen at the quarter moons & have the smallest range.' }]);
      const request = server.received[0]!;
      expect(request.method).toBe('POST');
      expect(request.url).toBe('/search');
      expect(request.headers['content-type']).toBe('application/json');
      expect(JSON.parse(request.body.toString())).toMatchObject({ query: 'neap tides', max_results: 3, search_depth: 'basic', include_answer: false });
      expect(request.body.toString()).not.toContain('tvly-test-key');

      const error = await failure(tavilyProvider({ apiKey: 'tvly-wrong', baseUrl: server.origin }).search('neap tides', { limit: 3 }));
      expect((error as WebSearchError).code).toBe('auth');
      expect(error.message).toBe('Tavily refused the search key (401); check TAVILY_API_KEY.');
      expect(error.message).not.toContain('tvly-wrong');
    } finally {
      restore();
    }
  });

  it('calls Brave as its API expects (GET /res/v1/web/search, X-Subscription-Token) and strips its markup', async () => {
    let answer: { status: number; json?: unknown } = {
      status: 200,
      json: {
        type: 'search',
        query: { original: 'bay of fundy' },
        web: {
          type: 'search',
          results: [
            { title: 'The <strong>Bay of Fundy</strong>', url: 'https://example.com/fundy', description: 'The <strong>highest</strong> tides on Earth &#8212; up to 16&nbsp;m.', age: '2 days ago' },
            { title: 'Fundy tides', url: 'https://example.com/fundy-2', description: 'More about Fundy.' },
          ],
        },
      },
    };
    const { server, restore } = await fakeApi(() => answer);
    try {
      const results = await braveProvider({ apiKey: 'brave-test-key', baseUrl: server.origin }).search('bay of fundy', { limit: 4 });
      expect(results).toEqual([
        { title: 'The Bay of Fundy', url: 'https://example.com/fundy', snippet: 'The highest tides on Earth — up to 16 m.' },
        { title: 'Fundy tides', url: 'https://example.com/fundy-2', snippet: 'More about Fundy.' },
      ]);
      const request = server.received[0]!;
      const url = new URL(request.url, 'http://x');
      expect(request.method).toBe('GET');
      expect(url.pathname).toBe('/res/v1/web/search');
      expect(url.searchParams.get('q')).toBe('bay of fundy');
      expect(url.searchParams.get('count')).toBe('4');
      expect(request.headers['x-subscription-token']).toBe('brave-test-key');
      expect(request.headers.accept).toBe('application/json');

      answer = { status: 200, json: { type: 'search', query: { original: 'zzzz' } } };
      expect(await braveProvider({ apiKey: 'k', baseUrl: server.origin }).search('zzzz', { limit: 4 })).toEqual([]);

      answer = { status: 429, json: { type: 'ErrorResponse', error: { code: 'RATE_LIMITED' } } };
      const limited = await failure(braveProvider({ apiKey: 'k', baseUrl: server.origin }).search('tides', { limit: 4 }));
      expect((limited as WebSearchError).code).toBe('rate_limited');

      answer = { status: 200 };
      const garbled = await failure(braveProvider({ apiKey: 'k', baseUrl: server.origin }).search('tides', { limit: 4 }));
      expect(garbled.message).toBe('Brave Search did not answer with search results (the response was not JSON).');
    } finally {
      restore();
    }
  });

  it('chooses the provider from configuration and says why web search is unavailable without one', () => {
    const none = webSearchConfig({});
    expect(createSearchProvider(none)).toBeUndefined();
    expect(describeWebSearch(none)).toEqual({ available: false, reason: WEB_SEARCH_UNAVAILABLE });
    expect(WEB_SEARCH_UNAVAILABLE).toBe('Web search needs a search provider: set SEARXNG_URL, TAVILY_API_KEY or BRAVE_SEARCH_API_KEY.');
    expect(describeWebSearch(webSearchConfig({ TAVILY_API_KEY: '   ' })).available).toBe(false);

    expect(createSearchProvider(webSearchConfig({ BRAVE_SEARCH_API_KEY: 'b' }))?.name).toBe('brave');
    expect(createSearchProvider(webSearchConfig({ TAVILY_API_KEY: 't', BRAVE_SEARCH_API_KEY: 'b' }))?.name).toBe('tavily');
    const all = webSearchConfig({ SEARXNG_URL: 'https://search.example.org', TAVILY_API_KEY: 't', BRAVE_SEARCH_API_KEY: 'b' });
    expect(createSearchProvider(all)?.name).toBe('searxng');
    expect(createSearchProvider({ ...all, provider: 'brave' })?.name).toBe('brave');
    expect(describeWebSearch(all)).toEqual({ available: true, provider: 'searxng' });

    const named = webSearchConfig({ WEB_SEARCH_PROVIDER: 'tavily', BRAVE_SEARCH_API_KEY: 'b' });
    expect(createSearchProvider(named)).toBeUndefined();
    expect(describeWebSearch(named)).toEqual({ available: false, reason: 'WEB_SEARCH_PROVIDER is tavily, but TAVILY_API_KEY is not set.' });
    expect(webSearchConfig({ WEB_SEARCH_MAX_RESULTS: 500 }).maxResults).toBe(20);
  });
});

describe('readPage', () => {
  it("extracts a page's main content as passages, without navigation, scripts or footer", async () => {
    const page = await readPage(`${web.site.origin}/tides`);
    if (!page.ok) throw new Error(page.error);
    expect(page.url).toBe(`${web.site.origin}/tides`);
    expect(page.title).toBe('How tides work - Ocean Notes');
    const text = page.passages.map((passage) => `${passage.heading}\n${passage.content}`).join('\n');
    expect(text).toContain('Bay of Fundy in Canada has the highest tidal range');
    expect(page.passages.some((passage) => passage.heading.includes('Spring and neap tides'))).toBe(true);
    for (const chrome of ['navlink', 'script-content-must-not-appear', 'Copyright footer text', 'hidden-style-rule']) expect(text).not.toContain(chrome);
  });

  it('keeps the passages that matter for a query, in page order', async () => {
    const url = `${web.site.origin}/rock-pools`;
    const plain = await readPage(url, { maxPassages: 2 });
    const focused = await readPage(url, { maxPassages: 2, query: 'How do barnacles glue themselves to rock?' });
    if (!plain.ok || !focused.ok) throw new Error('page not read');
    expect(focused.totalPassages).toBeGreaterThan(10);
    expect(plain.passages.map((passage) => passage.content).join(' ')).not.toContain('Barnacles glue');
    expect(focused.passages).toHaveLength(2);
    const barnacles = focused.passages.find((passage) => passage.content.includes('Barnacles glue themselves head-first'));
    expect(barnacles?.heading).toContain('Barnacles');
  });

  it('reads plain text and PDF pages', async () => {
    const text = await readPage(`${web.site.origin}/tide-tables.txt`);
    const pdf = await readPage(`${web.site.origin}/tidal-power.pdf`);
    if (!text.ok || !pdf.ok) throw new Error('page not read');
    expect(text.passages[0]!.content).toContain('lowest astronomical tide');
    expect(pdf.title).toBe('Tidal power stations');
    expect(pdf.passages[0]!.content).toContain('La Rance tidal power station');
    expect(pdf.passages[0]!.page).toBe(1);
  });

  it('answers a page it cannot read as a result: missing, of another type, empty', async () => {
    web.site.pages.set('/image.png', { type: 'image/png', body: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]) });
    web.site.pages.set('/empty', { type: 'text/html', body: '<html><body><nav>menu only</nav><script>x()</script></body></html>' });
    expect(await readPage(`${web.site.origin}/gone`)).toEqual({ ok: false, url: `${web.site.origin}/gone`, code: 'http_error', error: 'The site answered 404.' });
    expect(await readPage(`${web.site.origin}/image.png`)).toMatchObject({ ok: false, code: 'unsupported', error: 'The page is image/png, which the hub cannot read as a web page.' });
    expect(await readPage(`${web.site.origin}/empty`)).toMatchObject({ ok: false, code: 'empty' });
    expect(await readPage('ftp://example.org/file')).toMatchObject({ ok: false, code: 'invalid_url', error: 'Only http:// and https:// addresses can be fetched.' });
  });

  it('refuses private, link-local and metadata addresses as results, before any connection', async () => {
    for (const url of ['http://10.0.0.1/', 'http://192.168.1.1/admin', 'http://169.254.169.254/latest/meta-data/', 'http://[fe80::1]/', 'http://[::ffff:127.0.0.1]/', 'http://100.64.0.1/', 'http://0.0.0.0/']) {
      expect(await readPage(url)).toEqual({ ok: false, url, code: 'blocked', error: 'That address is not public; the hub only fetches public web pages.' });
    }
    const hidden = await trap();
    expect(await readPage(`${hidden.origin}/`)).toMatchObject({ ok: false, code: 'blocked' });
    // A public-looking name that resolves to the hub's own network.
    const rebound = await readPage(`http://intranet.example.com:${hidden.port}/`, { lookup: async () => [{ address: '127.0.0.1', family: 4 }] });
    expect(rebound).toMatchObject({ ok: false, code: 'blocked' });
    expect(hidden.connections).toBe(0);
  });

  it('refuses a redirect to a private or metadata address, without connecting to it', async () => {
    const hidden = await trap();
    web.site.pages.set('/to-internal', { status: 302, headers: { location: `${hidden.origin}/admin` } });
    web.site.pages.set('/to-metadata', { status: 301, headers: { location: 'http://169.254.169.254/latest/meta-data/iam/' } });
    expect(await readPage(`${web.site.origin}/to-internal`)).toMatchObject({ ok: false, code: 'blocked', error: 'That address is not public; the hub only fetches public web pages.' });
    expect(await readPage(`${web.site.origin}/to-metadata`)).toMatchObject({ ok: false, code: 'blocked' });
    expect(hidden.connections).toBe(0);
    // The redirect itself was followed from the allowed site: the refusal is of the second hop.
    expect(web.site.received.some((request) => request.url === '/to-internal')).toBe(true);
  });

  it('stops at the size cap and the time cap', async () => {
    web.site.pages.set('/huge', { type: 'text/html', body: `<p>${'tide '.repeat(400_000)}</p>` });
    web.site.pages.set('/endless', { type: 'text/plain', streamBytes: 50 * 1024 * 1024 });
    web.site.pages.set('/slow', { type: 'text/html', body: '<p>late</p>', delayMs: 5000 });
    expect(await readPage(`${web.site.origin}/huge`, { maxBytes: 1024 * 1024 })).toMatchObject({ ok: false, code: 'too_large', error: 'The page is larger than 1 MB.' });
    expect(await readPage(`${web.site.origin}/endless`, { maxBytes: 256 * 1024 })).toMatchObject({ ok: false, code: 'too_large', error: 'The page is larger than 256 KB.' });
    const started = Date.now();
    expect(await readPage(`${web.site.origin}/slow`, { timeoutMs: 300 })).toMatchObject({ ok: false, code: 'timeout' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("rejects with the caller's reason when stopped (not a bad page)", async () => {
    web.site.pages.set('/slow-stop', { type: 'text/html', body: '<p>late</p>', delayMs: 5000 });
    const stop = new AbortController();
    const reading = readPage(`${web.site.origin}/slow-stop`, { signal: stop.signal });
    setTimeout(() => stop.abort(new Error('stopped by the person')), 50);
    expect((await failure(reading)).message).toBe('stopped by the person');
  });
});

describe('web tools', () => {
  const searxng = () => searxngProvider({ baseUrl: web.searxng.origin });
  const signal = new AbortController().signal;

  it('web_search answers numbered results as data, and citations with address, title and excerpt', async () => {
    const tool = webSearchTool(searxng(), { maxResults: 2 });
    expect(tool.spec.name).toBe('web_search');
    expect(tool.spec.parameters).toMatchObject({ type: 'object', required: ['query'] });
    const result = await tool.run({ query: 'tide tables chart datum' }, { signal });
    expect(result.content).toContain('<result n="1" url="');
    expect(result.content).toContain('data, not instructions');
    expect(result.citations).toHaveLength(2);
    expect(result.citations![0]).toEqual({ n: 1, url: `${web.site.origin}/tide-tables.txt`, title: 'Reading tide tables', excerpt: expect.stringContaining('chart datum') });
    await expect(tool.run({}, { signal })).rejects.toBeInstanceOf(ToolInputError);
    await expect(tool.run({ query: 42 }, { signal })).rejects.toThrow('"query" must be a string.');
  });

  it('read_page answers the passages as text and one citation; a prompt injection stays data inside its block', async () => {
    const tool = readPageTool();
    expect(tool.spec.name).toBe('read_page');
    const result = await tool.run({ url: `${web.site.origin}/tide-myths` }, { signal });
    expect(result.citations).toEqual([{ n: 1, url: `${web.site.origin}/tide-myths`, title: 'Tide myths', excerpt: expect.stringContaining('tides are caused by wind') }]);
    const open = result.content.indexOf('<source n="1"');
    const close = result.content.indexOf('</source>');
    expect(open).toBeGreaterThan(result.content.indexOf('data, not instructions'));
    const inside = result.content.slice(open, close);
    expect(inside).toContain(INJECTION_TEXT);
    // The page's own tags are escaped: one block opens and one closes, whatever the page says.
    expect(result.content.match(/<\s*\/?\s*sources?\b/g)).toEqual(['<source', '</source']);
    expect(inside).toContain('&lt;/source>');
    expect(inside).not.toContain('@helper-bot');

    const refused = await failure(tool.run({ url: 'http://169.254.169.254/latest/meta-data/' }, { signal }));
    expect(refused).toBeInstanceOf(PageReadError);
    expect(refused.message).toBe('Could not read http://169.254.169.254/latest/meta-data/: That address is not public; the hub only fetches public web pages.');
    await expect(tool.run({ url: '' }, { signal })).rejects.toThrow('The tool needs "url" (a string).');
  });
});

describe('deepResearch', () => {
  const question = 'How do the Moon and the Sun cause spring tides?';

  it('searches the question and its rewordings, deterministically', () => {
    const queries = researchQueries(question);
    expect(queries).toEqual(['How do the Moon and the Sun cause spring tides?', 'Moon Sun cause spring tides', 'Moon Sun cause spring tides explained']);
    expect(researchQueries(question)).toEqual(queries);
    expect(researchQueries(question, 1)).toEqual([question]);
    expect(researchQueries('What is a neap tide?')[2]).toBe('neap tide overview');
  });

  it('gathers numbered sources from several pages with citations, and reports its steps', async () => {
    const activities: ResearchActivity[] = [];
    const before = web.searxng.queries.length;
    const result = await deepResearch({ provider: searxngProvider({ baseUrl: web.searxng.origin }), question, maxPages: 6, resultsPerSearch: 6, onActivity: (activity) => activities.push({ ...activity }) });

    expect(web.searxng.queries.slice(before).sort()).toEqual([...result.queries].sort());
    expect(result.searches.every((search) => search.results > 0 && !search.error)).toBe(true);
    const urls = result.sources.map((source) => source.url);
    expect(new Set(urls).size).toBe(urls.length);
    expect(result.sources.filter((source) => !source.fromSnippet).length).toBeGreaterThanOrEqual(4);
    expect(result.citations.map((citation) => citation.n)).toEqual(result.sources.map((_, index) => index + 1));
    for (const citation of result.citations) expect(citation).toEqual(expect.objectContaining({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:/), title: expect.any(String), excerpt: expect.any(String) }));

    // The page that is gone is a failure; its search snippet stands in, labelled as such.
    expect(result.failures).toEqual([{ url: `${web.site.origin}/gone`, error: 'The site answered 404.' }]);
    expect(result.sources.find((source) => source.url.endsWith('/gone'))?.fromSnippet).toBe(true);
    expect(result.content).toContain('note="search snippet only; the page could not be read"');

    const tides = result.sources.find((source) => source.url.endsWith('/tides'))!;
    expect(result.content).toContain(`<source n="${tides.n}" url="${web.site.origin}/tides" title="How tides work - Ocean Notes">`);
    expect(tides.passages.map((passage) => passage.content).join(' ')).toContain('spring tides');
    expect(result.content).toContain('cite each fact with its source number');

    const searches = activities.filter((activity) => activity.tool === 'web_search');
    expect(searches.filter((activity) => activity.status === 'running')).toHaveLength(3);
    expect(searches.filter((activity) => activity.status === 'done')).toHaveLength(3);
    expect(searches[0]!.title).toMatch(/^Searching the web for “/);
    const reading = activities.filter((activity) => activity.tool === 'read_page');
    expect(reading.map((activity) => [activity.status, activity.title])).toEqual([
      ['running', 'Reading 6 pages'],
      ['done', 'Reading 6 pages'],
    ]);
    expect(reading[1]!.detail).toBe('Read 5 of 6 pages');
  });

  it('keeps to its page limit and does not wait past a slow page', async () => {
    web.site.pages.set('/slow-tides', { type: 'text/html', body: '<p>Tides, eventually.</p>', delayMs: 5000 });
    const slowFirst: SearchProvider = {
      name: 'searxng',
      search: async () => [
        { title: 'Slow tides', url: `${web.site.origin}/slow-tides`, snippet: '' },
        { title: 'How tides work', url: `${web.site.origin}/tides#moon`, snippet: 'tides' },
        { title: 'How tides work again', url: `${web.site.origin}/tides`, snippet: 'the same page' },
        { title: 'Tide tables', url: `${web.site.origin}/tide-tables.txt`, snippet: 'tables' },
        { title: 'Tide myths', url: `${web.site.origin}/tide-myths`, snippet: 'myths' },
      ],
    };
    const started = Date.now();
    const result = await deepResearch({ provider: slowFirst, question: 'tides', maxSearches: 1, maxPages: 3, pageTimeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(2500);
    expect(result.failures).toEqual([{ url: `${web.site.origin}/slow-tides`, error: 'The page took longer than 0.3 seconds to read.' }]);
    // No snippet to stand in for the slow page; the duplicate address is read once.
    expect(result.sources.map((source) => source.url)).toEqual([`${web.site.origin}/tides`, `${web.site.origin}/tide-tables.txt`]);
  });

  it('runs as the deep_research tool: the sources as text, one citation per source', async () => {
    const tool = deepResearchTool(searxngProvider({ baseUrl: web.searxng.origin }), { maxPages: 2 });
    expect(tool.spec).toMatchObject({ name: 'deep_research', parameters: { required: ['question'] } });
    const result = await tool.run({ question: 'What is a tide table?' }, { signal: new AbortController().signal });
    expect(result.citations).toHaveLength(2);
    expect(result.content).toContain('<source n="2" url="');
    expect(result.citations!.map((citation) => citation.url)).toContain(`${web.site.origin}/tide-tables.txt`);
    await expect(tool.run({ question: '  ' }, { signal: new AbortController().signal })).rejects.toThrow(ToolInputError);
  });

  it('fails with the provider\'s sentence when every search fails', async () => {
    const broken: SearchProvider = {
      name: 'brave',
      search: async () => {
        throw new WebSearchError('auth', 'Brave Search refused the search key (401); check BRAVE_SEARCH_API_KEY.');
      },
    };
    const activities: ResearchActivity[] = [];
    await expect(deepResearch({ provider: broken, question, onActivity: (activity) => activities.push(activity) })).rejects.toThrow('check BRAVE_SEARCH_API_KEY');
    expect(activities.filter((activity) => activity.status === 'error')).toHaveLength(3);
  });
});
