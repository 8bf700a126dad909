/** @jest-environment jsdom */
import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MessageItem } from '@/components/chat/message-item';
import { TypingIndicator } from '@/components/chat/typing-indicator';
import type { Message } from '@/lib/api-types';
import type { ActivityJson } from '@/lib/contracts/abilities';
import { queryKeys } from '@/stores/query-keys';
import { RootStore } from '@/stores/root-store';
import { renderWithStore } from '../helpers/render-hub';

const me = { id: '0190a000-0000-7000-8000-00000000000a', name: 'Rosa', email: 'rosa@example.com' };
const channelId = '0190a000-0000-7000-8000-0000000000c1';
const replyId = '0190a000-0000-7000-8000-0000000000m1';

function reply(status: Message['status'], activities?: ActivityJson[], content = ''): Message {
  return { id: replyId, channelId, author: { kind: 'agent', id: 'agent-1', name: 'Scout', handle: 'scout' }, content, status, ...(activities ? { activities } : {}), createdAt: new Date(0).toISOString() };
}

const research: ActivityJson = { id: 'call_1', tool: 'deep_research', status: 'running', title: 'Researching "how do tides work"' };
const search: ActivityJson = { id: 'call_1:search-1', tool: 'web_search', status: 'done', title: 'Searching the web for "tides"', detail: '3 results' };

describe('the steps of an agent reply', () => {
  it('shows each step live while the reply streams, the inner ones indented, and says in the typing area what the agent is doing', () => {
    const store = new RootStore({ user: me });
    store.queryClient.setQueryData(queryKeys.messages(channelId), { pages: [{ messages: [reply('streaming')], nextCursor: null }], pageParams: [null] });
    renderWithStore(
      store,
      <>
        <ul>
          <MessageItem message={reply('streaming')} canDelete={false} />
        </ul>
        <TypingIndicator channelId={channelId} />
      </>,
    );
    expect(screen.queryByTestId('activity-steps')).toBeNull();
    act(() => store.messages.receiveActivity(channelId, replyId, research));
    act(() => store.messages.receiveActivity(channelId, replyId, search));
    const steps = screen.getAllByTestId('activity');
    expect(steps.map((step) => [step.dataset.tool, step.dataset.status])).toEqual([
      ['deep_research', 'running'],
      ['web_search', 'done'],
    ]);
    expect(steps[1]!.className).toContain('pl-5');
    expect(steps[1]!.textContent).toContain('3 results');
    expect(screen.getByTestId('typing-indicator').textContent).toBe('Scout: Researching "how do tides work"');
    act(() => store.messages.receiveActivity(channelId, replyId, { ...research, status: 'done' }));
    expect(screen.getByTestId('typing-indicator').textContent).toBe('');
  });

  it('folds the steps of an ended reply into one line that opens them, counting failures', async () => {
    const store = new RootStore({ user: me });
    const failed: ActivityJson = { id: 'call_2', tool: 'read_page', status: 'error', title: 'Reading http://example.com', detail: 'The page answered 404.' };
    renderWithStore(
      store,
      <ul>
        <MessageItem message={reply('complete', [{ ...research, status: 'done' }, search, failed], 'Tides come from the Moon [1].')} canDelete={false} />
      </ul>,
    );
    const summary = screen.getByTestId('activity-summary');
    expect(summary.textContent).toContain('Used 2 tools (1 failed)');
    expect(summary.getAttribute('aria-expanded')).toBe('false');
    expect(screen.queryByTestId('activity-steps')).toBeNull();
    await userEvent.click(summary);
    expect(summary.getAttribute('aria-expanded')).toBe('true');
    const steps = within(screen.getByTestId('activity-steps')).getAllByTestId('activity');
    expect(steps).toHaveLength(3);
    expect(steps[2]!.textContent).toContain('The page answered 404.');
  });

  it('shows nothing for a reply that used no tools', () => {
    const store = new RootStore({ user: me });
    renderWithStore(store, <ul><MessageItem message={reply('complete', undefined, 'Hello.')} canDelete={false} /></ul>);
    expect(screen.queryByTestId('activity-summary')).toBeNull();
  });

  it('shows the strip of frames sampled from a video under the folded steps, with the moment of each', () => {
    const store = new RootStore({ user: me });
    const frames = [0, 1500, 3000].map((atMs) => ({ atMs, url: '/api/attachments/a1?frames=1' }));
    renderWithStore(
      store,
      <ul>
        <MessageItem message={reply('complete', [{ id: 'video-a1', tool: 'video', status: 'done', title: 'Watching clip.mp4', frames }], 'A counter.')} canDelete={false} />
      </ul>,
    );
    const strip = screen.getByTestId('frame-strip');
    expect(strip.querySelector('img')!.getAttribute('src')).toBe('/api/attachments/a1?frames=1');
    expect(strip.querySelector('img')!.getAttribute('alt')).toBe('Frames sampled at 0.0 s, 1.5 s, 3.0 s');
    expect(strip.textContent).toContain('clip.mp4 · 0.0 s · 1.5 s · 3.0 s');
  });
});
