import fs from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { createChannel, shoot, shots, signUp, unique } from './helpers';

fs.mkdirSync(`${shots}/dms`, { recursive: true });

// The dev server compiles each route on first use, which on a busy machine outlasts the browser
// client's 15 s timeout: compile the ones these specs reach before any browser calls them.
test.beforeAll(async ({ request }) => {
  test.setTimeout(300_000);
  for (const path of ['/api/dms', '/api/dms/contacts', '/api/channels/x/read', '/api/channels/x/invitations', '/api/channels/x/members', '/api/agents', '/api/channels']) {
    expect((await request.get(path, { timeout: 240_000 })).status()).toBeLessThan(500);
  }
  await request.get('/hub/channels/x', { timeout: 240_000 });
  await request.get('/hub/agents', { timeout: 240_000 });
});

/** At phone width the sidebar is a drawer: open it to show the badges. */
async function shootWithSidebar(page: Page, name: string) {
  await shoot(page, name, phone);
  const menu = page.getByTestId('open-menu');
  if (await menu.isVisible()) {
    await menu.click();
    await shoot(page, `${name}-drawer`, phone);
    await page.keyboard.press('Escape');
  }
  await page.setViewportSize(desktop);
}

const desktop = { width: 1280, height: 800 };
const phone = { width: 390, height: 844 };

test("an agent's Test button opens a direct message with it, and it answers without an @mention", async ({ page }) => {
  const id = unique();
  await signUp(page, 'Ada Builder', `ada-${id}@example.com`);
  await page.getByTestId('agents-link').click();
  await page.waitForURL('**/hub/agents');
  await page.getByTestId('new-agent').click();
  await page.fill('#agent-name', 'Tester Bot');
  await page.fill('#agent-description', 'Answers questions about release checklists');
  await page.fill('#agent-instructions', 'Be brief.');
  await page.getByTestId('agent-test').click();

  // Created, then straight into the DM: named after the agent, listed under Direct messages.
  await page.waitForURL('**/hub/channels/**');
  const dmUrl = page.url();
  await expect(page.getByTestId('channel-title')).toHaveText('Tester Bot');
  await expect(page.getByTestId('dm-list').getByTestId('dm-link')).toHaveText(/Tester Bot/);

  await page.getByTestId('composer-input').fill('what goes on a release checklist?');
  await page.getByTestId('composer-input').press('Enter');
  const reply = page.getByTestId('message').filter({ has: page.getByTestId('agent-badge') });
  await expect(reply).toHaveCount(1);
  await expect(reply).toContainText('[offline model]', { timeout: 10_000 });
  await shoot(page, 'dms/agent-dm', desktop);
  await shoot(page, 'dms/agent-dm', phone);
  await page.setViewportSize(desktop);

  // The roster's Test opens the same conversation, not a second one.
  await page.getByTestId('agents-link').click();
  await page.waitForURL('**/hub/agents');
  await page.getByTestId('test-agent').click();
  await page.waitForURL(dmUrl);
  await expect(page.getByTestId('message')).toHaveCount(2);
  await expect(page.getByTestId('dm-link')).toHaveCount(1);
});

test('a mention shows as its own badge in the other browser, counts in the tab title, and clears once read', async ({ browser }) => {
  const id = unique();
  const ada = await (await browser.newContext()).newPage();
  const bob = await (await browser.newContext()).newPage();
  const bobEmail = `bob-${id}@example.com`;
  await signUp(ada, 'Ada Mentions', `ada-${id}@example.com`);
  await signUp(bob, 'Bob Mentioned', bobEmail);

  await createChannel(ada, `shared-${id}`);
  await ada.getByTestId('channel-settings').click();
  await ada.locator('[data-testid=invite-form] input[name=email]').fill(bobEmail);
  await ada.locator('[data-testid=invite-form] button[type=submit]').click();
  await expect(ada.getByTestId('member')).toHaveCount(2);
  // An email with no account: a pending invitation, said to need a sign-up.
  await ada.locator('[data-testid=invite-form] input[name=email]').fill(`later-${id}@example.com`);
  await ada.locator('[data-testid=invite-form] button[type=submit]').click();
  await expect(ada.getByTestId('settings-notice')).toHaveText(/They'll join when they sign up with this email\./);
  await expect(ada.getByTestId('invitation')).toHaveCount(1);
  await shoot(ada, 'dms/invitation', desktop);
  await ada.keyboard.press('Escape');

  // Bob is elsewhere when Ada writes: one plain message, one that mentions him.
  await createChannel(bob, `elsewhere-${id}`);
  const shared = bob.getByTestId('channel-link').filter({ hasText: `shared-${id}` });
  await expect(shared).toHaveCount(1);
  await ada.getByTestId('composer-input').fill('morning, everyone');
  await ada.getByTestId('composer-input').press('Enter');
  await ada.getByTestId('composer-input').fill('@Bob can you review the plan?');
  await ada.getByTestId('composer-input').press('Enter');

  await expect(shared.getByTestId('unread-badge')).toHaveText('2');
  await expect(shared.getByTestId('mention-badge')).toHaveText('@1');
  await expect(bob).toHaveTitle(/^\(1\) /);

  // A DM from Ada: Bob's sidebar gains it, with its unread message counted in the title too.
  await ada.getByTestId('new-message').click();
  await ada.getByTestId('dm-person').filter({ hasText: 'Bob Mentioned' }).click();
  await ada.waitForURL('**/hub/channels/**');
  await expect(ada.getByTestId('channel-title')).toHaveText('Bob Mentioned');
  await ada.getByTestId('composer-input').fill('a word in private');
  await ada.getByTestId('composer-input').press('Enter');
  const dm = bob.getByTestId('dm-link').filter({ hasText: 'Ada Mentions' });
  await expect(dm).toHaveCount(1);
  await expect(dm.getByTestId('unread-badge')).toHaveText('1');
  await expect(bob).toHaveTitle(/^\(2\) /);
  await shoot(bob, 'dms/mention-badge', desktop);
  await shootWithSidebar(bob, 'dms/mention-badge');

  // Opening the channel reads it: the badges go, and stay gone after a reload (the server keeps it).
  await shared.click();
  await expect(bob.getByTestId('message').filter({ hasText: 'review the plan' })).toHaveCount(1);
  await expect(shared.getByTestId('mention-badge')).toHaveCount(0);
  await expect(shared.getByTestId('unread-badge')).toHaveCount(0);
  await expect(bob).toHaveTitle(/^\(1\) /);
  await dm.click();
  await expect(bob.getByTestId('message').filter({ hasText: 'a word in private' })).toHaveCount(1);
  await expect(bob).not.toHaveTitle(/^\(\d+\) /);
  await bob.reload();
  await expect(bob.getByTestId('channel-link').filter({ hasText: `shared-${id}` })).toHaveCount(1);
  await expect(bob.getByTestId('mention-badge')).toHaveCount(0);
  await expect(bob.getByTestId('unread-badge')).toHaveCount(0);
});
