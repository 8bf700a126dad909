import { expect, test, type Page } from '@playwright/test';
import { createChannel, shoot, signUp, unique } from './helpers';

/** Where a node sits in the flow's own coordinates (React Flow writes them as the node's translate), whatever the zoom. */
const positionOf = (page: Page, nodeId: string) =>
  page.getByTestId(`rf__node-${nodeId}`).evaluate((el) => {
    const match = /translate\((-?[\d.]+)px,\s*(-?[\d.]+)px\)/.exec((el as HTMLElement).style.transform);
    return match ? { x: Math.round(Number(match[1])), y: Math.round(Number(match[2])) } : null;
  });

/** Drags a node by its header from where it is by (dx, dy) screen pixels, in steps, as a hand would. */
async function drag(page: Page, nodeId: string, dx: number, dy: number) {
  const box = (await page.getByTestId(`rf__node-${nodeId}`).boundingBox())!;
  const from = { x: box.x + 40, y: box.y + 12 };
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + dx / 2, from.y + dy / 2, { steps: 8 });
  await page.mouse.move(from.x + dx, from.y + dy, { steps: 8 });
  await page.mouse.up();
}

test('the team canvas: drag and keyboard moves are kept and seen live, the palette adds, in both themes and sizes', async ({ browser }) => {
  // Two people, many pages compiled on first use by the dev server.
  test.setTimeout(300_000);
  const ada = await (await browser.newContext()).newPage();
  const bob = await (await browser.newContext()).newPage();
  const bobEmail = `bob-${unique()}@example.com`;
  await signUp(ada, 'Ada Canvas', `ada-${unique()}@example.com`);
  await signUp(bob, 'Bob Canvas', bobEmail);

  // Ada's team: an agent and a knowledge base of hers, not in the channel yet.
  const agent = (await (await ada.request.post('/api/agents', { data: { name: 'Scout', handle: `scout-${unique()}`, instructions: 'Find sources.', description: 'Finds and checks sources', abilities: ['web_search'] } })).json()).agent;
  const base = (await (await ada.request.post('/api/knowledge', { data: { name: 'Launch notes', description: 'What we decided' } })).json()).knowledgeBase;

  await createChannel(ada, `canvas-${unique()}`);
  await ada.getByTestId('channel-settings').click();
  await ada.locator('[data-testid=invite-form] input[name=email]').fill(bobEmail);
  await ada.locator('[data-testid=invite-form] button[type=submit]').click();
  await expect(ada.getByTestId('member')).toHaveCount(2);
  await ada.keyboard.press('Escape');
  const channelUrl = ada.url();

  // The switch keeps the view in the address.
  await ada.getByTestId('view-canvas').click();
  await expect(ada).toHaveURL(/[?&]view=canvas/);
  await expect(ada.getByTestId('team-canvas')).toBeVisible();
  await expect(ada.getByTestId('canvas-node')).toHaveCount(3); // two people and the chat

  // The palette by keyboard: Enter on the agent adds it to the channel, at a free spot.
  await ada.getByRole('button', { name: 'Add Scout to the canvas' }).focus();
  await ada.keyboard.press('Enter');
  await expect(ada.getByTestId(`rf__node-agent:${agent.id}`)).toBeVisible();
  await expect(ada.getByTestId(`rf__node-agent:${agent.id}`).getByTestId('agent-status')).toHaveText(/Idle/);
  // The base is dragged from the palette onto the canvas.
  await ada.getByRole('button', { name: 'Add Launch notes to the canvas' }).dragTo(ada.locator('.react-flow__pane'), { targetPosition: { x: 200, y: 400 } });
  await expect(ada.getByTestId(`rf__node-kb:${base.id}`)).toBeVisible();

  await bob.goto(`${channelUrl}?view=canvas`);
  await expect(bob.getByTestId(`rf__node-agent:${agent.id}`)).toBeVisible();
  await expect(bob.getByTestId(`rf__node-kb:${base.id}`)).toContainText('Launch notes');
  await expect(ada.getByTestId('online-count')).toHaveText(/2 online/);

  // Ada drags the chat card: Bob sees it move, without a reload, to where she left it.
  const before = (await positionOf(ada, 'chat'))!;
  await drag(ada, 'chat', -220, 140);
  const after = (await positionOf(ada, 'chat'))!;
  expect(Math.abs(after.x - before.x) + Math.abs(after.y - before.y)).toBeGreaterThan(100);
  await expect.poll(() => positionOf(bob, 'chat')).toEqual(after);

  // Reloaded, it is where it was left.
  await ada.reload();
  await expect(ada.getByTestId('team-canvas')).toBeVisible();
  await expect.poll(() => positionOf(ada, 'chat')).toEqual(after);

  // The keyboard: focus Bob's card, select it with Enter, move it right three times and down once with Shift.
  const bobId = await bob.evaluate(async () => (await (await fetch('/api/me')).json()).user.id as string);
  const person = ada.getByTestId(`rf__node-user:${bobId}`);
  const start = (await positionOf(ada, `user:${bobId}`))!;
  await person.focus();
  await ada.keyboard.press('Enter');
  await expect(person).toHaveClass(/selected/);
  for (const key of ['ArrowRight', 'ArrowRight', 'ArrowRight', 'Shift+ArrowDown']) await ada.keyboard.press(key);
  const moved = { x: start.x + 15, y: start.y + 20 };
  await expect.poll(() => positionOf(ada, `user:${bobId}`)).toEqual(moved);
  await expect.poll(() => positionOf(bob, `user:${bobId}`)).toEqual(moved);
  await bob.reload();
  await expect.poll(() => positionOf(bob, `user:${bobId}`)).toEqual(moved);

  // A note, written by Bob, read by Ada.
  await bob.getByRole('button', { name: 'Add Sticky note to the canvas' }).click();
  const note = bob.getByTestId('note-text');
  await note.fill('Ship on Friday');
  await note.blur();
  await expect(ada.getByTestId('note-text')).toHaveValue('Ship on Friday');

  // Connect the base to Ada's agent: the edge between them is drawn.
  const from = (await ada.getByTestId(`rf__node-kb:${base.id}`).locator('[data-handleid="source-bottom"]').boundingBox())!;
  const to = (await ada.getByTestId(`rf__node-agent:${agent.id}`).locator('[data-handleid="target-top"]').boundingBox())!;
  await ada.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await ada.mouse.down();
  await ada.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 12 });
  await ada.mouse.up();
  await expect(ada.getByTestId(`rf__edge-knowledge:agent:${agent.id}->kb:${base.id}`)).toBeVisible();
  await expect(ada.getByTestId(`rf__node-agent:${agent.id}`).getByLabel('Knowledge bases')).toHaveText('Launch notes');

  // A goal run: its checklist joins the canvas, with the task given to Scout drawn from it, and its messages reach the chat card.
  const channelId = channelUrl.split('/').pop()!;
  const started = await ada.request.post(`/api/channels/${channelId}/runs`, { data: { goal: 'Draft the launch post' } });
  expect(started.status()).toBe(201);
  const run = (await started.json()).run;
  await expect(ada.getByTestId(`rf__node-run:${run.id}`)).toContainText('Draft the launch post');
  await expect(ada.getByTestId(`rf__edge-task:run:${run.id}->agent:${agent.id}`)).toBeVisible();
  await expect(bob.getByTestId(`rf__edge-task:run:${run.id}->agent:${agent.id}`)).toBeVisible();
  await expect(ada.getByTestId('mini-chat-message').first()).toBeVisible();

  // Looked at: both sizes, both themes; at 390 px the palette folds away behind a button.
  await ada.getByRole('button', { name: 'Fit View' }).click();
  await shoot(ada, 'canvas-dark', { width: 1440, height: 900 });
  await shoot(ada, 'canvas-dark', { width: 390, height: 844 });
  await expect(ada.getByTestId('palette-panel')).toBeHidden();
  await ada.getByTestId('palette-toggle').click();
  await expect(ada.getByTestId('palette-panel')).toBeVisible();
  await shoot(ada, 'canvas-dark-palette', { width: 390, height: 844 });
  await ada.getByTestId('palette-toggle').click();
  await ada.setViewportSize({ width: 1440, height: 900 });
  await ada.getByTestId('theme-toggle').click();
  await expect(ada.locator('html')).not.toHaveClass(/dark/);
  await shoot(ada, 'canvas-light', { width: 1440, height: 900 });
  await shoot(ada, 'canvas-light', { width: 390, height: 844 });
  expect(await ada.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
});
