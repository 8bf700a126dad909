/*
 * pnpm bench:knowledge:http — what a user of the production server sees: `pnpm build` first, then
 * this starts the hub as `pnpm start` does (NODE_ENV=production, embedded PGlite and local files
 * in a fresh folder), uploads over HTTP and polls GET /documents until every document is ready,
 * and times POST /search over HTTP. The hub process's peak RSS is sampled from /proc. Prints JSON lines.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makePdf } from '../tests/fixtures/documents';
import { random } from '../tests/helpers/random';
import { startHub } from './production-hub';
import { report, runBench, summarize } from './stats';

const PORT = Number(process.env.BENCH_PORT ?? 3390);
const SEARCH_SIZES = (process.env.BENCH_SEARCH_SIZES ?? '10000,100000').split(',').map(Number);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 200);

const WORDS =
  'policy travel refund invoice contract payment delivery customer account support server deploy release version cache database backup restore schedule meeting budget quarter report summary employee manager office security password access network storage request response timeout retry error'.split(
    ' ',
  );

/** A vocabulary with a long tail (Zipf-like draws), so rare words exist for search to find. */
function vocabulary(next: () => number) {
  const tail = Array.from({ length: 4000 }, (_, i) => `term${i.toString(36)}`);
  const all = [...WORDS, ...tail];
  return () => all[Math.min(all.length - 1, Math.floor(all.length * next() ** 3))]!;
}

function sentences(word: () => string, next: () => number, count: number): string[] {
  return Array.from({ length: count }, () => {
    const words = Array.from({ length: 8 + Math.floor(next() * 10) }, word);
    return `${words[0]![0]!.toUpperCase()}${words.join(' ').slice(1)}.`;
  });
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nc-bench-http-'));
  // A benchmark queues far more documents than a person would at once.
  const hub = await startHub(dir, { port: PORT, env: { KNOWLEDGE_MAX_PENDING_PER_USER: '100000', KNOWLEDGE_MAX_PASSAGES_PER_DOCUMENT: '100000' } });
  try {
    report({ bench: 'knowledge-http', server: 'production (pnpm build && pnpm start), embedded PGlite and local files', rss_idle_mb: hub.rssNow() });
    await hub.request('POST', '/api/auth/sign-up', { name: 'Bench', email: 'bench@example.com', password: 'benchmark-password' });
    const next = random(7);
    const word = vocabulary(next);

    // Ingestion: a 200-page PDF, then 500 HTML pages, each to ready over HTTP.
    const pdfBase = (await hub.request('POST', '/api/knowledge', { name: 'Manual' })).knowledgeBase.id;
    const pdf = await makePdf(Array.from({ length: 200 }, (_, page) => [`Chapter ${page + 1}`, ...sentences(word, next, 28)]));
    const htmlFiles = Array.from({ length: 500 }, (_, i) => ({
      name: `page-${i}.html`,
      type: 'text/html',
      bytes: Buffer.from(
        `<!doctype html><html><head><title>Page ${i}</title></head><body><nav><a href="/">Home</a></nav><main><h1>Topic ${i}</h1>${[0, 1, 2]
          .map((s) => `<h2>Section ${s}</h2>${sentences(word, next, 6).map((p) => `<p>${p}</p>`).join('')}`)
          .join('')}</main></body></html>`,
      ),
    }));
    for (const scenario of [
      { name: '200-page PDF', pages: 200, files: [{ name: 'manual.pdf', type: 'application/pdf', bytes: pdf }] },
      { name: '500 HTML pages', pages: 500, files: htmlFiles },
    ]) {
      const baseId = scenario.files.length === 1 ? pdfBase : (await hub.request('POST', '/api/knowledge', { name: 'Site' })).knowledgeBase.id;
      const bytes = scenario.files.reduce((total, file) => total + file.bytes.length, 0);
      const before = hub.rssNow();
      hub.startSampling();
      const started = performance.now();
      for (let i = 0; i < scenario.files.length; i += 20) await hub.upload(baseId, scenario.files.slice(i, i + 20));
      const docs = await hub.untilIndexed(baseId);
      const readyMs = performance.now() - started;
      report({
        bench: 'knowledge-http',
        scenario: scenario.name,
        ready_ms: Math.round(readyMs),
        pages_per_s: Math.round((scenario.pages / (readyMs / 1000)) * 10) / 10,
        mb_per_s: Math.round((bytes / 1024 / 1024 / (readyMs / 1000)) * 100) / 100,
        passages: docs.reduce((total, doc) => total + doc.chunkCount, 0),
        not_ready: docs.filter((doc) => doc.status !== 'ready').length,
        hub_rss_before_mb: before,
        hub_peak_rss_mb: hub.stopSampling(),
      });
    }

    // Search over HTTP, on bases of SEARCH_SIZES passages (Markdown documents of 250 sections each).
    for (const size of SEARCH_SIZES) {
      const baseId = (await hub.request('POST', '/api/knowledge', { name: `Search ${size}` })).knowledgeBase.id;
      const started = performance.now();
      const perDocument = 250;
      for (let d = 0; d < size / perDocument; d += 20) {
        const files = Array.from({ length: Math.min(20, size / perDocument - d) }, (_, i) => ({
          name: `notes-${d + i}.md`,
          type: 'text/markdown',
          bytes: Buffer.from(
            `# Notes ${d + i}\n\n${Array.from({ length: perDocument }, (_, s) => `## Part ${s}\n\n${sentences(word, next, 3).join(' ')}`).join('\n\n')}\n`,
          ),
        }));
        await hub.upload(baseId, files);
      }
      const docs = await hub.untilIndexed(baseId);
      const passages = docs.reduce((total, doc) => total + doc.chunkCount, 0);
      const indexSeconds = Math.round((performance.now() - started) / 100) / 10;
      const queries = Array.from({ length: QUERIES }, () => `${word()} ${word()} ${word()}`);
      for (const query of queries.slice(0, 20)) await hub.request('POST', `/api/knowledge/${baseId}/search`, { query });
      const samples: number[] = [];
      for (const query of queries) {
        const start = performance.now();
        await hub.request('POST', `/api/knowledge/${baseId}/search`, { query });
        samples.push(performance.now() - start);
      }
      report({ bench: 'knowledge-http', search: 'POST /api/knowledge/:id/search', passages, index_seconds: indexSeconds, ...summarize(samples) });
    }
  } finally {
    await hub.close();
  }
}

runBench(main);
