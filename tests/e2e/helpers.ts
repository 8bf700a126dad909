import fs from 'node:fs';
import { expect, type Page } from '@playwright/test';

export const unique = () => Math.random().toString(36).slice(2, 8);

export async function signUp(page: Page, name: string, email: string) {
  await page.goto('/sign-up');
  await page.fill('#name', name);
  await page.fill('#email', email);
  await page.fill('#password', 'a good long password');
  await page.click('[data-testid=auth-submit]');
  await page.waitForURL('**/hub');
  await expect(page.getByTestId('current-user-name')).toHaveText(name);
}

export async function createChannel(page: Page, name: string, description?: string) {
  await page.getByTestId('new-channel').click();
  await page.fill('#channel-name', name);
  if (description) await page.fill('#channel-description', description);
  await page.locator('[data-testid=create-channel-form] button[type=submit]').click();
  await page.waitForURL('**/hub/channels/**');
  await expect(page.getByTestId('channel-title')).toHaveText(`# ${name}`);
}

/** Where the specs' screenshots go, to be looked at. */
export const shots = '/tmp/shots';

/** A screenshot at a viewport size, once the layout has settled (the sidebar turns into a drawer below md). */
export async function shoot(page: Page, name: string, size: { width: number; height: number }) {
  fs.mkdirSync(shots, { recursive: true });
  await page.setViewportSize(size);
  await page.waitForTimeout(150);
  await page.screenshot({ path: `${shots}/${name}-${size.width}.png` });
}

/** The element scrolls sideways (content wider than it): what a 390 px screen must never do. */
export const overflowsSideways = (page: Page, testId: string) => page.getByTestId(testId).evaluate((el) => el.scrollWidth > el.clientWidth + 1);
