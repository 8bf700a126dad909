/*
 * pnpm bench:abilities — issue 11's figures, printed as JSON lines:
 * - Hub-added time per tool step, on the production server (`pnpm build` first): an agent with
 *   web search is asked through POST /api/v1/chat/completions; its model (the OpenAI-compatible
 *   fixture, through the real SDK) calls web_search, which asks a SearXNG-compatible server, then
 *   answers. Per step, the time from the model's tool-call answer being written to the next model
 *   request arriving, minus the search's own handling time: what the hub adds (parsing the call,
 *   the outbound checks, metering, publishing the steps, building the next request).
 * - Page extraction throughput: readPage over loopback on article pages of about 40 KB, one at a
 *   time and four at a time, with this process's peak RSS.
 * - Media: a 12-megapixel photo prepared for a model, 8 frames sampled from a 60 s 1080p clip
 *   (bench/abilities-media.ts), each in a process of its own for its peak RSS.
 * BENCH_ONLY=step|pages|media runs one part; BENCH_DATABASE_URL (migrated) and BENCH_REDIS_URL run
 * the step on a real Postgres and Redis.
 */
import fs from 'node:fs';
import os from 'node:os';
import { readPage } from '@/lib/abilities/web';
import { resetEnv } from '@/lib/env';
import { startOpenAIServer } from '../tests/fixtures/openai-server';
import { startSearxng, startStaticSite } from '../tests/helpers/searxng-server';
import { benchMedia } from './abilities-media';
import { startHub } from './production-hub';
import { report, runBench, summarize } from './stats';

const PORT = Number(process.env.BENCH_PORT ?? 3391);
const STEPS = Number(process.env.BENCH_STEPS ?? 200);
const PAGES = Number(process.env.BENCH_PAGES ?? 300);

async function benchToolStep() {
  const site = await startStaticSite();
  const searxng = await startSearxng(
    Array.from({ length: 20 }, (_, i) => ({ url: `${site.origin}/page-${i}`, title: `Tide note ${i}`, content: `Notes on tides and the Moon, number ${i}.` })),
  );
  const model = await startOpenAIServer({
    reply: (request) =>
      request.messages.some((m) => m.role === 'tool') ? 'The Moon drives the tides [1].' : { toolCalls: [{ name: 'web_search', arguments: JSON.stringify({ query: 'tides moon' }) }] },
  });
  const dir = fs.mkdtempSync(`${os.tmpdir()}/nc-bench-abilities-`);
  const hub = await startHub(dir, {
    port: PORT,
    env: {
      OPENAI_API_KEY: 'bench',
      OPENAI_BASE_URL: model.baseURL,
      SEARXNG_URL: searxng.origin,
      OUTBOUND_ALLOW_HOSTS: `${searxng.hostPort},${site.hostPort}`,
      // A benchmark asks far more than a person would.
      RATE_LIMIT_REQUESTS: '1000000',
      RATE_LIMIT_OWNER_REQUESTS: '1000000',
      AGENT_DAILY_CALLS: '0',
      AGENT_DAILY_TOKENS: '0',
      // BENCH_DATABASE_URL / BENCH_REDIS_URL: the same server on a real (migrated) Postgres and Redis.
      ...(process.env.BENCH_DATABASE_URL ? { DATABASE_URL: process.env.BENCH_DATABASE_URL } : {}),
      ...(process.env.BENCH_REDIS_URL ? { REDIS_URL: process.env.BENCH_REDIS_URL, REALTIME_SECRET: 'bench-realtime-secret-0123456789abcdef' } : {}),
    },
  });
  try {
    await hub.request('POST', '/api/auth/sign-up', { name: 'Bench', email: 'bench@example.com', password: 'benchmark-password' });
    const agent = (await hub.request('POST', '/api/agents', { name: 'Scout', handle: 'scout', instructions: 'Search first.', abilities: ['web_search'] })).agent;
    const key = (await hub.request('POST', '/api/keys', { name: 'bench' })).secret as string;
    const ask = async () => {
      const res = await fetch(`${hub.base}/api/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: `agent:${agent.id}`, messages: [{ role: 'user', content: 'What drives the tides?' }] }),
      });
      if (res.status !== 200) throw new Error(`chat completions answered ${res.status}: ${await res.text()}`);
      await res.json();
    };
    for (let i = 0; i < 20; i++) await ask();
    const firstRequest = model.requests.length;
    const firstSearch = searxng.handledMs.length;
    const totals: number[] = [];
    for (let i = 0; i < STEPS; i++) {
      const start = performance.now();
      await ask();
      totals.push(performance.now() - start);
    }
    const added: number[] = [];
    for (let i = 0; i < STEPS; i++) {
      const call = model.requests[firstRequest + 2 * i]!;
      const next = model.requests[firstRequest + 2 * i + 1]!;
      added.push(next.receivedAt - call.answeredAt! - searxng.handledMs[firstSearch + i]!);
    }
    const backends = process.env.BENCH_DATABASE_URL ? 'Postgres' + (process.env.BENCH_REDIS_URL ? ' + Redis' : '') : 'embedded defaults';
    report({ bench: 'abilities', part: 'tool step', server: `production (pnpm build && pnpm start), ${backends}`, measure: 'hub-added time per tool step (model answer written to next model request, minus the search)', ...summarize(added), goal_p50_ms: 3, met: summarize(added).p50_ms < 3 });
    report({ bench: 'abilities', part: 'tool step', measure: 'whole request: POST /api/v1/chat/completions with one web_search step', ...summarize(totals), hub_rss_mb: hub.rssNow() });
  } finally {
    await hub.close();
    await Promise.all([model.close(), searxng.close(), site.close()]);
  }
}

/** An article page of about 40 KB: navigation, a long main text with headings, a footer. */
function article(i: number): string {
  const section = (s: number) =>
    `<h2>Section ${s} of article ${i}</h2>${Array.from({ length: 6 }, (_, p) => `<p>Paragraph ${p} of section ${s}: tides rise and fall twice a day as the Moon pulls the oceans, and the Sun adds to it at new and full moon, which makes spring tides, while quarter moons make neap tides.</p>`).join('')}`;
  return `<!doctype html><html><head><title>Article ${i}</title></head><body><nav>${Array.from({ length: 30 }, (_, n) => `<a href="/p${n}">Link ${n}</a>`).join(' ')}</nav><main><article><h1>Article ${i}</h1>${Array.from({ length: 30 }, (_, s) => section(s)).join('')}</article></main><footer>${'Footer text. '.repeat(100)}</footer></body></html>`;
}

async function benchPages() {
  const site = await startStaticSite();
  for (let i = 0; i < PAGES; i++) site.pages.set(`/a${i}`, { type: 'text/html; charset=utf-8', body: article(i) });
  const { OUTBOUND_ALLOW_HOSTS } = process.env;
  process.env.OUTBOUND_ALLOW_HOSTS = site.hostPort;
  resetEnv();
  const bytes = Buffer.byteLength(article(0));
  try {
    for (let i = 0; i < 20; i++) await readPage(`${site.origin}/a${i}`, { query: 'spring tides' });
    for (const concurrency of [1, 4]) {
      const before = process.memoryUsage().rss;
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
      const samples: number[] = [];
      let next = 0;
      const start = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < PAGES) {
            const i = next++;
            const t = performance.now();
            const page = await readPage(`${site.origin}/a${i}`, { query: 'spring tides' });
            if (!page.ok) throw new Error(`page ${i}: ${page.error}`);
            samples.push(performance.now() - t);
          }
        }),
      );
      const seconds = (performance.now() - start) / 1000;
      clearInterval(sampler);
      report({ bench: 'abilities', part: 'page extraction', harness: 'in process, loopback static site', page_kb: Math.round(bytes / 1024), pages: PAGES, concurrency, pages_per_s: Math.round((PAGES / seconds) * 10) / 10, ...summarize(samples), rss_before_mb: Math.round(before / 1048576), peak_rss_mb: Math.round(peak / 1048576) });
    }
  } finally {
    if (OUTBOUND_ALLOW_HOSTS === undefined) delete process.env.OUTBOUND_ALLOW_HOSTS;
    else process.env.OUTBOUND_ALLOW_HOSTS = OUTBOUND_ALLOW_HOSTS;
    resetEnv();
    await site.close();
  }
}

const parts = { step: benchToolStep, pages: benchPages, media: benchMedia };

runBench(async () => {
  const only = process.env.BENCH_ONLY as keyof typeof parts | undefined;
  for (const [name, run] of Object.entries(parts)) if (!only || only === name) await run();
});
