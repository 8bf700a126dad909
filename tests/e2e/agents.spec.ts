import { expect, test } from '@playwright/test';
import { createChannel, signUp, unique } from './helpers';

test('build an agent, bring it into a channel, @mention it, and watch it answer (offline model)', async ({ page }) => {
  const id = unique();
  await signUp(page, 'Ada', `ada-${id}@example.com`);

  // The roster: create an agent; the handle follows the name until edited.
  await page.getByTestId('agents-link').click();
  await page.waitForURL('**/hub/agents');
  await page.getByTestId('new-agent').click();
  await page.fill('#agent-name', 'Research Bot');
  await expect(page.locator('#agent-handle')).toHaveValue('research-bot');
  await page.fill('#agent-description', 'Finds sources and cites them');
  await page.fill('#agent-instructions', 'You are a meticulous researcher.');
  await page.getByTestId('agent-save').click();
  await expect(page.getByTestId('agent-card')).toHaveCount(1);
  await expect(page.getByTestId('agent-card')).toContainText('@research-bot');

  // Into a channel, listed with a badge.
  await createChannel(page, `research-${id}`, 'Answer questions with sources');
  await page.getByTestId('channel-settings').click();
  await page.locator('[data-testid=add-agent-form] button[type=submit]').click();
  await expect(page.getByTestId('agent-member-badge')).toHaveCount(1);
  await page.keyboard.press('Escape');

  // The composer completes @handles.
  const input = page.getByTestId('composer-input');
  await input.fill('@res');
  await expect(page.getByTestId('mention-option')).toHaveText(/@research-bot/);
  await input.press('Enter');
  await expect(input).toHaveValue('@research-bot ');
  await input.pressSequentially('what is PGlite?');
  await input.press('Enter');

  // The reply streams in under the agent's name and ends complete, labelled as offline.
  const reply = page.getByTestId('message').filter({ has: page.getByTestId('agent-badge') });
  await expect(reply).toHaveCount(1);
  await expect(reply).toContainText('Research Bot');
  await expect(reply).toContainText('[offline model]', { timeout: 10_000 });
  await expect(reply).toContainText('what is PGlite?');
  await expect(reply.getByTestId('stop-reply')).toHaveCount(0, { timeout: 10_000 });
  await expect(reply.getByTestId('thinking')).toHaveCount(0);

  // It survives a reload (stored complete, not just streamed).
  await page.reload();
  await expect(page.getByTestId('message').filter({ has: page.getByTestId('agent-badge') })).toContainText('[offline model]');
});
