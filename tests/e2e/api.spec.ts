import { expect, test } from '@playwright/test';
import { signUp, unique } from './helpers';

test('make an API key, call an agent with it, watch usage move live, revoke the key', async ({ page, playwright, baseURL }) => {
  const id = unique();
  await signUp(page, 'Dev', `dev-${id}@example.com`);
  const agent = (await (await page.request.post('/api/agents', { data: { name: 'Helper', handle: 'helper', instructions: 'Help.' } })).json()).agent;

  // The key is shown once, with a copy button; the list shows only its partial.
  await page.getByTestId('keys-link').click();
  await page.fill('#key-name', 'Backend');
  await page.getByTestId('create-key').click();
  const secret = (await page.getByTestId('secret-value').textContent())!.trim();
  expect(secret).toMatch(/^nc_[0-9A-Za-z]{38}$/);
  await expect(page.getByTestId('key-row')).toHaveCount(1);
  await expect(page.getByTestId('key-row')).toContainText(secret.slice(-4));
  await expect(page.getByTestId('key-row')).not.toContainText(secret);

  // The usage dashboard is open while the API is called from elsewhere.
  await page.getByTestId('usage-link').click();
  await expect(page.getByTestId('total-requests')).toHaveText('0');
  const api = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${secret}` } });
  const chat = await api.post(`/api/v1/agents/${agent.id}/chat`, { data: { messages: [{ role: 'user', content: 'hello' }] } });
  expect(chat.status()).toBe(200);
  expect((await chat.json()).message.content).toContain('[offline model]');
  await expect(page.getByTestId('total-requests')).toHaveText('1', { timeout: 10_000 });
  await expect(page.getByTestId('usage-by-key')).toContainText('Backend');

  // Revoked: refused from the next request on.
  await page.getByTestId('keys-link').click();
  await page.getByTestId('revoke-key').click();
  await page.getByTestId('confirm-revoke').click();
  await expect(page.getByTestId('key-row')).toHaveCount(0);
  expect((await api.get('/api/v1/agents')).status()).toBe(401);
  await api.dispose();

  // The docs page has runnable examples and the OpenAPI document.
  await page.getByTestId('docs-link').click();
  await expect(page.getByTestId('api-example').first()).toContainText('/api/v1/agents');
  expect((await page.request.get('/api/v1/openapi.json')).status()).toBe(200);
});
