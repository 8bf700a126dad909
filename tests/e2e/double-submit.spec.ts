import { expect, test, type Page } from '@playwright/test';
import { signUp, unique } from './helpers';

/** Counts the browser's POSTs to /api/keys, as the network sees them. */
function countKeyPosts(page: Page) {
  const posts: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/keys') posts.push(request.url());
  });
  return posts;
}

/** The one key on the server is the one whose secret is on screen: its partial, and it authenticates. */
async function expectOneKeyShown(page: Page, request: (secret: string) => Promise<number>) {
  const secret = (await page.getByTestId('secret-value').textContent())!.trim();
  await expect(page.getByTestId('key-row')).toHaveCount(1);
  const keys = (await (await page.request.get('/api/keys')).json()).keys as { partial: string }[];
  expect(keys).toHaveLength(1);
  const [head, tail] = keys[0]!.partial.split('…');
  expect(secret.startsWith(head!) && secret.endsWith(tail!)).toBe(true);
  expect(await request(secret)).toBe(200);
}

test.describe('double submits', () => {
  test.beforeEach(async ({ page }) => {
    await signUp(page, 'Dee', `dee-${unique()}@example.com`);
    await page.getByTestId('keys-link').click();
    await expect(page.getByText('No keys yet.')).toBeVisible();
    await page.fill('#key-name', 'Twice');
  });

  const call = (playwright: import('@playwright/test').PlaywrightWorkerArgs['playwright'], baseURL: string | undefined) => async (secret: string) => {
    const api = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${secret}` } });
    const status = (await api.get('/api/v1/agents')).status();
    await api.dispose();
    return status;
  };

  test('double-clicking Create key makes one key, and the secret shown is that key’s', async ({ page, playwright, baseURL }) => {
    const posts = countKeyPosts(page);
    await page.getByTestId('create-key').dblclick();
    await expectOneKeyShown(page, call(playwright, baseURL));
    await expect(page.getByTestId('create-key')).toBeEnabled();
    expect(posts).toHaveLength(1);
  });

  test('on a slow network Create key shows it is pending, and a double click still makes one key', async ({ page, playwright, baseURL }) => {
    const posts = countKeyPosts(page);
    // The network holds the request until the pending state has been seen.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/keys', async (route) => {
      if (route.request().method() === 'POST') await held;
      await route.continue();
    });
    await page.getByTestId('create-key').dblclick();
    await expect(page.getByTestId('create-key')).toBeDisabled();
    await expect(page.getByTestId('create-key')).toHaveText('Creating…');
    await page.locator('#key-name').press('Enter'); // and a second Enter does nothing either
    release();
    await expectOneKeyShown(page, call(playwright, baseURL));
    await expect(page.getByTestId('create-key')).toHaveText('Create key');
    expect(posts).toHaveLength(1);
  });
});
