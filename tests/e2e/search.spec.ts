import { expect, test, type Page } from '@playwright/test';
import { createChannel, shoot, signUp, unique } from './helpers';

const dir = 'search';
const phone = { width: 390, height: 844 };
const desktop = { width: 1280, height: 800 };

async function post(page: Page, channelId: string, content: string) {
  const res = await page.request.post(`/api/channels/${channelId}/messages`, { data: { content } });
  expect(res.status()).toBe(201);
}

test('search from the box, jump to the message in context, page both ways; Cmd+K opens a channel', async ({ page }) => {
  await page.setViewportSize(desktop);
  await signUp(page, 'Sue Searcher', `sue-${unique()}@example.com`);
  const name = `search-${unique()}`;
  await createChannel(page, name);
  const channelId = /\/hub\/channels\/([^/?]+)/.exec(page.url())![1]!;
  // 90 messages, the one to find among the oldest: jumping there lands far outside the newest page.
  for (let i = 0; i < 90; i++) await post(page, channelId, i === 20 ? 'The quarterly zebra report is ready for <review>' : `filler message number ${i}`);
  const other = `roadmap-${unique()}`;
  await createChannel(page, other);

  // The search box: typed words find the message, its match marked, with channel and author.
  await page.getByTestId('search-input').fill('zebras');
  const result = page.getByTestId('search-result');
  await expect(result).toHaveCount(1);
  await expect(result.locator('mark')).toHaveText('zebra');
  await expect(result.getByTestId('search-result-highlight')).toContainText('ready for <review>');
  await expect(result.getByTestId('search-result-channel')).toHaveText(`#${name}`);
  await expect(result.getByTestId('search-result-author')).toHaveText('Sue Searcher');
  await expect(page.getByTestId('search-input')).toHaveAttribute('aria-expanded', 'true');
  await shoot(page, `${dir}/search-box`, desktop);

  // Enter opens the channel at the message: scrolled into view and highlighted.
  await page.getByTestId('search-input').press('Enter');
  await page.waitForURL(`**/hub/channels/${channelId}?around=*`);
  const target = page.locator('[data-jump-target]');
  await expect(target).toContainText('quarterly zebra report');
  await expect(target).toHaveAttribute('data-jump-target', 'highlighted');
  await expect(target).toBeInViewport();
  await shoot(page, `${dir}/jumped`, desktop);

  // Scrolling up reaches the start of the channel; scrolling down loads the newer pages.
  const list = page.getByTestId('message-list');
  // The page is centred: the 20 older messages there are, the one found, and the 24 newer after it.
  await expect(page.getByTestId('message')).toHaveCount(45);
  await list.evaluate((el) => (el.scrollTop = 0));
  await expect(page.getByTestId('history-start')).toBeVisible();
  for (let i = 0; i < 5 && (await page.getByTestId('message').filter({ hasText: 'filler message number 89' }).count()) === 0; i++) {
    await list.evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.waitForTimeout(300);
  }
  await expect(page.getByTestId('message').filter({ hasText: 'filler message number 89' })).toHaveCount(1);
  await expect(page.getByTestId('message')).toHaveCount(90);

  // The view reached the present, so it is live: a new message arrives at its end, a reaction on the found one shows.
  await post(page, channelId, 'A late arrival after the jump');
  await expect(page.getByTestId('message').last()).toContainText('A late arrival after the jump');
  const jumpedId = await target.getAttribute('data-message-id');
  const reacted = await page.request.put(`/api/channels/${channelId}/messages/${jumpedId}/reactions/${encodeURIComponent('👀')}`);
  expect(reacted.status()).toBe(200);
  await expect(target.locator('[data-testid=reaction-chip][data-emoji="👀"]').getByTestId('reaction-count')).toHaveText('1');
  await shoot(page, `${dir}/jumped`, phone);

  // Cmd+K (Ctrl+K here): the switcher finds the other channel by name; Enter opens it.
  await page.setViewportSize(desktop);
  await page.keyboard.press('ControlOrMeta+k');
  const switcher = page.getByTestId('switcher');
  await expect(switcher).toBeVisible();
  await expect(page.getByTestId('switcher-input')).toBeFocused();
  await page.getByTestId('switcher-input').fill(other.slice(0, 10));
  await expect(page.getByRole('option').first()).toContainText(other);
  await expect(page.getByRole('option').first()).toHaveAttribute('aria-selected', 'true');
  await shoot(page, `${dir}/switcher`, desktop);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('channel-title')).toHaveText(`# ${other}`);
  await expect(switcher).toHaveCount(0);

  // The switcher searches messages too, last; arrows move to them; Escape closes.
  await page.keyboard.press('ControlOrMeta+k');
  await page.getByTestId('switcher-input').fill('zebra');
  const messageOption = page.getByRole('option').filter({ has: page.getByTestId('search-result') });
  await expect(messageOption).toHaveCount(1);
  await shoot(page, `${dir}/switcher-messages`, phone);
  await page.keyboard.press('Escape');
  await expect(switcher).toHaveCount(0);

  // On a phone the search box is in the drawer.
  await page.setViewportSize(phone);
  await page.getByTestId('open-menu').click();
  await page.getByTestId('search-input').fill('quarterly');
  await expect(page.getByTestId('search-result').locator('mark')).toHaveText('quarterly');
  await shoot(page, `${dir}/search-box`, phone);
  await page.getByTestId('search-result').click();
  await expect(page.locator('[data-jump-target]')).toBeInViewport();
});
