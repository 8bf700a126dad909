/*
 * pnpm bench:web:scroll — a channel of BENCH_SCROLL_MESSAGES (default 10,000) messages in
 * Chromium on the production server: how long loading them all into the list takes, then a
 * steady scroll through them, with the main thread's scripting time per frame (from a
 * DevTools trace), the frames that missed their vsync, and how many rows are in the DOM.
 *
 * Needs DATABASE_URL (a Postgres server: the messages go into a scratch database of their own
 * in one INSERT, dropped at the end) and a build (`pnpm build`, run here when there is none,
 * unless BENCH_SKIP_BUILD is set). Chromium is /usr/bin/chromium (CHROMIUM_PATH).
 * The list asks for older pages of 50; the bench asks for 200 (the API's largest) on its
 * behalf, so that loading 10,000 takes 50 round trips rather than 200.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type CDPSession, type Page } from '@playwright/test';
import { sql } from 'drizzle-orm';
import { signUp } from '@/lib/auth/local';
import { createChannel } from '@/lib/channels';
import { setDatabase, type Database } from '@/lib/db';
import { openDatabase } from '@/lib/db/client';
import { createScratchDatabase } from '../tests/helpers/database';
import { liftLimitsForBench } from './hub';
import { hasBuild, startHub } from './production-hub';
import { report, runBench, summarize } from './stats';

const MESSAGES = Number(process.env.BENCH_SCROLL_MESSAGES ?? 10_000);
const PORT = Number(process.env.BENCH_PORT ?? 3316);
/** Pixels scrolled each frame: 6,000 px/s at 60 Hz, a brisk wheel. */
const STEP_PX = Number(process.env.BENCH_SCROLL_STEP ?? 100);
const FRAMES = Number(process.env.BENCH_SCROLL_FRAMES ?? 600);
/** Give up loading older pages after this long (the list before virtualization may never get there). */
const LOAD_LIMIT_MS = Number(process.env.BENCH_SCROLL_LOAD_LIMIT_MS ?? 600_000);
const PASSWORD = 'benchmark-password';
const VSYNC_MS = 1000 / 60;

async function main() {
  if (!process.env.DATABASE_URL) throw new Error('bench:web:scroll needs DATABASE_URL (a Postgres server; it makes a scratch database of its own)');
  liftLimitsForBench();
  if (!hasBuild()) {
    if (process.env.BENCH_SKIP_BUILD) throw new Error('no build, and BENCH_SKIP_BUILD is set: run pnpm build first');
    execFileSync('nice', ['-n', '10', 'pnpm', 'build'], { stdio: 'inherit' });
  }
  const scratch = await createScratchDatabase('nc_bench_scroll');
  const handle = await openDatabase({ kind: 'postgres', url: scratch.url, max: 5 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nc-bench-scroll-'));
  try {
    await handle.migrate();
    setDatabase(handle);
    const email = `scroll-${Date.now()}@example.com`;
    const user = await signUp({ name: 'Bench Scroller', email, password: PASSWORD });
    const channel = await createChannel({ userId: user.id, input: { name: 'long' } });
    await seed(handle.db, channel.id, user.id);
    setDatabase(undefined);
    await handle.close();
    report({ bench: 'web-scroll', setup: { messages: MESSAGES, step_px: STEP_PX, frames: FRAMES, viewport: '1280x800' } });

    const hub = await startHub(dir, { port: PORT, env: { DATABASE_URL: scratch.url, RETENTION_INTERVAL_MINUTES: '0' } });
    try {
      await inChromium(hub.base, await sessionCookie(hub.base, email), channel.id);
    } finally {
      await hub.close();
    }
  } finally {
    setDatabase(undefined);
    await handle.close().catch(() => {});
    await scratch.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The messages in one statement: UUIDv7-shaped ids in time order over the last ten days (so the
 * list draws date separators), one author, and rows of several heights: one line, a paragraph,
 * a list, a code block.
 */
async function seed(db: Database, channelId: string, userId: string) {
  const end = Date.now() - 60_000;
  const stepMs = (10 * 86_400_000) / MESSAGES;
  await db.execute(sql`
    with rows as (select g, (${end - 10 * 86_400_000}::float8 + g * ${stepMs}::float8)::bigint as ms, md5(g::text) as r from generate_series(1, ${MESSAGES}) g)
    insert into messages (id, channel_id, author_kind, author_user_id, content, created_at)
    select
      (substr(lpad(to_hex(ms), 12, '0'), 1, 8) || '-' || substr(lpad(to_hex(ms), 12, '0'), 9, 4) || '-7' || substr(r, 1, 3) || '-8' || substr(r, 4, 3) || '-' || substr(r, 7, 12))::uuid,
      ${channelId}, 'user', ${userId},
      case g % 4
        when 0 then 'message ' || g
        when 1 then 'message ' || g || ': ' || repeat('a longer paragraph that wraps onto a second and third line of the list ', 3)
        when 2 then 'message ' || g || E'\n\n- one point\n- another point\n- a third'
        else 'message ' || g || E'\n\n\`\`\`ts\nconst answer = ' || g || E';\nconsole.log(answer);\n\`\`\`'
      end,
      to_timestamp(ms / 1000.0)
    from rows`);
}

/** The session cookie a sign-in answers with, for the browser to carry. */
async function sessionCookie(base: string, email: string): Promise<{ name: string; value: string }> {
  const res = await fetch(`${base}/api/auth/sign-in`, { method: 'POST', headers: { origin: base, 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
  if (!res.ok) throw new Error(`sign-in answered ${res.status}`);
  const [pair] = res.headers.getSetCookie()[0]!.split(';');
  const at = pair!.indexOf('=');
  return { name: pair!.slice(0, at), value: pair!.slice(at + 1) };
}

async function inChromium(base: string, cookie: { name: string; value: string }, channelId: string) {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addCookies([{ ...cookie, url: base }]);
    const page = await context.newPage();
    // tsx keeps function names with a helper (__name) that the page does not have; the evaluated callbacks need it.
    await page.addInitScript({ content: 'window.__name = (fn) => fn;' });
    // Older pages of 200 rather than the list's 50.
    await page.route(
      (url) => url.pathname === `/api/channels/${channelId}/messages` && url.searchParams.has('before'),
      (route) => {
        const url = new URL(route.request().url());
        url.searchParams.set('limit', '200');
        return route.continue({ url: url.toString() });
      },
    );
    await page.goto(`${base}/hub/channels/${channelId}`);
    await page.getByTestId('message').first().waitFor({ timeout: 120_000 });
    const loaded = await loadAll(page);
    report({ bench: 'web-scroll', phase: 'load', ...loaded });

    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.evaluate(() => (document.querySelector('[data-testid=message-list]')!.scrollTop = 0));
    await settle(page);
    const before = await metrics(cdp);
    const trace = await traced(cdp, () => scrollThrough(page));
    const after = await metrics(cdp);
    const frames = framesOf(trace.events);
    const scripting = frames.map((frame) => frame.scriptMs);
    report({
      bench: 'web-scroll',
      phase: 'scroll',
      frames: trace.result.deltas.length,
      dropped_frames: trace.result.deltas.reduce((sum, delta) => sum + Math.max(0, Math.round(delta / VSYNC_MS) - 1), 0),
      frame_interval: summarize(trace.result.deltas),
      scripting_per_frame: summarize(scripting),
      layout_per_frame: summarize(frames.map((frame) => frame.layoutMs)),
      script_total_ms: Math.round((after.ScriptDuration! - before.ScriptDuration!) * 1000),
      layout_total_ms: Math.round((after.LayoutDuration! - before.LayoutDuration! + after.RecalcStyleDuration! - before.RecalcStyleDuration!) * 1000),
      dom_rows_max: trace.result.maxRows,
      dom_nodes: after.Nodes,
      js_heap_mb: Math.round(after.JSHeapUsedSize! / 1024 / 1024),
    });
  } finally {
    await browser.close();
  }
}

/** Messages loaded: what the list says it holds (data-row-count counts separators too) or, without it, what is drawn. */
const loadedCount = (page: Page) =>
  page.evaluate(() => {
    const list = document.querySelector('[data-testid=message-list]')!;
    const holder = list.querySelector('[data-row-count]');
    return { rows: holder ? Number(holder.getAttribute('data-row-count')) : null, drawn: list.querySelectorAll('[data-testid=message]').length };
  });

/** Scrolls to the top until the start of the channel shows, each time waiting for the page to be drawn. */
async function loadAll(page: Page) {
  const started = performance.now();
  const waits: number[] = [];
  let pages = 0;
  while ((await page.getByTestId('history-start').count()) === 0) {
    if (performance.now() - started > LOAD_LIMIT_MS) break;
    const before = await loadedCount(page);
    const t0 = performance.now();
    // page.evaluate waits as long as the page's main thread is busy (a locator's would time out).
    await page.evaluate(() => (document.querySelector('[data-testid=message-list]')!.scrollTop = 0));
    // The page arrived and was drawn: the count moved, or the start of the channel shows.
    await page.waitForFunction(
      (was) => {
        if (document.querySelector('[data-testid=history-start]')) return true;
        const list = document.querySelector('[data-testid=message-list]')!;
        const holder = list.querySelector('[data-row-count]');
        const now = holder ? Number(holder.getAttribute('data-row-count')) : list.querySelectorAll('[data-testid=message]').length;
        return now > (holder ? (was.rows ?? 0) : was.drawn);
      },
      before,
      { timeout: LOAD_LIMIT_MS, polling: 'raf' },
    );
    waits.push(performance.now() - t0);
    pages += 1;
  }
  const finalCount = await loadedCount(page);
  return { complete: (await page.getByTestId('history-start').count()) > 0, pages, load_s: Math.round((performance.now() - started) / 100) / 10, per_page: summarize(waits), rows_loaded: finalCount.rows, drawn: finalCount.drawn };
}

/** Two frames: what a scroll or a page set in motion is drawn. */
const settle = (page: Page) => page.evaluate(() => new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done()))));

/** STEP_PX further down each frame for FRAMES frames; the intervals between frames, and the most rows seen in the DOM. */
function scrollThrough(page: Page) {
  return page.evaluate(
    ({ step, frames }) =>
      new Promise<{ deltas: number[]; maxRows: number }>((done) => {
        const list = document.querySelector<HTMLElement>('[data-testid=message-list]')!;
        const deltas: number[] = [];
        let maxRows = 0;
        let last = 0;
        const tick = (now: number) => {
          if (last) deltas.push(now - last);
          last = now;
          maxRows = Math.max(maxRows, list.querySelectorAll('[data-testid=message]').length);
          if (deltas.length >= frames) return done({ deltas, maxRows });
          list.scrollTop += step;
          requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      }),
    { step: STEP_PX, frames: FRAMES },
  );
}

async function metrics(cdp: CDPSession): Promise<Record<string, number>> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(metrics.map((metric) => [metric.name, metric.value]));
}

type TraceEvent = { name: string; ph: string; ts: number; dur?: number; pid: number; tid: number; args?: { name?: string } };

/** A DevTools timeline trace of `run`: its events, and what `run` answered. */
async function traced<T>(cdp: CDPSession, run: () => Promise<T>): Promise<{ events: TraceEvent[]; result: T }> {
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', ({ value }) => events.push(...(value as unknown as TraceEvent[])));
  const complete = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
  await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline', transferMode: 'ReportEvents' });
  const result = await run();
  await cdp.send('Tracing.end');
  await complete;
  return { events, result };
}

const SCRIPT = new Set(['FunctionCall', 'EventDispatch', 'FireAnimationFrame', 'TimerFire', 'RunMicrotasks', 'EvaluateScript', 'v8.callFunction', 'FireIdleCallback']);
const LAYOUT = new Set(['Layout', 'UpdateLayoutTree', 'RecalculateStyles']);

/**
 * Frames of the renderer's main thread, each from one animation frame callback to the next, with
 * the time spent running script and laying out in it (nested events counted once).
 */
function framesOf(events: TraceEvent[]): { scriptMs: number; layoutMs: number }[] {
  const fires = new Map<string, number>();
  for (const event of events) if (event.name === 'FireAnimationFrame') fires.set(`${event.pid}:${event.tid}`, (fires.get(`${event.pid}:${event.tid}`) ?? 0) + 1);
  const main = [...fires.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (!main) return [];
  const onMain = events.filter((event) => `${event.pid}:${event.tid}` === main && event.ph === 'X' && event.dur !== undefined);
  const starts = onMain.filter((event) => event.name === 'FireAnimationFrame').map((event) => event.ts).sort((a, b) => a - b);
  const frames = starts.slice(0, -1).map(() => ({ scriptMs: 0, layoutMs: 0 }));
  const spread = (names: Set<string>, into: 'scriptMs' | 'layoutMs') => {
    // The union of the events' spans (nested ones counted once), cut at the frames' edges.
    const spans = onMain.filter((event) => names.has(event.name)).map((event) => [event.ts, event.ts + event.dur!] as [number, number]).sort((a, b) => a[0] - b[0]);
    const merged: [number, number][] = [];
    for (const span of spans) {
      const last = merged.at(-1);
      if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
      else merged.push([...span]);
    }
    let frame = 0;
    for (const [from, to] of merged) {
      while (frame < frames.length && starts[frame + 1]! <= from) frame++;
      for (let f = frame; f < frames.length && starts[f]! < to; f++) {
        const cut = Math.min(to, starts[f + 1]!) - Math.max(from, starts[f]!);
        if (cut > 0) frames[f]![into] += cut / 1000;
      }
    }
  };
  spread(SCRIPT, 'scriptMs');
  spread(LAYOUT, 'layoutMs');
  return frames;
}

if (process.argv[1]?.endsWith('web-scroll.ts')) runBench(main);
