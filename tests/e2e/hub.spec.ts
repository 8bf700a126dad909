import { expect, test, type Page } from '@playwright/test';
import { createChannel, signUp, unique } from './helpers';

async function send(page: Page, text: string, rendered = text) {
  await page.getByTestId('composer-input').fill(text);
  await page.getByTestId('composer-input').press('Enter');
  await expect(page.getByTestId('message').filter({ hasText: rendered })).toHaveCount(1);
}

test('two people share a channel: create, invite, talk, edit, delete, remove', async ({ browser }) => {
  const ada = await (await browser.newContext()).newPage();
  const bob = await (await browser.newContext()).newPage();
  const adaEmail = `ada-${unique()}@example.com`;
  const bobEmail = `bob-${unique()}@example.com`;
  await signUp(ada, 'Ada Lovelace', adaEmail);
  await signUp(bob, 'Bob Noyce', bobEmail);

  // Ada creates a channel and invites Bob by email.
  await createChannel(ada, 'launch', 'Ship the hub');
  const channelUrl = ada.url();

  // Before the invite, Bob cannot see it.
  await bob.goto(channelUrl);
  await expect(bob.getByTestId('channel-error')).toContainText('Channel not found');

  await send(ada, 'Welcome **Bob**', 'Welcome Bob');
  // A second line from the same person right after is grouped under the first: one line tall,
  // its time in the avatar's column on one line (a wrapped time once made it two lines tall).
  await send(ada, 'The plan is in the doc');
  const grouped = ada.getByTestId('message').filter({ hasText: 'The plan is in the doc' });
  await expect(grouped).toHaveAttribute('data-compact', 'true');
  await grouped.hover();
  await expect(grouped.getByTestId('compact-time')).toHaveCSS('opacity', '1');
  expect((await grouped.boundingBox())!.height).toBeLessThanOrEqual(36);
  await ada.getByTestId('channel-settings').click();
  await ada.locator('[data-testid=invite-form] input[name=email]').fill(bobEmail);
  await ada.locator('[data-testid=invite-form] button[type=submit]').click();
  await expect(ada.getByTestId('member')).toHaveCount(2);
  await ada.keyboard.press('Escape');

  // Bob now sees the channel in his sidebar, reads the history and answers.
  await bob.goto('/hub');
  await bob.getByTestId('channel-link').filter({ hasText: 'launch' }).click();
  await expect(bob.getByTestId('message').filter({ hasText: 'Welcome Bob' })).toHaveCount(1);
  await expect(bob.locator('[data-testid=message] strong')).toHaveText('Bob');
  await send(bob, 'Hi Ada, tpyo');

  // Bob edits his own message; he has no edit control on Ada's.
  const bobsMessage = bob.getByTestId('message').filter({ hasText: 'Hi Ada, tpyo' });
  await bobsMessage.hover();
  await bobsMessage.getByTestId('edit-message').click();
  await bob.getByTestId('edit-input').fill('Hi Ada, typo fixed');
  await bob.getByTestId('edit-input').press('Enter');
  await expect(bob.getByTestId('message').filter({ hasText: 'typo fixed' }).getByTestId('edited')).toBeVisible();
  const adasMessage = bob.getByTestId('message').filter({ hasText: 'Welcome Bob' });
  await adasMessage.hover();
  await expect(adasMessage.getByTestId('edit-message')).toHaveCount(0);

  // Ada (the owner) sees Bob's edit after a reload and may delete his message.
  await ada.reload();
  const edited = ada.getByTestId('message').filter({ hasText: 'Hi Ada, typo fixed' });
  await expect(edited).toHaveCount(1);
  await edited.hover();
  await edited.getByTestId('delete-message').click();
  await edited.getByTestId('confirm-delete').click();
  await expect(ada.getByTestId('message')).toHaveCount(2);

  // Ada removes Bob: the channel is gone for him.
  await ada.getByTestId('channel-settings').click();
  await ada.getByTestId('member').filter({ hasText: 'Bob Noyce' }).getByTestId('remove-member').click();
  await expect(ada.getByTestId('member')).toHaveCount(1);
  await bob.reload();
  await expect(bob.getByTestId('channel-error')).toContainText('Channel not found');
});

test('theme is dark by default, light one click away, and remembered', async ({ page }) => {
  await signUp(page, 'Theo', `theo-${unique()}@example.com`);
  const html = page.locator('html');
  await expect(html).toHaveClass(/dark/);
  await page.getByTestId('theme-toggle').click();
  await expect(html).not.toHaveClass(/dark/);
  await page.reload();
  await expect(html).not.toHaveClass(/dark/);
  await page.getByTestId('theme-toggle').click();
  await expect(html).toHaveClass(/dark/);
});

test('sign out ends the session; signing in again restores it', async ({ page }) => {
  const email = `sam-${unique()}@example.com`;
  await signUp(page, 'Sam', email);
  await page.getByTestId('sign-out').click();
  await page.waitForURL('**/sign-in');
  await page.goto('/hub');
  await page.waitForURL('**/sign-in');
  await page.fill('#email', email);
  await page.fill('#password', 'wrong password');
  await page.click('[data-testid=auth-submit]');
  await expect(page.getByTestId('auth-error')).toHaveText('Wrong email or password.');
  await page.fill('#password', 'a good long password');
  await page.click('[data-testid=auth-submit]');
  await page.waitForURL('**/hub');
});
