/*
 * pnpm bench:web — what the browser downloads and how soon it paints, on the production server:
 * `pnpm build` (skipped with BENCH_SKIP_BUILD=1 when a build is there), the hub as `pnpm start`
 * runs it on fresh embedded data, one person signed up over HTTP with a channel, a few messages and
 * an agent, then each page loaded cold (a fresh browser context, so an empty cache) in Chromium.
 * Per page: the gzip size of every JavaScript response (the server's gzip when it compresses,
 * zlib's at the default level otherwise) and Largest Contentful Paint. For the landing page, also
 * the JavaScript requested before the 3D scene's chunk (three.js, loaded lazily once idle).
 * Prints JSON lines, the budgets last.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium, type Browser, type Page, type Response } from '@playwright/test';
import { hasBuild, startHub, type Hub } from './production-hub';
import { report, runBench, summarize } from './stats';

const PORT = Number(process.env.BENCH_PORT ?? 3392);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const BUDGETS = { landingBeforeSceneKb: 90, hubPageKb: 150, lcpMs: 1500 };
// What only the scene's chunks hold: three.js's renderer and @react-three/fiber's hook guard.
const SCENE_MARKERS = /WebGLRenderer|R3F: Hooks can only be used within the Canvas component/;

type Script = { url: string; requestedAt: number; gzipBytes: number; scene: boolean };
type Load = { scripts: Script[]; lcpMs: number | null };

const kb = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;

function build() {
  if (hasBuild() && process.env.BENCH_SKIP_BUILD === '1') return;
  // The build's own output goes to stderr, so stdout stays JSON lines.
  const result = spawnSync('pnpm', ['build'], { stdio: ['ignore', process.stderr, 'inherit'], env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
  if (result.status !== 0) throw new Error(`pnpm build failed (${result.status ?? result.signal})`);
}

async function gzipBytes(response: Response): Promise<number> {
  const encoding = (await response.allHeaders())['content-encoding'];
  if (encoding === 'gzip') return (await response.request().sizes()).responseBodySize;
  return zlib.gzipSync(await response.body()).length;
}

/** The person, their channels (one with a code block, since code highlighting may load apart) and an agent. */
async function seed(hub: Hub) {
  await hub.request('POST', '/api/auth/sign-up', { name: 'Bench', email: 'bench@example.com', password: 'benchmark-password' });
  const plain = (await hub.request('POST', '/api/channels', { name: 'general', description: 'Everything else' })).channel;
  for (const content of ['Morning all!', 'The **release** is out: see [the notes](https://example.com/notes).', '- ship it\n- tell support\n- _celebrate_', 'Thanks, looks good.'])
    await hub.request('POST', `/api/channels/${plain.id}/messages`, { content });
  const code = (await hub.request('POST', '/api/channels', { name: 'engineering' })).channel;
  for (const content of ['The fix:', '```ts\nexport function add(a: number, b: number) {\n  return a + b;\n}\n```', 'Merged.'])
    await hub.request('POST', `/api/channels/${code.id}/messages`, { content });
  await hub.request('POST', '/api/agents', { name: 'Researcher', handle: 'researcher', instructions: 'Find things out.' });
  return { plain, code };
}

/** One cold load: a fresh context (empty cache), every script response gzipped, LCP read after the page settles. */
async function load(browser: Browser, base: string, route: string, cookie: string, settle: (page: Page) => Promise<void>): Promise<Load> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  if (cookie) {
    const [name, value] = [cookie.slice(0, cookie.indexOf('=')), cookie.slice(cookie.indexOf('=') + 1)];
    await context.addCookies([{ name, value, url: base }]);
  }
  const page = await context.newPage();
  await page.addInitScript(() => {
    const lcp = ((window as unknown as { __lcp: number[] }).__lcp = [] as number[]);
    new PerformanceObserver((list) => list.getEntries().forEach((entry) => lcp.push(entry.startTime))).observe({ type: 'largest-contentful-paint', buffered: true });
  });
  const started = performance.now();
  const requestedAt = new Map<string, number>();
  page.on('request', (request) => request.resourceType() === 'script' && requestedAt.set(request.url(), performance.now() - started));
  const pending: Promise<Script>[] = [];
  page.on('response', (response) => {
    if (response.request().resourceType() !== 'script') return;
    pending.push(
      (async () => {
        const body = await response.body();
        return { url: response.url(), requestedAt: requestedAt.get(response.url()) ?? Infinity, gzipBytes: await gzipBytes(response), scene: SCENE_MARKERS.test(body.toString('utf8')) };
      })(),
    );
  });
  await page.goto(`${base}${route}`, { waitUntil: 'load' });
  if (new URL(page.url()).pathname !== route) throw new Error(`${route} sent the browser to ${page.url()}`);
  await settle(page);
  await page.waitForLoadState('networkidle');
  const lcpMs = await page.evaluate(() => (window as unknown as { __lcp: number[] }).__lcp.at(-1) ?? null);
  const scripts = await Promise.all(pending);
  await context.close();
  return { scripts, lcpMs };
}

/** The landing page's scripts requested before the first of the scene's chunks was asked for. */
function beforeScene(scripts: Script[]): { bytes: number; sceneRequested: boolean; sceneBytes: number } {
  const firstScene = Math.min(...scripts.filter((script) => script.scene).map((script) => script.requestedAt));
  const before = scripts.filter((script) => script.requestedAt < firstScene);
  const total = scripts.reduce((sum, script) => sum + script.gzipBytes, 0);
  const bytes = before.reduce((sum, script) => sum + script.gzipBytes, 0);
  return { bytes, sceneRequested: Number.isFinite(firstScene), sceneBytes: total - bytes };
}

async function main() {
  build();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nc-bench-web-'));
  const hub = await startHub(dir, { port: PORT });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const { plain, code } = await seed(hub);
    const cookie = hub.sessionCookie;
    const nothing = async () => {};
    // The scene is asked for once the page is idle; the figure waits for its decision.
    const sceneDecided = async (page: Page) => {
      await page.waitForSelector('[data-testid=hero-visual][data-visual=scene], [data-testid=hero-visual][data-visual=still]', { timeout: 30_000 });
    };
    const pages = [
      { page: 'landing', route: '/', cookie: '', settle: sceneDecided, hub: false },
      { page: 'sign-in', route: '/sign-in', cookie: '', settle: nothing, hub: false },
      { page: 'hub home', route: '/hub', cookie, settle: nothing, hub: true },
      { page: 'channel', route: `/hub/channels/${plain.id}`, cookie, settle: (page: Page) => page.getByText('Thanks, looks good.').waitFor().then(nothing), hub: true },
      { page: 'channel with code', route: `/hub/channels/${code.id}`, cookie, settle: (page: Page) => page.getByText('Merged.').waitFor().then(nothing), hub: true },
      { page: 'dashboard', route: '/hub/dashboard', cookie, settle: nothing, hub: true },
      { page: 'agents', route: '/hub/agents', cookie, settle: (page: Page) => page.getByText('Researcher').first().waitFor().then(nothing), hub: true },
    ];
    const budgets: Record<string, unknown>[] = [];
    for (const entry of pages) {
      const loads: Load[] = [];
      for (let run = 0; run < RUNS; run++) loads.push(await load(browser, hub.base, entry.route, entry.cookie, entry.settle));
      const totals = loads.map((one) => one.scripts.reduce((sum, script) => sum + script.gzipBytes, 0));
      const lcp = loads.map((one) => one.lcpMs).filter((value): value is number => value !== null);
      const lcpSummary = lcp.length ? summarize(lcp) : null;
      const line: Record<string, unknown> = {
        bench: 'web',
        page: entry.page,
        route: entry.route.replace(/[0-9a-f-]{36}/, ':id'),
        runs: RUNS,
        js_gzip_kb: kb(Math.min(...totals)),
        js_gzip_kb_max: kb(Math.max(...totals)),
        js_files: loads[0]!.scripts.length,
        lcp: lcpSummary,
      };
      if (entry.page === 'landing') {
        const scene = loads.map((one) => beforeScene(one.scripts));
        const before = Math.max(...scene.map((one) => one.bytes));
        Object.assign(line, { js_before_scene_gzip_kb: kb(before), scene_requested: scene.every((one) => one.sceneRequested), scene_gzip_kb: kb(Math.max(...scene.map((one) => one.sceneBytes))) });
        budgets.push({ bench: 'web', budget: 'landing JS before the 3D scene', limit_kb: BUDGETS.landingBeforeSceneKb, value_kb: kb(before), met: before < BUDGETS.landingBeforeSceneKb * 1024 });
      }
      if (entry.hub) budgets.push({ bench: 'web', budget: `${entry.page} JS`, limit_kb: BUDGETS.hubPageKb, value_kb: kb(Math.max(...totals)), met: Math.max(...totals) < BUDGETS.hubPageKb * 1024 });
      if (lcpSummary) budgets.push({ bench: 'web', budget: `${entry.page} LCP (p50, localhost)`, limit_ms: BUDGETS.lcpMs, value_ms: Math.round(lcpSummary.p50_ms), met: lcpSummary.p50_ms < BUDGETS.lcpMs });
      report(line);
      if (process.env.BENCH_LIST_SCRIPTS === '1')
        for (const script of [...loads[0]!.scripts].sort((a, b) => b.gzipBytes - a.gzipBytes))
          report({ bench: 'web', page: entry.page, script: new URL(script.url).pathname, gzip_kb: kb(script.gzipBytes), requested_ms: Math.round(script.requestedAt), scene: script.scene });
    }
    for (const budget of budgets) report(budget);
  } finally {
    await browser.close();
    await hub.close();
  }
}

runBench(main);
