/*
 * Ingestion throughput and peak memory, on the embedded defaults (file-backed PGlite, local
 * files): a 200-page PDF, and a folder of 500 HTML pages, each uploaded over HTTP to the real
 * route handler and timed until every document is "ready". Each scenario runs in a fresh child
 * process, so its peak RSS is its own. Goal: the PDF ready in under 10 s, peak RSS under 600 MB.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makePdf } from '../tests/fixtures/documents';
import { report, runBench } from './stats';

const WORDS =
  'policy travel refund invoice contract payment delivery customer account support server deploy release version cache database backup restore schedule meeting budget quarter report summary employee manager office security password access network storage request response timeout retry error'.split(
    ' ',
  );

/** Deterministic prose: sentences of common words, a page's worth at a time. */
function prose(seed: number, sentences: number): string[] {
  let x = seed;
  const next = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: sentences }, () => {
    const words = Array.from({ length: 8 + Math.floor(next() * 10) }, () => WORDS[Math.floor(next() * WORDS.length)]!);
    return `${words[0]![0]!.toUpperCase()}${words.join(' ').slice(1)}.`;
  });
}

async function scenario(name: 'pdf' | 'html'): Promise<void> {
  const { setDatabase } = await import('@/lib/db');
  const { openDatabase } = await import('@/lib/db/client');
  const { setFileStore } = await import('@/lib/storage');
  const { ingestionSettled } = await import('@/lib/knowledge/ingest');
  const { startRouteServer } = await import('../tests/helpers/route-server');
  const { ApiClient } = await import('../tests/helpers/api-client');
  const { upload } = await import('../tests/helpers/knowledge');
  const { liftLimitsForBench } = await import('./hub');
  liftLimitsForBench();

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nc-bench-ingest-'));
  process.env.FILES_DIR = path.join(dir, 'files');
  const db = await openDatabase({ kind: 'pglite', dataDir: path.join(dir, 'pglite') });
  await db.migrate();
  setDatabase(db);
  setFileStore(undefined);
  const server = await startRouteServer();
  const client = new ApiClient(server.url);
  await client.signUp('Bench');
  const baseId = (await client.post('/api/knowledge', { name: 'bench' })).json.knowledgeBase.id as string;

  const before = process.memoryUsage().rss;
  let peak = before;
  let peakHeap = process.memoryUsage().heapUsed;
  const sampler = setInterval(() => {
    const { rss, heapUsed } = process.memoryUsage();
    peak = Math.max(peak, rss);
    peakHeap = Math.max(peakHeap, heapUsed);
  }, 20);
  let files: { name: string; type: string; bytes: Uint8Array }[];
  let pages: number;
  if (name === 'pdf') {
    pages = 200;
    const lines = Array.from({ length: pages }, (_, page) => [`Chapter ${page + 1}`, ...prose(page + 1, 28)]);
    files = [{ name: 'manual.pdf', type: 'application/pdf', bytes: await makePdf(lines) }];
  } else {
    pages = 500;
    files = Array.from({ length: pages }, (_, i) => ({
      name: `page-${i}.html`,
      type: 'text/html',
      bytes: Buffer.from(
        `<!doctype html><html><head><title>Page ${i}</title></head><body><nav><a href="/">Home</a> <a href="/docs">Docs</a></nav><main><h1>Topic ${i}</h1>${[0, 1, 2]
          .map((s) => `<h2>Section ${s}</h2>${prose(i * 10 + s, 6).map((p) => `<p>${p}</p>`).join('')}`)
          .join('')}</main><footer>Copyright</footer></body></html>`,
      ),
    }));
  }
  const bytes = files.reduce((total, file) => total + file.bytes.length, 0);
  const started = performance.now();
  for (let i = 0; i < files.length; i += 20) {
    const res = await upload(server.url, client, baseId, files.slice(i, i + 20));
    if (res.status !== 202) throw new Error(`upload answered ${res.status}`);
  }
  const uploadedMs = performance.now() - started;
  await ingestionSettled();
  const readyMs = performance.now() - started;
  clearInterval(sampler);
  const docs = (await client.get(`/api/knowledge/${baseId}/documents`)).json.documents as { status: string; chunkCount: number }[];
  const notReady = docs.filter((doc) => doc.status !== 'ready').length;
  report({
    bench: 'knowledge-ingest',
    scenario: name === 'pdf' ? '200-page PDF' : '500 HTML pages',
    database: 'pglite (file)',
    files: files.length,
    pages,
    mb: Math.round((bytes / 1024 / 1024) * 100) / 100,
    passages: docs.reduce((total, doc) => total + doc.chunkCount, 0),
    not_ready: notReady,
    upload_ms: Math.round(uploadedMs),
    ready_ms: Math.round(readyMs),
    pages_per_s: Math.round((pages / (readyMs / 1000)) * 10) / 10,
    mb_per_s: Math.round((bytes / 1024 / 1024 / (readyMs / 1000)) * 100) / 100,
    rss_before_mb: Math.round(before / 1024 / 1024),
    peak_rss_mb: Math.round(peak / 1024 / 1024),
    peak_heap_mb: Math.round(peakHeap / 1024 / 1024),
  });
  await server.close();
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Runs both scenarios, each in its own process. */
export async function benchIngest(): Promise<void> {
  for (const name of ['pdf', 'html'] as const) {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [...process.execArgv, __filename, `--scenario=${name}`], { stdio: 'inherit', env: process.env });
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ingest scenario ${name} exited with ${code}`))));
    });
  }
}

const arg = process.argv.find((a) => a.startsWith('--scenario='));
if (!arg && /knowledge-ingest\.ts$/.test(process.argv[1] ?? '')) runBench(benchIngest);
if (arg) {
  scenario(arg.split('=')[1] as 'pdf' | 'html').then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
