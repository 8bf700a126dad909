import { expect, test, type Locator, type Page } from '@playwright/test';
import { createChannel, overflowsSideways, shoot, signUp, unique } from './helpers';

const desktop = { width: 1440, height: 900 };
const phone = { width: 390, height: 844 };

/**
 * The same view in the dark theme (the default) and the light one, at both sizes; back to dark
 * after. A view over the page (a modal, which keeps the theme toggle out of reach) is closed for
 * the toggle and opened again by `reopen`; `subject` is brought into view at each size, and
 * `show` shows what a resize hides (a tooltip).
 */
async function shootThemes(
  page: Page,
  name: string,
  { overlay, subject, show }: { overlay?: { close: () => Promise<void>; reopen: () => Promise<void> }; subject?: Locator; show?: () => Promise<void> } = {},
) {
  const toggle = async (dark: boolean) => {
    await page.setViewportSize(desktop);
    await overlay?.close();
    await page.getByTestId('theme-toggle').click();
    await expect(page.locator('html')).toHaveClass(dark ? /dark/ : /^(?!.*dark)/);
    await overlay?.reopen();
  };
  const at = async (theme: string, size: typeof desktop) => {
    await page.setViewportSize(size);
    await subject?.scrollIntoViewIfNeeded();
    await show?.();
    await shoot(page, `${name}-${theme}`, size);
  };
  await at('dark', desktop);
  await at('dark', phone);
  await toggle(false);
  await at('light', desktop);
  await at('light', phone);
  await toggle(true);
}

test('give a channel of two agents a goal, watch the checklist to its summary, then start another and stop it (offline model)', async ({ page }) => {
  const id = unique();
  await page.setViewportSize(desktop);
  await signUp(page, 'Ada', `ada-runs-${id}@example.com`);
  await createChannel(page, `launch-${id}`, 'Ship the launch');
  const channelId = page.url().split('/').at(-1)!;
  for (const [name, handle, description] of [
    ['Scout', 'scout', 'Research: finds facts and sources'],
    ['Quill', 'quill', 'Writing: drafts posts and copy'],
  ]) {
    const created = await page.request.post('/api/agents', { data: { name, handle, description, instructions: `You are ${name}.` } });
    expect(created.status()).toBe(201);
    const agent = (await created.json()).agent;
    expect((await page.request.post(`/api/channels/${channelId}/members`, { data: { agentId: agent.id } })).status()).toBe(201);
  }
  await page.reload();
  await expect(page.getByTestId('channel-settings')).toContainText('3 members');

  // The Goal form: the goal, the budget with the hub's defaults as placeholders.
  await page.getByTestId('goal-button').click();
  const form = page.getByTestId('start-run-form');
  await expect(form).toBeVisible();
  await expect(form.getByLabel('Steps')).toHaveAttribute('placeholder', '40');
  await form.getByLabel('Goal').fill('Draft the launch post');
  await shootThemes(page, 'run-start-modal', {
    overlay: {
      close: async () => {
        await page.keyboard.press('Escape');
        await expect(form).toBeHidden();
      },
      reopen: async () => {
        await page.getByTestId('goal-button').click();
        await form.getByLabel('Goal').fill('Draft the launch post');
      },
    },
  });
  await form.getByTestId('start-run-submit').click();
  await expect(form).toBeHidden();
  // While it works (planning or running, whichever the shot catches): the banner over the composer and the live checklist.
  await expect(page.getByTestId('active-run-banner')).toContainText('Draft the launch post');
  await shoot(page, 'run-active-dark', desktop);
  await shoot(page, 'run-active-dark', phone);
  await page.setViewportSize(desktop);

  // The run's message shows the checklist, which follows the run live to its summary.
  await expect(page.getByTestId('run-checklist')).toHaveCount(1);
  const checklist = page.getByRole('region', { name: 'Draft the launch post' });
  await expect(checklist.getByTestId('run-goal')).toHaveText('Draft the launch post');
  await expect(checklist).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  const tasks = checklist.getByTestId('run-task');
  await expect(tasks).toHaveCount(2);
  for (const task of await tasks.all()) await expect(task).toHaveAttribute('data-status', 'done');
  await expect(checklist.getByTestId('run-summary')).toContainText('[offline supervisor] Goal: Draft the launch post. 2 of 2 tasks done.');
  await expect(page.getByTestId('active-run-banner')).toHaveCount(0);
  // Each task's reply says which task it is.
  await expect(page.getByTestId('run-task-tag')).toHaveText([/^Task 1 · /, /^Task 2 · /]);
  await checklist.getByTestId('run-task-result-toggle').first().click();
  await expect(checklist.getByTestId('run-task-result').first()).toBeVisible();
  await shootThemes(page, 'run-done', { subject: checklist });
  expect(await overflowsSideways(page, 'message-list')).toBe(false);

  // Stopping a run that has ended changes nothing (and has the dev server compile the stop
  // route now, not in the moments the next run is still working).
  const firstId = await checklist.getAttribute('data-run-id');
  const late = await page.request.post(`/api/channels/${channelId}/runs/${firstId}/stop`);
  expect((await late.json()).run.status).toBe('done');

  // Another, by /goal, stopped from the banner above the composer while it works.
  const input = page.getByTestId('composer-input');
  await input.fill('/goal Write the release notes');
  await expect(page.getByTestId('goal-command-hint')).toHaveText('Enter starts a goal run with this goal');
  await input.press('Enter');
  const banner = page.getByTestId('active-run-banner');
  await expect(banner).toContainText('Write the release notes');
  const second = page.getByRole('region', { name: 'Write the release notes' });
  await expect(second).toHaveAttribute('data-testid', 'run-checklist');
  await banner.getByTestId('stop-run').click();
  await expect(second).toHaveAttribute('data-status', 'stopped');
  await expect(second.getByTestId('run-stop-reason')).toHaveText('Stopped by Ada.');
  await expect(banner).toHaveCount(0);
  await expect(checklist).toHaveAttribute('data-status', 'done');
  // The reply the stop cut short says so, with no Retry: attempts are the run's to make.
  await expect(page.getByTestId('reply-error').last()).toHaveText(/Stopped/);
  await expect(page.getByTestId('retry-reply')).toHaveCount(0);

  // Both survive a reload, as the server stored them.
  await page.reload();
  await expect(page.getByTestId('run-checklist')).toHaveCount(2);
  await expect(checklist).toHaveAttribute('data-status', 'done');
  await expect(second).toHaveAttribute('data-status', 'stopped');
  await shootThemes(page, 'run-stopped', { subject: second });
});

test("an orchestrator's choice on each person's message, live in another tab: quiet, its reason on hover and on keyboard focus", async ({ page, context }) => {
  const id = unique();
  await page.setViewportSize(desktop);
  await signUp(page, 'Ada', `ada-routing-${id}@example.com`);
  await createChannel(page, `team-${id}`);
  const channelUrl = page.url();
  const channelId = channelUrl.split('/').at(-1)!;
  const created = await page.request.post('/api/agents', { data: { name: 'Scout', handle: 'scout', description: 'Research: finds facts and sources', instructions: 'You are Scout.' } });
  const scout = (await created.json()).agent;
  expect((await page.request.post(`/api/channels/${channelId}/members`, { data: { agentId: scout.id } })).status()).toBe(201);
  expect((await page.request.patch(`/api/channels/${channelId}`, { data: { answerMode: 'orchestrator' } })).status()).toBe(200);
  await page.reload();
  // A second tab of the channel, open while the messages are sent: the choices reach it live.
  const other = await context.newPage();
  await other.setViewportSize(desktop);
  await other.goto(channelUrl);
  await expect(other.getByTestId('history-start')).toBeVisible();
  await expect(other.getByTestId('online-count')).toHaveText(/1 online/);

  const input = page.getByTestId('composer-input');
  await input.fill('Thanks, everyone!');
  await input.press('Enter');
  await expect(page.getByTestId('message')).toHaveCount(1);
  await input.fill('Find sources on how tides work');
  await input.press('Enter');
  const people = other.getByTestId('message').filter({ hasNot: other.getByTestId('agent-badge') });
  const nobody = people.filter({ hasText: 'Thanks, everyone!' }).getByTestId('routing-indicator');
  const toScout = people.filter({ hasText: 'Find sources' }).getByTestId('routing-indicator');
  await expect(nobody).toHaveText('→ nobody');
  await expect(toScout).toHaveText('→ Scout');
  // Only the routed message is answered.
  await expect(other.getByTestId('message').filter({ has: other.getByTestId('agent-badge') })).toHaveCount(1);
  await expect(other.getByRole('tooltip')).toHaveCount(0);

  await nobody.focus();
  await expect(other.getByRole('tooltip')).toHaveText('The orchestrator chose no agent: Small talk: no agent is needed');
  await shootThemes(other, 'routing-nobody', {
    subject: nobody,
    show: async () => {
      await nobody.blur();
      await nobody.focus();
      await expect(other.getByRole('tooltip')).toBeVisible();
    },
  });
  await other.keyboard.press('Escape');
  await expect(other.getByRole('tooltip')).toHaveCount(0);
  await toScout.hover();
  await expect(other.getByRole('tooltip')).toHaveText(/^The orchestrator chose Scout: Scout's specialization matches .*"sources"/);
  await shoot(other, 'routing-scout-dark', desktop);
  await shoot(other, 'routing-scout-dark', phone);

  // The sender's own tab shows them too once the history is read again (see the report: its send answer, without the choice, lands after it).
  await page.reload();
  await expect(page.getByTestId('routing-indicator')).toHaveText(['→ nobody', '→ Scout']);
});
