import { expect, test, type Page } from '@playwright/test';
import { createChannel, shoot, signUp, unique } from './helpers';

const chip = (page: Page, emoji: string) => page.locator(`[data-testid=reaction-chip][data-emoji="${emoji}"]`);

test('a reaction added in one browser appears live in the other, and counts 2 when the other adds it too', async ({ browser }) => {
  const ada = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  const bob = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  const bobEmail = `bob-${unique()}@example.com`;
  await signUp(ada, 'Ada React', `ada-${unique()}@example.com`);
  await signUp(bob, 'Bob React', bobEmail);

  await createChannel(ada, 'reactions');
  await ada.getByTestId('channel-settings').click();
  await ada.locator('[data-testid=invite-form] input[name=email]').fill(bobEmail);
  await ada.locator('[data-testid=invite-form] button[type=submit]').click();
  await expect(ada.getByTestId('member')).toHaveCount(2);
  await ada.keyboard.press('Escape');
  await bob.getByTestId('channel-link').filter({ hasText: 'reactions' }).click();
  await expect(ada.getByTestId('online-count')).toHaveText(/2 online/);

  // Two messages in a row (one group), the second with what reading comfort covers.
  await ada.getByTestId('composer-input').fill('Release notes are up');
  await ada.getByTestId('composer-input').press('Enter');
  const rich = [
    'Numbers, and <b>this</b> stays as typed:',
    '',
    '| Plan | Seats | Price |',
    '| :--- | ---: | ---: |',
    '| Team | 10 | 8 € |',
    '| Enterprise with a long name | 500 | ask |',
    '',
    '```ts',
    'export function total(items: { price: number }[]): number {',
    '  return items.reduce((sum, item) => sum + item.price, 0); // cents',
    '}',
    '```',
    '![tracking pixel](https://tracker.example/p.gif)',
  ].join('\n');
  await ada.getByTestId('composer-input').fill(rich);
  await ada.getByTestId('composer-input').press('Enter');
  const adaMessage = ada.getByTestId('message').filter({ hasText: 'Release notes are up' });
  await expect(adaMessage).toHaveCount(1);
  await expect(ada.getByTestId('message').nth(1)).toHaveAttribute('data-compact', 'true');
  await expect(ada.getByTestId('date-separator')).toHaveText('Today');
  await expect(ada.getByTestId('code-block').locator('.hljs-keyword').first()).toHaveText('export');
  await expect(ada.getByTestId('refused-image')).toHaveText('Image: tracking pixel');
  await expect(ada.getByTestId('message').nth(1)).toContainText('<b>this</b> stays as typed');

  // Ada reacts from the keyboard: focus the toolbar's button, open the picker, pick.
  await adaMessage.getByTestId('toolbar-add-reaction').focus();
  await ada.keyboard.press('Enter');
  await ada.getByTestId('reaction-picker').getByRole('button', { name: 'React with 👍' }).click();
  await expect(chip(ada, '👍').getByTestId('reaction-count')).toHaveText('1');
  await expect(chip(ada, '👍')).toHaveAttribute('aria-pressed', 'true');

  // Bob sees it without a reload, not as his.
  const bobMessage = bob.getByTestId('message').filter({ hasText: 'Release notes are up' });
  await expect(chip(bob, '👍').getByTestId('reaction-count')).toHaveText('1');
  await expect(chip(bob, '👍')).toHaveAttribute('aria-pressed', 'false');
  await expect(chip(bob, '👍')).toHaveAttribute('title', 'Ada React reacted with 👍');

  // Bob adds the same one: 2 on both sides, each highlighted for Bob only... and for Ada, hers.
  await chip(bob, '👍').click();
  await expect(chip(bob, '👍').getByTestId('reaction-count')).toHaveText('2');
  await expect(chip(ada, '👍').getByTestId('reaction-count')).toHaveText('2');
  await expect(chip(ada, '👍')).toHaveAttribute('title', 'You and Bob React reacted with 👍');

  // Bob types any emoji in the picker; Ada sees it arrive.
  await bobMessage.getByTestId('add-reaction').click();
  await bob.getByTestId('picker-input').fill('🦄');
  await bob.getByTestId('picker-input').press('Enter');
  await expect(chip(ada, '🦄').getByTestId('reaction-count')).toHaveText('1');

  // Kept: a reload shows the same counts from history.
  await bob.reload();
  await expect(chip(bob, '👍').getByTestId('reaction-count')).toHaveText('2');
  await expect(chip(bob, '👍')).toHaveAttribute('aria-pressed', 'true');

  // Ada takes hers back: 1 for both.
  await chip(ada, '👍').click();
  await expect(chip(bob, '👍').getByTestId('reaction-count')).toHaveText('1');

  await adaMessage.hover();
  await shoot(ada, 'reactions/chat-dark', { width: 1440, height: 900 });
  await shoot(ada, 'reactions/chat-dark', { width: 390, height: 844 });
  await ada.setViewportSize({ width: 1440, height: 900 });
  await ada.getByTestId('theme-toggle').click();
  await expect(ada.locator('html')).not.toHaveClass(/dark/);
  await adaMessage.getByTestId('toolbar-add-reaction').click();
  await expect(ada.getByTestId('reaction-picker')).toBeVisible();
  // The channel's first message has no room above it: the picker opens below, inside the list.
  await expect(ada.getByTestId('reaction-picker')).toHaveAttribute('data-placement', 'below');
  const picker = (await ada.getByTestId('reaction-picker').boundingBox())!;
  const list = (await ada.getByTestId('message-list').boundingBox())!;
  expect(picker.y).toBeGreaterThanOrEqual(list.y);
  expect(picker.y + picker.height).toBeLessThanOrEqual(list.y + list.height);
  await shoot(ada, 'reactions/chat-light-picker', { width: 1440, height: 900 });
  await ada.keyboard.press('Escape');
  await expect(ada.getByTestId('reaction-picker')).toHaveCount(0);
  await shoot(ada, 'reactions/chat-light', { width: 390, height: 844 });
});
