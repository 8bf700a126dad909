/** @jest-environment ./tests/helpers/jsdom-env.cjs */
import { QueryClientProvider } from '@tanstack/react-query';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Composer, mentionAt } from '@/components/chat/composer';
import { MessageItem } from '@/components/chat/message-item';
import type { Member, Message } from '@/lib/api-types';
import { StoreContext } from '@/stores/context';
import { createQueryClient, RootStore } from '@/stores/root-store';
import { queryKeys } from '@/stores/query-keys';
import type { HistoryData } from '@/stores/message-store';
import { renderWithStore } from '../helpers/render-hub';

const me = { id: '0190a000-0000-7000-8000-00000000000a', name: 'Rosa', email: 'rosa@example.com' };
const agent = (handle: string, name: string): Member => ({ id: `id-${handle}`, kind: 'agent', name, handle, avatar: null, role: 'member', joinedAt: new Date(0).toISOString() });

describe('@mention autocomplete', () => {
  it('finds the @partial before the caret', () => {
    expect(mentionAt('ask @res', 8)).toEqual({ start: 4, query: 'res' });
    expect(mentionAt('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionAt('mail a@res', 10)).toBeNull();
    expect(mentionAt('ask @res now', 12)).toBeNull();
  });

  it('suggests the channel’s agents, completes with Enter or a click, and closes on Escape', async () => {
    const store = new RootStore({ user: me });
    renderWithStore(store, <Composer channelId="c1" channelName="team" agents={[agent('researcher', 'Researcher'), agent('writer', 'Writer'), agent('reviewer', 'Reviewer')]} />);
    const input = screen.getByTestId('composer-input') as HTMLTextAreaElement;
    await userEvent.click(input);
    await userEvent.type(input, 'hey @re');
    expect(screen.getAllByTestId('mention-option').map((o) => o.textContent)).toEqual(['R@researcherResearcher', 'R@reviewerReviewer']);
    await userEvent.keyboard('{ArrowDown}{Enter}');
    expect(input.value).toBe('hey @reviewer ');
    expect(screen.queryByTestId('mention-suggestions')).toBeNull();
    // Enter with no suggestion open sends as usual; nothing was sent by the completion.
    expect(store.messages.outbox.size).toBe(0);

    // The caret is placed after the completion on the next frame, as in a browser.
    await act(() => new Promise((resolve) => requestAnimationFrame(resolve)));
    expect(input.selectionStart).toBe('hey @reviewer '.length);
    await userEvent.type(input, 'and @w', { initialSelectionStart: input.selectionStart!, initialSelectionEnd: input.selectionStart! });
    fireEvent.mouseDown(screen.getByTestId('mention-option'));
    expect(input.value).toBe('hey @reviewer and @writer ');
    await userEvent.type(input, '@');
    expect(screen.getAllByTestId('mention-option')).toHaveLength(3);
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByTestId('mention-suggestions')).toBeNull();
  });
});

describe('an agent’s reply in the message list', () => {
  const base: Message = {
    id: '0190a000-0000-7000-8000-000000000001',
    channelId: 'c1',
    author: { kind: 'agent', id: 'id-planner', name: 'Planner', handle: 'planner', avatar: null },
    content: '',
    status: 'streaming',
    createdAt: new Date(0).toISOString(),
  };

  function setup() {
    const queryClient = createQueryClient();
    const store = new RootStore({ user: me, queryClient });
    const history = (message: Message): HistoryData => ({ pages: [{ messages: [message], nextCursor: null }], pageParams: [undefined] });
    queryClient.setQueryData<HistoryData>(queryKeys.messages('c1'), history(base));
    const Current = () => <MessageItem message={queryClient.getQueryData<HistoryData>(queryKeys.messages('c1'))!.pages[0]!.messages[0]!} canDelete={false} />;
    const ui = () => (
      <StoreContext.Provider value={store}>
        <QueryClientProvider client={queryClient}>
          <Current />
        </QueryClientProvider>
      </StoreContext.Provider>
    );
    const view = render(ui());
    const rerender = () => view.rerender(ui());
    return { store, queryClient, history, rerender };
  }

  it('shows thinking, then the streamed text (kept across a refetch), then the final text', () => {
    const { store, queryClient, history, rerender } = setup();
    const item = screen.getByTestId('message');
    expect(within(item).getByTestId('agent-badge')).toHaveTextContent('AI · @planner');
    expect(within(item).getByTestId('thinking')).toBeInTheDocument();
    expect(within(item).getByTestId('stop-reply')).toBeInTheDocument();

    act(() => {
      store.messages.receiveToken(base.id, 'Step ');
      store.messages.receiveToken(base.id, 'one.');
    });
    expect(within(item).queryByTestId('thinking')).toBeNull();
    expect(within(item).getByTestId('message-body')).toHaveTextContent('Step one.');

    // A history refetch mid-stream brings the stored (still empty) copy: the streamed text stays.
    act(() => queryClient.setQueryData(queryKeys.messages('c1'), history({ ...base })));
    rerender();
    expect(within(screen.getByTestId('message')).getByTestId('message-body')).toHaveTextContent('Step one.');

    act(() => store.messages.receiveUpdate({ ...base, status: 'complete', content: 'Step one. Done.' }));
    rerender();
    const done = screen.getByTestId('message');
    expect(within(done).getByTestId('message-body')).toHaveTextContent('Step one. Done.');
    expect(within(done).queryByTestId('stop-reply')).toBeNull();
    expect(store.messages.streams.size).toBe(0);
  });

  it('shows a failed reply’s reason with a retry control', () => {
    const { store, rerender } = setup();
    act(() => store.messages.receiveUpdate({ ...base, status: 'error', content: 'Partial', error: { code: 'timeout', message: 'The model took too long to answer.' } }));
    rerender();
    const item = screen.getByTestId('message');
    expect(within(item).getByTestId('reply-error')).toHaveTextContent('The model took too long to answer.');
    expect(within(item).getByTestId('retry-reply')).toBeInTheDocument();
    expect(within(item).getByTestId('message-body')).toHaveTextContent('Partial');
  });
});
