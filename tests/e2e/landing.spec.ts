import fs from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { shots, signUp, unique } from './helpers';

const desktop = { width: 1280, height: 800 };
const phone = { width: 390, height: 844 };

/** Scrolls through the page so every section has revealed itself, then shoots the whole of it. */
async function shootWhole(page: Page, name: string, size: { width: number; height: number }) {
  fs.mkdirSync(shots, { recursive: true });
  await page.setViewportSize(size);
  const height = await page.evaluate(() => document.body.scrollHeight);
  for (let y = 0; y < height; y += size.height / 2) {
    await page.evaluate((top) => window.scrollTo(0, top), y);
    await page.waitForTimeout(120);
  }
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(900);
  await page.screenshot({ path: `${shots}/${name}-${size.width}.png`, fullPage: true });
}

/**
 * The scripts the page fetched that hold three.js, told by their content (its WebGLRenderer), not
 * by their names: in development a dynamic import's tiny loader is a chunk named after the module.
 * A script whose body could not be read (it failed) is listed apart: nothing can be said of it.
 */
function watchThree(page: Page): () => Promise<{ three: string[]; unread: string[] }> {
  const checks: Promise<{ url: string; three?: boolean }>[] = [];
  page.on('response', (response) => {
    if (response.request().resourceType() !== 'script') return;
    const url = response.url();
    checks.push(response.text().then((body) => ({ url, three: body.includes('WebGLRenderer') }), () => ({ url })));
  });
  page.on('requestfailed', (request) => {
    if (request.resourceType() === 'script') checks.push(Promise.resolve({ url: request.url() }));
  });
  return async () => {
    const seen = await Promise.all(checks);
    return { three: seen.filter((one) => one.three).map((one) => one.url), unread: seen.filter((one) => one.three === undefined).map((one) => one.url) };
  };
}

test('the landing page shows every section, real calls to action and a live WebGL scene', async ({ page }) => {
  await page.setViewportSize(desktop);
  const threeFetched = watchThree(page);
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Teams of AI agents, with people in the loop.');
  for (const name of ['An agent for every job', 'Answers from your documents, with citations', 'Give a channel a goal', 'Your agents, from any codebase', 'Free to run yourself', 'Put your first team to work today']) {
    await expect(page.getByRole('heading', { level: 2, name: new RegExp(name) })).toBeVisible();
  }
  for (const landmark of ['banner', 'main', 'contentinfo'] as const) await expect(page.getByRole(landmark)).toHaveCount(1);

  // Signed out: sign up and sign in are links, in the header and in the hero.
  const hero = page.getByTestId('hero-cta');
  await expect(hero.getByRole('link', { name: 'Create your hub' })).toHaveAttribute('href', '/sign-up');
  await expect(hero.getByRole('link', { name: 'Sign in' })).toHaveAttribute('href', '/sign-in');
  await expect(page.getByRole('banner').getByRole('link', { name: 'Get started' })).toHaveAttribute('href', '/sign-up');

  // The API sample is the real one: the OpenAI SDK on /api/v1, agents and channels as models.
  const sample = page.getByTestId('api-sample');
  await expect(sample).toContainText("baseURL: 'https://your-hub.example.com/api/v1'");
  await expect(sample).toContainText("model: 'agent:<agentId>'");
  await expect(sample).toContainText("model: 'channel:<channelId>'");
  // Pricing states the limits the hub enforces (the defaults here).
  await expect(page.getByTestId('plan-self-hosted')).toContainText('1,000 model calls per person per day');
  await expect(page.getByTestId('plan-self-hosted')).toContainText('2,000,000 tokens per person per day');
  await expect(page.getByTestId('plan-hosted')).toContainText('Contact us');

  // The still picture is there from the first byte; the WebGL scene takes over once idle, and moves.
  const visual = page.getByTestId('hero-visual');
  await expect(visual).toHaveAttribute('data-visual', 'scene', { timeout: 60_000 });
  const canvas = page.locator('[data-testid=hero-scene] canvas');
  await expect(canvas).toBeVisible();
  expect(await canvas.evaluate((element: HTMLCanvasElement) => element.width > 0 && element.height > 0)).toBe(true);
  const first = await canvas.screenshot();
  await page.mouse.move(1100, 200);
  await page.waitForTimeout(700);
  const second = await canvas.screenshot();
  expect(first.equals(second)).toBe(false);
  // The detector the no-WebGL test relies on does see three.js when it comes.
  expect((await threeFetched()).three.length).toBeGreaterThan(0);

  await shootWhole(page, 'landing-dark', desktop);
  await page.setViewportSize(phone);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(phone.width);
  await shootWhole(page, 'landing-dark', phone);

  // Light theme: the switch works without the app's stores, and is remembered.
  await page.getByTestId('theme-toggle').click();
  await expect(page.locator('html')).not.toHaveClass(/dark/);
  await shootWhole(page, 'landing-light', phone);
  await page.reload();
  await expect(page.locator('html')).not.toHaveClass(/dark/);
  await shootWhole(page, 'landing-light', desktop);
});

test('without WebGL the still picture stays, and three.js is never fetched', async ({ page }) => {
  await page.addInitScript(() => {
    const original = HTMLCanvasElement.prototype.getContext;
    // @ts-expect-error narrowing the overloads is beside the point here
    HTMLCanvasElement.prototype.getContext = function (type: string, ...rest: unknown[]) {
      return type === 'webgl' || type === 'webgl2' || type === 'experimental-webgl' ? null : original.call(this, type, ...(rest as []));
    };
  });
  const threeFetched = watchThree(page);
  await page.goto('/');
  await expect(page.getByTestId('hero-visual')).toHaveAttribute('data-visual', 'still');
  await expect(page.getByRole('img', { name: /A team of AI agents/ })).toBeVisible();
  await page.waitForTimeout(1500);
  await expect(page.locator('[data-testid=hero-scene]')).toHaveCount(0);
  expect(await threeFetched()).toEqual({ three: [], unread: [] });
});

test('with reduced motion the still picture stands in for the scene', async ({ page }) => {
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.setViewportSize(phone);
  await page.goto('/');
  await expect(page.getByTestId('hero-visual')).toHaveAttribute('data-visual', 'still');
  await expect(page.getByTestId('hero-still')).toBeVisible();
  await page.waitForTimeout(1500);
  await expect(page.locator('[data-testid=hero-scene]')).toHaveCount(0);
  await page.waitForTimeout(500);
  await page.screenshot({ path: `${shots}/landing-reduced-motion-${phone.width}.png` });
  // Sections are shown as they come into view, without their lift and fade.
  const closing = page.getByRole('heading', { level: 2, name: 'Put your first team to work today' });
  await closing.scrollIntoViewIfNeeded();
  const revealed = closing.locator('xpath=..');
  await expect(revealed).toHaveCSS('opacity', '1');
  await expect(revealed).toHaveCSS('transform', 'none');
});

test('signed in, the landing page offers the hub instead of sign-in', async ({ page }) => {
  await signUp(page, 'Lena Landing', `lena-${unique()}@example.com`);
  await page.goto('/');
  const hero = page.getByTestId('hero-cta');
  await expect(hero.getByRole('link', { name: 'Open the hub' })).toHaveAttribute('href', '/hub');
  await expect(page.getByRole('link', { name: 'Sign in' })).toHaveCount(1); // the footer's only
  await hero.getByRole('link', { name: 'Open the hub' }).click();
  await page.waitForURL('**/hub');
  await expect(page.getByTestId('current-user-name')).toHaveText('Lena Landing');
});
