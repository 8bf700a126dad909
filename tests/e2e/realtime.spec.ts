import { expect, test } from '@playwright/test';
import { createChannel, signUp, unique } from './helpers';

test('a message sent in one browser appears in the other without a reload', async ({ browser }) => {
  const ada = await (await browser.newContext()).newPage();
  const bob = await (await browser.newContext()).newPage();
  const bobEmail = `bob-${unique()}@example.com`;
  await signUp(ada, 'Ada Live', `ada-${unique()}@example.com`);
  await signUp(bob, 'Bob Live', bobEmail);

  await createChannel(ada, 'live');
  await ada.getByTestId('channel-settings').click();
  await ada.locator('[data-testid=invite-form] input[name=email]').fill(bobEmail);
  await ada.locator('[data-testid=invite-form] button[type=submit]').click();
  await expect(ada.getByTestId('member')).toHaveCount(2);
  await ada.keyboard.press('Escape');

  // Bob's sidebar gains the channel by itself (channel:added), and he opens it.
  await bob.getByTestId('channel-link').filter({ hasText: 'live' }).click();
  await expect(bob.getByTestId('channel-title')).toHaveText('# live');
  await expect(ada.getByTestId('online-count')).toHaveText(/2 online/);

  await ada.getByTestId('composer-input').fill('Hello Bob, in real time');
  await ada.getByTestId('composer-input').press('Enter');
  await expect(bob.getByTestId('message').filter({ hasText: 'Hello Bob, in real time' })).toHaveCount(1);

  // Typing shows on the other side.
  await bob.getByTestId('composer-input').pressSequentially('Hi A', { delay: 50 });
  await expect(ada.getByTestId('typing-indicator')).toHaveText('Bob Live is typing…');
  await bob.getByTestId('composer-input').press('Enter');
  await expect(ada.getByTestId('message').filter({ hasText: 'Hi A' })).toHaveCount(1);
  // Exactly once each, on both sides.
  await expect(bob.getByTestId('message')).toHaveCount(2);
  await expect(ada.getByTestId('message')).toHaveCount(2);

  // Bob moves to another channel: Ada's next message shows as unread in his sidebar.
  await createChannel(bob, 'elsewhere');
  await expect(bob.getByTestId('channel-title')).toHaveText('# elsewhere');
  await ada.getByTestId('composer-input').fill('are you there?');
  await ada.getByTestId('composer-input').press('Enter');
  await expect(bob.getByTestId('channel-link').filter({ hasText: 'live' }).getByTestId('unread-badge')).toHaveText('1');
  await bob.getByTestId('channel-link').filter({ hasText: 'live' }).click();
  await expect(bob.getByTestId('message').filter({ hasText: 'are you there?' })).toHaveCount(1);
  await expect(bob.getByTestId('unread-badge')).toHaveCount(0);
});
