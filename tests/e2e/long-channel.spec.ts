import { expect, test, type Locator, type Page, type Route } from '@playwright/test';
import { shoot, signUp, unique } from './helpers';

/*
 * A channel with thousands of messages: the list draws a window of rows, not all of them; older
 * pages loading above keep the reader's place; a live message follows the reader who is at the
 * bottom and leaves alone the one who scrolled up.
 */

const desktop = { width: 1280, height: 800 };
const phone = { width: 390, height: 844 };
// Enough for 15 pages of older history after the first; bench:web:scroll measures 10,000.
const SEEDED = 800;

/**
 * Posts `count` messages over the HTTP API, the first and the last in order and the rest a few at
 * a time between them; every seventh is a code block, so rows differ in height.
 */
async function seed(page: Page, channelId: string, count: number) {
  const body = (i: number) => (i % 7 === 3 ? `long message ${i}\n\n\`\`\`\nline one of ${i}\nline two\nline three\n\`\`\`` : `long message ${i}`);
  const post = async (i: number) => expect((await page.request.post(`/api/channels/${channelId}/messages`, { data: { content: body(i) } })).status()).toBe(201);
  await post(0);
  let next = 1;
  await Promise.all(Array.from({ length: 6 }, async () => {
    while (next < count - 1) await post(next++);
  }));
  await post(count - 1);
}

const loadedRows = (list: Locator) => list.locator('[data-row-count]').evaluate((el) => Number(el.getAttribute('data-row-count')));

/** The first message row whose top is inside the list's viewport, and how far below the list's top it is. */
const topMessage = (list: Locator) =>
  list.evaluate((el) => {
    const top = el.getBoundingClientRect().top;
    for (const item of el.querySelectorAll<HTMLElement>('[data-testid=message]')) {
      const rect = item.getBoundingClientRect();
      if (rect.top >= top) return { id: item.dataset.messageId!, offset: rect.top - top };
    }
    throw new Error('no message in view');
  });

const offsetOf = (list: Locator, id: string) =>
  list.evaluate((el, messageId) => {
    const item = el.querySelector(`[data-message-id="${messageId}"]`);
    return item ? item.getBoundingClientRect().top - el.getBoundingClientRect().top : null;
  }, id);

/** Two frames: whatever a scroll or a new page set in motion has been drawn and measured. */
const settle = (page: Page) => page.evaluate(() => new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done()))));

const distanceFromBottom = (list: Locator) => list.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);

test('a long channel draws a window of rows, keeps the place as older pages load, and follows live messages only at the bottom', async ({ browser }) => {
  test.setTimeout(600_000);
  const ada = await (await browser.newContext({ viewport: desktop })).newPage();
  const bob = await (await browser.newContext()).newPage();
  const bobEmail = `bob-${unique()}@example.com`;
  await signUp(ada, 'Ada Long', `ada-${unique()}@example.com`);
  await signUp(bob, 'Bob Long', bobEmail);
  const name = `long-${unique()}`;
  const created = await ada.request.post('/api/channels', { data: { name } });
  expect(created.status()).toBe(201);
  const channelId = ((await created.json()) as { channel: { id: string } }).channel.id;
  // The dev server compiles the channel page and its routes on first use: on a busy machine that takes a while.
  await ada.goto(`/hub/channels/${channelId}`);
  await expect(ada.getByTestId('channel-title')).toHaveText(`# ${name}`, { timeout: 300_000 });
  await ada.getByTestId('channel-settings').click();
  await ada.locator('[data-testid=invite-form] input[name=email]').fill(bobEmail);
  await ada.locator('[data-testid=invite-form] button[type=submit]').click();
  await expect(ada.getByTestId('member')).toHaveCount(2);
  await ada.keyboard.press('Escape');
  await seed(ada, channelId, SEEDED);

  // Older pages are held back until the test has noted where the reader is, then let through.
  let release: (() => void) | null = null;
  const held: Route[] = [];
  const olderPages = (url: URL) => url.pathname === `/api/channels/${channelId}/messages` && url.searchParams.has('before');
  await ada.route(olderPages, (route) => {
    held.push(route);
    release?.();
  });
  const nextOlderRequest = () => new Promise<void>((resolve) => (held.length ? resolve() : (release = resolve)));

  await ada.reload();
  const list = ada.getByTestId('message-list');
  await expect(ada.getByTestId('message').filter({ hasText: `long message ${SEEDED - 1}` })).toBeInViewport();

  // Up to the start of the channel, a page at a time; each time the message that was at the top stays put.
  let pages = 0;
  let worst = 0;
  while ((await ada.getByTestId('history-start').count()) === 0) {
    const before = await loadedRows(list);
    const requested = nextOlderRequest();
    await list.evaluate((el) => (el.scrollTop = 0));
    await requested;
    await settle(ada);
    const anchor = await topMessage(list);
    await held.shift()!.continue();
    await expect.poll(() => loadedRows(list)).toBeGreaterThan(before);
    await settle(ada);
    await settle(ada);
    const offset = await offsetOf(list, anchor.id);
    expect(offset, `the top message after page ${pages + 1}`).not.toBeNull();
    worst = Math.max(worst, Math.abs(offset! - anchor.offset));
    expect(Math.abs(offset! - anchor.offset), `the top message moved after page ${pages + 1}`).toBeLessThanOrEqual(3);
    pages += 1;
  }
  await ada.unroute(olderPages);
  console.log(JSON.stringify({ pages, worstShiftPx: worst }));
  expect(pages).toBeGreaterThanOrEqual(Math.floor(SEEDED / 50) - 1);
  // The reader stayed where they were; the channel's first message is above, drawn once scrolled to.
  await list.evaluate((el) => (el.scrollTop = 0));
  await expect(ada.getByTestId('message').filter({ hasText: 'long message 0' })).toBeInViewport();

  // Every message is loaded; only a window of them is in the DOM.
  expect(await loadedRows(list)).toBeGreaterThan(SEEDED);
  const drawn = await ada.getByTestId('message').count();
  expect(drawn).toBeGreaterThan(5);
  expect(drawn).toBeLessThan(120);
  await shoot(ada, 'long-channel/top', desktop);

  // At the bottom: a live message from Bob appears and the view stays at the bottom.
  await list.evaluate((el) => (el.scrollTop = el.scrollHeight));
  await expect(ada.getByTestId('message').filter({ hasText: `long message ${SEEDED - 1}` })).toBeInViewport();
  await expect.poll(() => distanceFromBottom(list)).toBeLessThan(10);
  expect((await bob.request.post(`/api/channels/${channelId}/messages`, { data: { content: 'live while at the bottom' } })).status()).toBe(201);
  const atBottom = ada.getByTestId('message').filter({ hasText: 'live while at the bottom' });
  await expect(atBottom).toBeInViewport();
  await settle(ada);
  expect(await distanceFromBottom(list)).toBeLessThan(10);

  // Scrolled up: the next live message is loaded, but the view does not move.
  await list.evaluate((el) => (el.scrollTop = el.scrollHeight / 2));
  await settle(ada);
  await settle(ada);
  const reading = await topMessage(list);
  const rowsBefore = await loadedRows(list);
  expect((await bob.request.post(`/api/channels/${channelId}/messages`, { data: { content: 'live while reading older' } })).status()).toBe(201);
  await expect.poll(() => loadedRows(list)).toBe(rowsBefore + 1);
  await settle(ada);
  expect(await offsetOf(list, reading.id)).toBeCloseTo(reading.offset, 0);
  await expect(ada.getByTestId('message').filter({ hasText: 'live while reading older' })).toHaveCount(0);
  // It says so instead, and takes the reader down when asked.
  await expect(ada.getByTestId('jump-to-newest')).toBeVisible();
  await shoot(ada, 'long-channel/new-below', desktop);
  await ada.getByTestId('jump-to-newest').click();
  await expect(ada.getByTestId('message').filter({ hasText: 'live while reading older' })).toBeInViewport();
  await expect.poll(() => distanceFromBottom(list)).toBeLessThan(10);
  await expect(ada.getByTestId('jump-to-newest')).toHaveCount(0);

  // On a phone the window works the same, without sideways scrolling.
  await list.evaluate((el) => (el.scrollTop = el.scrollHeight / 3));
  await shoot(ada, 'long-channel/middle', phone);
  expect(await list.evaluate((el) => el.scrollWidth <= el.clientWidth + 1)).toBe(true);
  expect(await ada.getByTestId('message').count()).toBeLessThan(120);
});
