import fs from 'node:fs';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { createChannel, shots, signUp, unique } from './helpers';

const phone = { width: 390, height: 844 };
const phoneShots = `${shots}/phones`;

/** Each step's screenshot: kept with the test's results, and in /tmp/shots/phones to be looked at. */
async function step(page: Page, testInfo: TestInfo, name: string) {
  fs.mkdirSync(phoneShots, { recursive: true });
  const size = page.viewportSize()!;
  const file = `${name}-${size.width}.png`;
  // Transitions finished: the drawer caught where it ends, not mid-slide.
  await page.screenshot({ path: testInfo.outputPath(file), animations: 'disabled' });
  fs.copyFileSync(testInfo.outputPath(file), `${phoneShots}/${file}`);
  await testInfo.attach(name, { path: testInfo.outputPath(file), contentType: 'image/png' });
}

/**
 * What sticks out past the right edge of the screen: the page scrolling sideways, or an element
 * cut off by the shell's overflow. A region that scrolls inside itself (a code block, a wide table
 * in its own scroller) is fine, as long as that region fits the screen.
 */
async function overflow(page: Page) {
  return page.evaluate(() => {
    const width = window.innerWidth;
    const offenders: string[] = [];
    if (document.documentElement.scrollWidth > width) offenders.push(`page scrolls to ${document.documentElement.scrollWidth}px`);
    const shell = document.getElementById('hub-main')?.parentElement;
    for (const el of Array.from(document.body.querySelectorAll<HTMLElement>('*'))) {
      const rect = el.getBoundingClientRect();
      if (rect.width === 0 || rect.height === 0 || rect.right <= width + 1) continue;
      if (getComputedStyle(el).visibility === 'hidden' || el.closest('[inert]')) continue;
      let contained = false;
      for (let up = el.parentElement; up && up !== shell && up !== document.body; up = up.parentElement) {
        const style = getComputedStyle(up);
        if (style.overflowX !== 'visible' && up.getBoundingClientRect().right <= width + 1) {
          contained = true;
          break;
        }
      }
      if (!contained) offenders.push(`${el.tagName.toLowerCase()}${el.dataset.testid ? `[${el.dataset.testid}]` : ''} ends at ${Math.round(rect.right)}px`);
    }
    return offenders.slice(0, 5);
  });
}

/**
 * The dev server compiles a route on its first request, which on a busy machine outlasts the
 * browser client's 15 s timeout and fails the first send or edit. Asked once here, with time to spare.
 */
async function compileMessageRoutes(page: Page) {
  const channelId = /\/hub\/channels\/([^/?]+)/.exec(page.url())![1];
  const base = `/api/channels/${channelId}/messages`;
  expect((await page.request.get(base, { timeout: 120_000 })).status()).toBe(200);
  const missing = `${base}/00000000-0000-7000-8000-000000000000`;
  expect((await page.request.patch(missing, { data: { content: 'x' }, timeout: 120_000 })).status()).toBe(404);
}

const focusedTestId = (page: Page) => page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.testid ?? document.activeElement?.tagName);

/** Presses a key until the element with this test id has focus (at most `limit` times). */
async function pressUntilFocused(page: Page, key: string, testId: string, limit = 40) {
  for (let i = 0; i < limit && (await focusedTestId(page)) !== testId; i++) await page.keyboard.press(key);
  expect(await focusedTestId(page)).toBe(testId);
}

test('the whole chat used at 390x844', async ({ browser }, testInfo) => {
  // It opens every hub page, and the dev server compiles each on its first visit.
  test.setTimeout(360_000);
  // A phone: narrow, touch, no hover.
  const context = await browser.newContext({ viewport: phone, hasTouch: true, isMobile: true });
  const page = await context.newPage();
  await signUp(page, 'Pia Phone', `pia-${unique()}@example.com`);
  const menu = page.getByTestId('open-menu');
  const sidebar = page.getByTestId('hub-sidebar');
  await expect(sidebar).toBeHidden();
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await expect(menu).toHaveAttribute('aria-controls', 'hub-sidebar');
  await step(page, testInfo, 'phone-1-hub');

  // The menu opens the drawer over a backdrop and moves focus into it.
  await menu.tap();
  await expect(sidebar).toBeVisible();
  await expect(menu).toHaveAttribute('aria-expanded', 'true');
  await expect(sidebar).toHaveAttribute('role', 'dialog');
  await expect(page.getByTestId('close-menu')).toBeFocused();
  await step(page, testInfo, 'phone-2-drawer');

  // A channel created from the drawer opens, and the drawer shuts.
  await createChannel(page, 'tablets');
  await expect(sidebar).toBeHidden();
  await menu.tap();
  await createChannel(page, 'phones');
  await expect(sidebar).toBeHidden();
  await compileMessageRoutes(page);

  // The backdrop shuts it too, and focus comes back to the menu button.
  await menu.tap();
  await expect(sidebar).toBeVisible();
  await page.getByTestId('drawer-backdrop').tap({ position: { x: 370, y: 400 } });
  await expect(sidebar).toBeHidden();
  await expect(menu).toBeFocused();

  // Picking a channel opens it and shuts the drawer.
  await menu.tap();
  await page.getByTestId('channel-link').filter({ hasText: 'tablets' }).tap();
  await page.waitForURL('**/hub/channels/**');
  await expect(page.getByTestId('channel-title')).toHaveText('# tablets');
  await expect(sidebar).toBeHidden();
  await expect(menu).toHaveAttribute('aria-expanded', 'false');

  // The chat takes the whole width: the composer is not squeezed.
  const composer = await page.getByTestId('composer').boundingBox();
  const textBox = await page.getByTestId('composer-input').boundingBox();
  console.log(`composer at 390x844: form ${composer!.width}px, text box ${Math.round(textBox!.width)}px`);
  expect(composer!.width).toBeGreaterThanOrEqual(300);
  expect(textBox!.width).toBeGreaterThanOrEqual(200);

  await page.getByTestId('composer-input').tap();
  await page.getByTestId('composer-input').fill('Hello from a phone, with a long address https://example.com/' + 'x'.repeat(120));
  await page.keyboard.press('Enter');
  const mine = page.getByTestId('message').filter({ hasText: 'Hello from a phone' });
  await expect(mine).toHaveCount(1);
  await expect(page.getByRole('log')).toHaveAttribute('aria-live', 'polite');
  await step(page, testInfo, 'phone-3-sent');
  expect(await overflow(page)).toEqual([]);

  // Up in the empty composer edits the last message; Escape cancels; Up again and Enter saves.
  await expect(page.getByTestId('composer-input')).toHaveValue('');
  await page.getByTestId('composer-input').focus();
  await page.keyboard.press('ArrowUp');
  const editBox = page.getByTestId('edit-input');
  await expect(editBox).toBeFocused();
  await expect(editBox).toHaveValue(/^Hello from a phone/);
  await page.keyboard.press('Escape');
  await expect(editBox).toHaveCount(0);
  await expect(page.getByTestId('composer-input')).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await editBox.fill('Edited on a phone');
  await step(page, testInfo, 'phone-4-editing');
  await page.keyboard.press('Enter');
  const edited = page.getByTestId('message').filter({ hasText: 'Edited on a phone' });
  await expect(edited.getByTestId('edited')).toBeVisible();
  await expect(page.getByTestId('composer-input')).toBeFocused();

  // No hover on a phone: the toolbar (react, reply, edit, delete) stays out of the way, so it
  // covers no name or time, until the message is tapped; a tap elsewhere puts it away again.
  const toolbar = edited.getByTestId('message-toolbar');
  await expect(toolbar).toHaveCSS('opacity', '0');
  await expect(toolbar).toHaveCSS('pointer-events', 'none');
  await edited.getByText('Edited on a phone').tap();
  await expect(toolbar).toHaveCSS('opacity', '1');
  await expect(edited.getByTestId('delete-message')).toBeVisible();
  await step(page, testInfo, 'phone-5-actions');
  await page.getByTestId('channel-title').tap();
  await expect(toolbar).toHaveCSS('opacity', '0');
  // From the composer, back to the message's Delete by keyboard.
  await page.getByTestId('composer-input').focus();
  await pressUntilFocused(page, 'Shift+Tab', 'delete-message', 10);
  await page.keyboard.press('Enter');
  await expect(edited.getByTestId('confirm-delete')).toBeFocused();
  await step(page, testInfo, 'phone-6-confirm-delete');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('message')).toHaveCount(0);

  // Every hub page fits the screen.
  await page.getByTestId('channel-settings').tap();
  await expect(page.getByTestId('invite-form')).toBeVisible();
  await step(page, testInfo, 'phone-7-settings');
  expect(await overflow(page)).toEqual([]);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('invite-form')).toBeHidden();

  const channelUrl = page.url();
  const pages: Array<[string, string]> = [
    ['agents', 'agents-link'],
    ['knowledge', 'knowledge-link'],
    ['dashboard', 'usage-link'],
    ['mcp', 'mcp-link'],
  ];
  for (const [name, link] of pages) {
    await menu.tap();
    await page.getByTestId(link).tap();
    await page.waitForURL(`**/hub/${name}`);
    await expect(sidebar).toBeHidden();
    await page.waitForLoadState('networkidle');
    await step(page, testInfo, `phone-8-${name}`);
    expect({ name, overflow: await overflow(page) }).toEqual({ name, overflow: [] });
  }
  await page.goto(`${channelUrl}?view=canvas`);
  await expect(page.getByTestId('view-canvas')).toHaveAttribute('aria-pressed', 'true');
  await page.waitForLoadState('networkidle');
  await step(page, testInfo, 'phone-9-canvas');
  expect(await overflow(page)).toEqual([]);

  // Escape shuts the drawer and gives focus back to the menu button.
  await menu.tap();
  await expect(sidebar).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(sidebar).toBeHidden();
  await expect(menu).toBeFocused();
  await step(page, testInfo, 'phone-10-drawer-closed');
  await context.close();
});

test('desktop, keyboard only: skip link to the composer, send, Up arrow to edit, delete', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await signUp(page, 'Kim Keys', `kim-${unique()}@example.com`);
  await createChannel(page, 'keys-only');
  await compileMessageRoutes(page);
  await page.goto('/hub');
  await expect(page.getByTestId('channel-link')).toBeVisible();

  // The first Tab is the skip link; from the sidebar, Enter opens the channel with focus in its composer.
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('skip-link')).toBeFocused();
  await expect(page.getByTestId('skip-link')).toBeVisible();
  await step(page, testInfo, 'desktop-1-skip-link');
  await pressUntilFocused(page, 'Tab', 'channel-link');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('channel-title')).toHaveText('# keys-only');
  await expect(page.getByTestId('composer-input')).toBeFocused();

  // Back to the top of the page, and the skip link jumps over the sidebar to the composer.
  await pressUntilFocused(page, 'Shift+Tab', 'skip-link');
  await expect(page.getByTestId('skip-link')).toHaveText('Skip to the message box');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('composer-input')).toBeFocused();

  await page.keyboard.type('typed without a mouse');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('message').filter({ hasText: 'typed without a mouse' })).toHaveCount(1);
  await page.keyboard.press('ArrowUp');
  await expect(page.getByTestId('edit-input')).toBeFocused();
  await page.keyboard.press('End');
  await page.keyboard.type(', then edited');
  await page.keyboard.press('Enter');
  const message = page.getByTestId('message').filter({ hasText: 'typed without a mouse, then edited' });
  await expect(message.getByTestId('edited')).toBeVisible();

  // Edit and delete are in the tab order and show when focused.
  await expect(page.getByTestId('composer-input')).toBeFocused();
  await pressUntilFocused(page, 'Shift+Tab', 'delete-message', 10);
  await expect(message.getByTestId('message-toolbar')).toHaveCSS('opacity', '1');
  await step(page, testInfo, 'desktop-2-actions-focused');
  await page.keyboard.press('Enter');
  await expect(message.getByTestId('confirm-delete')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('message')).toHaveCount(0);
});
