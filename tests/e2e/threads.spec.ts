import { expect, test, type Browser } from '@playwright/test';
import { createChannel, shoot, signUp, unique } from './helpers';

const sizes = [
  { label: 'desktop', viewport: { width: 1280, height: 800 } },
  { label: 'phone', viewport: { width: 390, height: 844 } },
];

/** Ada's channel with Bob in it, each in their own browser at `viewport`, both looking at it. */
async function twoInAChannel(browser: Browser, viewport: { width: number; height: number }, name: string) {
  const ada = await (await browser.newContext({ viewport })).newPage();
  const bob = await (await browser.newContext({ viewport })).newPage();
  const bobEmail = `bob-${unique()}@example.com`;
  // Signing up and creating a channel happen at desktop width (the sidebar is a drawer below 768 px, not this spec's subject).
  await ada.setViewportSize({ width: 1280, height: 800 });
  await bob.setViewportSize({ width: 1280, height: 800 });
  await signUp(ada, 'Ada Thread', `ada-${unique()}@example.com`);
  await signUp(bob, 'Bob Thread', bobEmail);
  await createChannel(ada, name);
  await ada.getByTestId('channel-settings').click();
  await ada.locator('[data-testid=invite-form] input[name=email]').fill(bobEmail);
  await ada.locator('[data-testid=invite-form] button[type=submit]').click();
  await expect(ada.getByTestId('member')).toHaveCount(2);
  await ada.keyboard.press('Escape');
  await bob.getByTestId('channel-link').filter({ hasText: name }).click();
  await expect(bob.getByTestId('channel-title')).toHaveText(`# ${name}`);
  await ada.setViewportSize(viewport);
  await bob.setViewportSize(viewport);
  return { ada, bob };
}

// The dev server compiles each route on first use, which on a loaded machine can outlast the
// browser client's 15 s timeout: the routes this spec calls are compiled before it starts.
test.beforeAll(async ({ request }) => {
  test.setTimeout(300_000);
  const id = '01900000-0000-7000-8000-000000000000';
  const routes = [`/api/channels/${id}`, `/api/channels/${id}/members`, `/api/channels/${id}/messages`, `/api/channels/${id}/messages/${id}`, `/api/channels/${id}/threads/unread`, `/api/channels/${id}/threads/${id}/read`, '/api/realtime/token', '/api/channels', `/hub/channels/${id}`];
  for (const route of routes) await request.get(route, { timeout: 240_000, maxRedirects: 0 });
});

for (const { label, viewport } of sizes) {
  test(`a thread conversation between two browsers (${label})`, async ({ browser }) => {
    const { ada, bob } = await twoInAChannel(browser, viewport, `threads-${label}`);
    const dir = `threads/${label}`;

    await ada.getByTestId('composer-input').fill('Shall we ship on Friday?');
    await ada.getByTestId('composer-input').press('Enter');
    const bobParent = bob.getByTestId('message-list').getByTestId('message').filter({ hasText: 'Shall we ship on Friday?' });
    await expect(bobParent).toHaveCount(1);

    // "Reply in thread" is a real button: reached by keyboard focus, opened with Enter.
    // It is one of the message's toolbar actions, not a line of its own under every message.
    const reply = bobParent.getByTestId('message-toolbar').getByTestId('reply-in-thread');
    await expect(bobParent.getByTestId('reply-in-thread')).toHaveCount(1);
    await reply.focus();
    await expect(reply).toBeVisible();
    await reply.press('Enter');
    const bobPanel = bob.getByTestId('thread-panel');
    await expect(bobPanel).toBeVisible();
    await expect(bobPanel.getByTestId('thread-parent')).toContainText('Shall we ship on Friday?');
    await expect(bob).toHaveURL(/[?&]thread=[0-9a-f-]{36}/);
    await expect(bobPanel.getByTestId('thread-input')).toBeFocused();
    await bobPanel.getByTestId('thread-input').fill('Friday works for me');
    await bobPanel.getByTestId('thread-input').press('Enter');
    await expect(bobPanel.getByTestId('thread-replies').getByTestId('message')).toHaveText([/Friday works for me/]);

    // Ada sees the parent's count rise live, with Bob as a participant and the reply unread (she started the thread).
    const adaSummary = ada.getByTestId('message-list').getByTestId('thread-summary');
    await expect(adaSummary.getByTestId('thread-reply-count')).toHaveText('1 reply');
    await expect(adaSummary).toContainText('Bob Thread');
    await expect(adaSummary.getByTestId('thread-unread')).toHaveText('1 new');
    // The reply stays out of the channel's main list.
    await expect(ada.getByTestId('message-list').getByTestId('message')).toHaveCount(1);
    await shoot(ada, `${dir}/ada-unread`, viewport);

    await adaSummary.click();
    const adaPanel = ada.getByTestId('thread-panel');
    await expect(adaPanel.getByTestId('thread-replies').getByTestId('message')).toHaveText([/Friday works for me/]);
    await adaPanel.getByTestId('thread-input').fill('Great, I will tell the team');
    await adaPanel.getByTestId('thread-input').press('Enter');
    // Bob's open panel gets Ada's reply live; both parents say two replies.
    await expect(bobPanel.getByTestId('thread-replies').getByTestId('message')).toHaveText([/Friday works for me/, /Great, I will tell the team/]);
    await expect(bobPanel.getByTestId('thread-count')).toHaveText('2 replies');
    await expect(adaPanel.getByTestId('thread-count')).toHaveText('2 replies');

    // A reaction on a reply in the thread reaches the other browser's open panel live.
    const bobReply = bobPanel.getByTestId('thread-replies').getByTestId('message').filter({ hasText: 'Great, I will tell the team' });
    await bobReply.getByTestId('toolbar-add-reaction').focus();
    await bob.keyboard.press('Enter');
    await bob.getByTestId('reaction-picker').getByRole('button', { name: 'React with 🎉' }).click();
    const adaChip = adaPanel.getByTestId('thread-replies').locator('[data-testid=reaction-chip][data-emoji="🎉"]');
    await expect(adaChip.getByTestId('reaction-count')).toHaveText('1');
    await expect(adaChip).toHaveAttribute('title', 'Bob Thread reacted with 🎉');
    await expect(adaChip).toHaveAttribute('aria-pressed', 'false');
    await shoot(bob, `${dir}/bob-panel`, viewport);
    await shoot(ada, `${dir}/ada-panel`, viewport);
    if (viewport.width >= 768) {
      // A side panel: the channel stays in view beside it, showing the new count.
      await expect(ada.getByTestId('message-list').getByTestId('thread-reply-count')).toHaveText('2 replies');
      await expect(ada.getByTestId('message-list').getByTestId('thread-unread')).toHaveCount(0);
    }

    // A reload keeps the thread open (?thread=); Escape closes it and the address forgets it.
    await bob.reload();
    await expect(bob.getByTestId('thread-panel').getByTestId('thread-replies').getByTestId('message')).toHaveCount(2);
    await bob.keyboard.press('Escape');
    await expect(bob.getByTestId('thread-panel')).toHaveCount(0);
    await expect(bob).not.toHaveURL(/thread=/);
    const bobSummary = bob.getByTestId('message-list').getByTestId('thread-summary');
    await expect(bobSummary.getByTestId('thread-reply-count')).toHaveText('2 replies');
    await expect(bobSummary).toContainText('Bob Thread, Ada Thread');
    await shoot(bob, `${dir}/bob-closed`, viewport);

    await ada.getByTestId('thread-close').click();
    await expect(ada.getByTestId('thread-panel')).toHaveCount(0);
    await expect(ada.getByTestId('message-list').getByTestId('thread-unread')).toHaveCount(0);
  });
}
