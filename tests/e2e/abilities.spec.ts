import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import { createChannel, overflowsSideways, shoot, signUp, unique } from './helpers';

test('paste an image into the composer, mention a vision agent, watch its steps and its answer (offline model)', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  const id = unique();
  await signUp(page, 'Vera', `vera-${id}@example.com`);

  // An agent with vision, made in its form; web search says why it is off here.
  await page.getByTestId('agents-link').click();
  await page.waitForURL('**/hub/agents');
  await page.getByTestId('new-agent').click();
  await page.fill('#agent-name', 'Looker');
  await page.fill('#agent-instructions', 'Describe the images you are shown.');
  const web = page.locator('[data-testid=agent-ability][data-ability=web_search]');
  await expect(web.getByTestId('agent-ability-reason')).toContainText('SEARXNG_URL');
  await expect(web.getByRole('checkbox')).toBeDisabled();
  await page.locator('[data-testid=agent-ability][data-ability=vision]').getByRole('checkbox').check();
  await shoot(page, 'agent-abilities', { width: 1440, height: 900 });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByTestId('agent-abilities').scrollIntoViewIfNeeded();
  await shoot(page, 'agent-abilities', { width: 390, height: 844 });
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.getByTestId('agent-save').click();
  await expect(page.getByTestId('agent-card')).toHaveCount(1);

  await createChannel(page, `look-${id}`);
  await page.getByTestId('channel-settings').click();
  await page.locator('[data-testid=add-agent-form] button[type=submit]').click();
  await expect(page.getByTestId('agent-member-badge')).toHaveCount(1);
  await page.keyboard.press('Escape');

  // Paste a screenshot into the message box: it uploads and waits as a chip.
  const png = await sharp({ create: { width: 640, height: 400, channels: 3, background: '#2e7d32' } }).png().toBuffer();
  const input = page.getByTestId('composer-input');
  await input.click();
  await input.evaluate((element, base64) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], 'screenshot.png', { type: 'image/png' }));
    element.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }));
  }, png.toString('base64'));
  const chip = page.getByTestId('attachment-chip');
  await expect(chip).toHaveCount(1);
  await expect(chip).toContainText('screenshot.png');
  await input.fill('@looker what is in this picture?');
  await shoot(page, 'composer-attachment', { width: 1440, height: 900 });
  await shoot(page, 'composer-attachment', { width: 390, height: 844 });
  await page.setViewportSize({ width: 1440, height: 900 });
  await expect(page.getByTestId('composer-send')).toBeEnabled();
  await input.press('Enter');

  // The message shows the image; the agent's steps show, then its answer says what it measured.
  const mine = page.getByTestId('message').filter({ hasText: 'what is in this picture?' });
  await expect(mine.getByTestId('attachment-image')).toBeVisible();
  const reply = page.getByTestId('message').filter({ has: page.getByTestId('agent-badge') });
  await expect(reply).toHaveCount(1);
  await expect(reply.getByTestId('stop-reply')).toHaveCount(0, { timeout: 30_000 });
  await expect(reply.getByTestId('message-body')).toContainText('640×400');
  await expect(reply.getByTestId('message-body')).toContainText('a vision model is needed');
  const summary = reply.getByTestId('activity-summary');
  await expect(summary).toHaveText(/Used 2 tools/);
  await summary.click();
  await expect(reply.getByTestId('activity').first()).toHaveAttribute('data-tool', 'vision');
  await expect(reply.getByTestId('activity').first()).toContainText('Looking at screenshot.png');
  await expect(reply.locator('[data-testid=activity][data-tool=describe_image]')).toHaveAttribute('data-status', 'done');

  // The lightbox opens the image full size, and Esc closes it.
  await mine.getByTestId('attachment-image').click();
  await expect(page.getByTestId('lightbox-image')).toBeVisible();
  await shoot(page, 'vision-lightbox', { width: 1440, height: 900 });
  // It covers the whole window, not just the list it was opened from.
  const cover = (await page.getByTestId('lightbox').boundingBox())!;
  expect(cover).toEqual({ x: 0, y: 0, width: 1440, height: 900 });
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('lightbox')).toHaveCount(0);

  await shoot(page, 'vision-reply', { width: 1440, height: 900 });
  await shoot(page, 'vision-reply', { width: 390, height: 844 });
  expect(await overflowsSideways(page, 'message-list')).toBe(false);

  // The MCP servers page: a private address is refused, in words, under its field.
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.getByTestId('mcp-link').click();
  await page.waitForURL('**/hub/mcp');
  await expect(page.getByTestId('mcp-empty')).toBeVisible();
  await page.fill('#mcp-name', 'Local tools');
  await page.fill('#mcp-url', 'http://127.0.0.1:9/mcp');
  await page.getByTestId('mcp-server-save').click();
  await expect(page.getByTestId('mcp-error-url')).not.toBeEmpty();
  await shoot(page, 'mcp-page', { width: 1440, height: 900 });
  await shoot(page, 'mcp-page', { width: 390, height: 844 });
  expect(await overflowsSideways(page, 'mcp-page')).toBe(false);
});
