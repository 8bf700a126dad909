import fs from 'node:fs';
import { expect, test } from '@playwright/test';
import { makePdfWithHeadings } from '../fixtures/documents';
import { createChannel, overflowsSideways, shoot, shots, signUp, unique } from './helpers';

test('upload a PDF into a knowledge base, give it to an agent, and see the agent cite it (offline model)', async ({ page }) => {
  fs.mkdirSync(shots, { recursive: true });
  await page.setViewportSize({ width: 1280, height: 800 });
  const id = unique();
  await signUp(page, 'Ines', `ines-${id}@example.com`);

  // The knowledge page says how search works here.
  await page.getByTestId('knowledge-link').click();
  await page.waitForURL('**/hub/knowledge');
  await expect(page.getByTestId('knowledge-link')).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('retrieval-mode')).toHaveText('Search is full-text (keyword) search. Set EMBEDDINGS_MODEL for semantic search.');
  await expect(page.getByTestId('knowledge-empty')).toBeVisible();

  // Create a base: the server's field error first, then the base, opened.
  await page.getByTestId('new-knowledge-base').click();
  await page.getByTestId('knowledge-base-save').click();
  await expect(page.getByTestId('kb-error-name')).not.toBeEmpty();
  await page.fill('#kb-name', 'Store handbook');
  await page.fill('#kb-description', 'Returns, refunds and shipping');
  await page.getByTestId('knowledge-base-save').click();
  await page.waitForURL(/\/hub\/knowledge\/[0-9a-f-]{36}$/);
  const knowledgeBaseId = page.url().split('/').pop()!;
  await expect(page.getByTestId('knowledge-base-title')).toHaveText('Store handbook');

  // Drop a real PDF and a picture at once: the PDF goes up and is indexed to ready, the picture
  // is refused on its own row with the server's reason.
  const pdf = await makePdfWithHeadings([
    { heading: 'Returns', lines: ['Items can be returned within 30 days of delivery.', 'Keep the receipt.'] },
    { heading: 'Refunds', lines: ['Refunds are paid within 14 days of the return arriving.', 'The refund goes back to the card that paid.'] },
    { heading: 'Shipping', lines: ['Shipping is free for orders above 50 EUR.'] },
  ]);
  const dataTransfer = await page.evaluateHandle(({ pdfBase64 }) => {
    const transfer = new DataTransfer();
    const bytes = Uint8Array.from(atob(pdfBase64), (c) => c.charCodeAt(0));
    transfer.items.add(new File([bytes], 'handbook.pdf', { type: 'application/pdf' }));
    transfer.items.add(new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])], 'photo.png', { type: 'image/png' }));
    return transfer;
  }, { pdfBase64: Buffer.from(pdf).toString('base64') });
  const zone = page.getByTestId('drop-zone');
  await zone.dispatchEvent('dragenter', { dataTransfer });
  await expect(zone).toContainText('Drop to upload');
  await zone.dispatchEvent('drop', { dataTransfer });
  await expect(page.getByTestId('upload-row').or(page.getByTestId('document-row')).first()).toBeVisible();

  const pdfRow = page.locator('[data-testid=document-row][data-name="handbook.pdf"]');
  await expect(pdfRow).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await expect(pdfRow.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100');
  await expect(pdfRow.getByTestId('document-status')).toHaveText(/^Ready · \d+ passages? · 3 pages$/);
  const refused = page.locator('[data-testid=upload-row][data-name="photo.png"]');
  await expect(refused).toHaveAttribute('data-state', 'failed');
  await expect(refused.getByTestId('upload-error')).toHaveText(/^Not uploaded: .+/);

  // The file picker works too (a Markdown note).
  await page.getByTestId('file-input').setInputFiles({ name: 'notes.md', mimeType: 'text/markdown', buffer: Buffer.from('# Opening hours\n\nThe shop opens at nine and closes at five.\n') });
  await expect(page.locator('[data-testid=document-row][data-name="notes.md"]')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await expect(page.getByTestId('knowledge-base-totals')).toHaveText(/^2 documents · \d+ passages · /);

  // Try a search: passages with the words marked, the document, its page and heading.
  await page.getByTestId('knowledge-search-input').fill('refunds paid');
  await page.getByTestId('knowledge-search-submit').click();
  const result = page.getByTestId('search-result').first();
  await expect(result.getByTestId('search-result-document')).toHaveText('handbook.pdf');
  await expect(result.getByTestId('search-result-where')).toContainText('page 2');
  await expect(result.locator('mark').first()).toHaveText(/^Refunds?$/i);
  await expect(result.locator('mark', { hasText: /^paid$/ }).first()).toBeVisible();

  await shoot(page, 'knowledge', { width: 1280, height: 800 });
  await shoot(page, 'knowledge', { width: 390, height: 844 });
  expect(await overflowsSideways(page, 'knowledge-page')).toBe(false);
  await page.getByTestId('knowledge-page').evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await page.screenshot({ path: `${shots}/knowledge-bottom-390.png` });
  await page.setViewportSize({ width: 1280, height: 800 });

  // Give the base to a new agent.
  await page.getByTestId('agents-link').click();
  await page.waitForURL('**/hub/agents');
  await page.getByTestId('new-agent').click();
  await page.fill('#agent-name', 'Store Helper');
  await page.fill('#agent-instructions', 'Answer questions about the store from its handbook.');
  const option = page.getByTestId('agent-knowledge').getByRole('checkbox', { name: /Store handbook/ });
  await option.check();
  await page.getByTestId('agent-save').click();
  await expect(page.getByTestId('agent-card')).toHaveCount(1);
  const agents = await (await page.request.get('/api/agents')).json();
  expect(agents.agents[0].knowledgeBaseIds).toEqual([knowledgeBaseId]);

  // Ask in a channel: the reply quotes the PDF with [n] chips and lists its sources.
  await createChannel(page, `store-${id}`);
  await page.getByTestId('channel-settings').click();
  await page.locator('[data-testid=add-agent-form] button[type=submit]').click();
  await expect(page.getByTestId('agent-member-badge')).toHaveCount(1);
  await page.keyboard.press('Escape');
  const input = page.getByTestId('composer-input');
  await input.fill('@store-helper how many days until refunds are paid?');
  await input.press('Enter');

  const reply = page.getByTestId('message').filter({ has: page.getByTestId('agent-badge') });
  await expect(reply).toHaveCount(1);
  await expect(reply.getByTestId('stop-reply')).toHaveCount(0, { timeout: 30_000 });
  const chip = reply.getByTestId('citation-chip').first();
  await expect(chip).toBeVisible();
  await chip.hover();
  const popover = page.getByRole('tooltip');
  await expect(popover).toBeVisible();
  await expect(popover.getByTestId('citation-excerpt')).toContainText('Refunds are paid within 14 days');
  await expect(popover).toContainText('handbook.pdf');

  const source = reply.getByTestId('source-link').filter({ hasText: 'handbook.pdf' }).first();
  const href = (await source.getAttribute('href'))!;
  expect(href).toMatch(new RegExp(`^/api/knowledge/${knowledgeBaseId}/documents/[0-9a-f-]{36}/file#page=2$`));
  await expect(source).toHaveAttribute('target', '_blank');
  // What the link opens: the PDF itself, shown inline (so the browser's viewer goes to the page).
  const file = await page.request.get(href.split('#')[0]!);
  expect(file.status()).toBe(200);
  expect(file.headers()['content-type']).toContain('application/pdf');
  expect(file.headers()['content-disposition'] ?? 'inline').toMatch(/^inline/);
  expect((await file.body()).subarray(0, 5).toString()).toBe('%PDF-');

  await shoot(page, 'channel-citations', { width: 1280, height: 800 });
  await page.mouse.move(0, 0);
  await page.setViewportSize({ width: 390, height: 844 });
  // A tap on a phone: the excerpt opens and stays on screen.
  await chip.click();
  await expect(popover).toBeVisible();
  const box = (await popover.boundingBox())!;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(390);
  await shoot(page, 'channel-citations', { width: 390, height: 844 });

  // On a phone, Knowledge is in the drawer; the page opens on the list of bases.
  await page.getByTestId('open-menu').click();
  await page.getByTestId('knowledge-link').click();
  await page.waitForURL('**/hub/knowledge');
  await expect(page.getByTestId('knowledge-base-card')).toContainText('2 documents');
  await expect(page.locator('#hub-sidebar')).toBeHidden();
  expect(await overflowsSideways(page, 'knowledge-page')).toBe(false);
  await page.screenshot({ path: `${shots}/knowledge-list-390.png` });

  // The light theme, for contrast: the reply with its open excerpt, and the knowledge page.
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goBack();
  await page.getByTestId('theme-toggle').click();
  await expect(page.locator('html')).not.toHaveClass(/dark/);
  await chip.hover();
  await expect(popover).toBeVisible();
  await page.screenshot({ path: `${shots}/channel-citations-light-1280.png` });
  await page.goto(`/hub/knowledge/${knowledgeBaseId}`);
  await expect(page.locator('[data-testid=document-row][data-name="handbook.pdf"]')).toHaveAttribute('data-status', 'ready');
  await page.getByTestId('knowledge-search-input').fill('refunds paid');
  await page.getByTestId('knowledge-search-submit').click();
  await expect(page.getByTestId('search-result').first()).toBeVisible();
  await page.screenshot({ path: `${shots}/knowledge-light-1280.png`, fullPage: true });
});
