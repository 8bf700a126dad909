/** @jest-environment ./tests/helpers/jsdom-env.cjs */
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Composer } from '@/components/chat/composer';
import { MessageList } from '@/components/chat/message-list';
import { outboxStorageKey } from '@/stores/message-store';
import type { ApiClient } from '../helpers/api-client';
import { createBrowserStore, renderWithStore } from '../helpers/render-hub';
import { useSpawnedHub } from '../helpers/spawned-hub';

// The chat view against the real route handlers over HTTP (in a server process) and a real database.
const hub = useSpawnedHub('pglite');

type Prepare = (context: { api: ApiClient; user: { id: string }; channelId: string }) => Promise<void>;

async function setup(options: { seed?: number | string[]; before?: Prepare } = {}) {
  const api: ApiClient = hub.client();
  const user = await api.signUp('Rosa');
  const { json } = await api.post('/api/channels', { name: `chat-${Math.random().toString(36).slice(2, 8)}` });
  const channelId: string = json.channel.id;
  await options.before?.({ api, user, channelId });
  const seed = typeof options.seed === 'number' ? Array.from({ length: options.seed }, (_, i) => `seed ${i}`) : (options.seed ?? []);
  for (const content of seed) await api.post(`/api/channels/${channelId}/messages`, { content });
  const store = createBrowserStore({ baseUrl: hub.url, cookie: api.cookie, user });
  const view = renderWithStore(
    store,
    <div>
      <MessageList channelId={channelId} isOwner />
      <Composer channelId={channelId} channelName="chat" />
    </div>,
  );
  const history = async () => (await api.get(`/api/channels/${channelId}/messages?limit=200`)).json.messages as Array<{ id: string; content: string }>;
  return { api, user, store, channelId, view, history };
}

async function type(text: string) {
  const input = screen.getByTestId('composer-input');
  await userEvent.click(input);
  await userEvent.type(input, text);
  await userEvent.keyboard('{Enter}');
}

const renderedContents = () => screen.queryAllByTestId('message').map((el) => within(el).getByTestId('message-body').textContent?.trim());

beforeEach(() => window.localStorage.clear());

describe('chat view', () => {
  it('shows history oldest first with sanitized markdown', async () => {
    await setup({ seed: ['first **bold**', 'second <img src=x onerror="window.pwned=1"><script>window.pwned=2</script>'] });
    await waitFor(() => expect(renderedContents()).toEqual(['first bold', 'second']));
    const bodies = screen.getAllByTestId('message-body');
    expect(bodies[0]!.querySelector('strong')?.textContent).toBe('bold');
    expect(bodies[1]!.querySelector('script, img')).toBeNull();
    expect((window as unknown as { pwned?: number }).pwned).toBeUndefined();
    expect(screen.getByTestId('history-start')).toBeInTheDocument();
  });

  it('sends from the composer and the message is stored once', async () => {
    const { history } = await setup();
    await type('hello from the composer');
    await waitFor(() => expect(renderedContents()).toEqual(['hello from the composer']));
    expect(screen.queryAllByTestId('pending-message')).toHaveLength(0);
    expect((await history()).map((m) => m.content)).toEqual(['hello from the composer']);
  });

  it.each([
    ['a 503', { kind: 'status', status: 503 } as const, /Injected failure/],
    ['a dropped connection', { kind: 'reset' } as const, /Could not reach the server/],
    ['a lost response after the server stored it', { kind: 'lose-response' } as const, /Could not reach the server/],
  ])('keeps a failed send (%s) marked with a retry that never duplicates', async (_name, fault, message) => {
    const { channelId, history, user } = await setup();
    await hub.injectFault({ method: 'POST', path: `/api/channels/${channelId}/messages$`, ...fault });
    await type('important words');

    const pending = await screen.findByTestId('pending-message');
    await waitFor(() => expect(pending).toHaveAttribute('data-state', 'failed'));
    expect(within(pending).getByRole('alert')).toHaveTextContent(message);
    // Nothing is lost: the failed message is kept for a reload too.
    expect(JSON.parse(window.localStorage.getItem(outboxStorageKey(user.id))!)).toEqual([expect.objectContaining({ content: 'important words', state: 'failed' })]);

    await userEvent.click(within(pending).getByTestId('retry-send'));
    await waitFor(() => expect(renderedContents()).toEqual(['important words']));
    expect(screen.queryAllByTestId('pending-message')).toHaveLength(0);
    expect((await history()).map((m) => m.content)).toEqual(['important words']);
    expect(JSON.parse(window.localStorage.getItem(outboxStorageKey(user.id))!)).toEqual([]);
  });

  it('shows the server refusal of a send (4xx) and lets the user discard it', async () => {
    const { api, channelId, history } = await setup();
    await screen.findByTestId('history-start');
    await api.delete(`/api/channels/${channelId}`);
    await type('into the void');
    const pending = await screen.findByTestId('pending-message');
    await waitFor(() => expect(pending).toHaveAttribute('data-state', 'failed'));
    expect(within(pending).getByRole('alert')).toHaveTextContent('Channel not found.');
    await userEvent.click(within(pending).getByTestId('discard-send'));
    expect(screen.queryAllByTestId('pending-message')).toHaveLength(0);
    expect((await history())).toBeUndefined();
  });

  it('restores only this user’s unsent messages after a reload, and none already stored', async () => {
    const entry = (clientId: string, content: string, channelId: string) => ({ clientId, channelId, content, state: 'sending', createdAt: new Date().toISOString() });
    await setup({
      before: async ({ api, user, channelId }) => {
        // The page closed while this one was in flight, but the server had stored it.
        await api.post(`/api/channels/${channelId}/messages`, { content: 'already there', clientId: 'c-stored' });
        window.localStorage.setItem(outboxStorageKey(user.id), JSON.stringify([entry('c-stored', 'already there', channelId), entry('c-lost', 'never arrived', channelId)]));
        window.localStorage.setItem(outboxStorageKey('someone-else'), JSON.stringify([entry('c-other', 'not yours', channelId)]));
      },
    });
    await waitFor(() => expect(renderedContents()).toEqual(['already there']));
    const pending = screen.getAllByTestId('pending-message');
    expect(pending).toHaveLength(1);
    expect(pending[0]).toHaveTextContent('never arrived');
    expect(pending[0]).toHaveAttribute('data-state', 'failed');
    await userEvent.click(within(pending[0]!).getByTestId('retry-send'));
    await waitFor(() => expect(renderedContents()).toEqual(['already there', 'never arrived']));
    expect(screen.queryByText('not yours')).toBeNull();
  });

  it('renders a prefetched channel at once from memory, then refreshes it in the background', async () => {
    const api = hub.client();
    const user = await api.signUp('Pia');
    const { json } = await api.post('/api/channels', { name: `pre-${Math.random().toString(36).slice(2, 8)}` });
    const channelId: string = json.channel.id;
    await api.post(`/api/channels/${channelId}/messages`, { content: 'warm already' });
    const store = createBrowserStore({ baseUrl: hub.url, cookie: api.cookie, user });
    store.queryClient.setDefaultOptions({ queries: { retry: false } });

    store.channels.prefetch(channelId); // the pointer rests on the channel in the sidebar
    await waitFor(() => expect(store.queryClient.getQueryState(['channels', channelId, 'messages'])?.status).toBe('success'));
    await api.post(`/api/channels/${channelId}/messages`, { content: 'arrived since' });
    // Time passes: the cached page goes stale (as after the 5 s staleTime), though it stays in memory.
    store.queryClient.getQueryCache().find({ queryKey: ['channels', channelId, 'messages'] })!.invalidate();

    renderWithStore(store, <MessageList channelId={channelId} isOwner />);
    // The first render already shows the prefetched page: no spinner, no wait.
    expect(renderedContents()).toEqual(['warm already']);
    await waitFor(() => expect(renderedContents()).toEqual(['warm already', 'arrived since']), { timeout: 10_000 });
  });

  it('loads older pages on demand with no gap, duplicate or disorder', async () => {
    await setup({ seed: 120 });
    await waitFor(() => expect(renderedContents()).toHaveLength(50));
    expect(renderedContents()[0]).toBe('seed 70');
    await userEvent.click(screen.getByTestId('load-older'));
    await waitFor(() => expect(renderedContents()).toHaveLength(100));
    await userEvent.click(screen.getByTestId('load-older'));
    await waitFor(() => expect(renderedContents()).toHaveLength(120));
    expect(renderedContents()).toEqual(Array.from({ length: 120 }, (_, i) => `seed ${i}`));
    expect(screen.queryByTestId('load-older')).toBeNull();
    expect(screen.getByTestId('history-start')).toBeInTheDocument();
  });

  it('edits and deletes the user’s own message', async () => {
    const { history } = await setup();
    await type('tpyo');
    await waitFor(() => expect(renderedContents()).toEqual(['tpyo']));
    await userEvent.click(screen.getByTestId('edit-message'));
    const editor = screen.getByTestId('edit-input');
    await userEvent.clear(editor);
    await userEvent.type(editor, 'typo fixed{Enter}');
    await waitFor(() => expect(renderedContents()).toEqual(['typo fixed']));
    expect(screen.getByTestId('edited')).toBeInTheDocument();
    expect((await history()).map((m) => m.content)).toEqual(['typo fixed']);

    await userEvent.click(screen.getByTestId('delete-message'));
    await userEvent.click(screen.getByTestId('confirm-delete'));
    await waitFor(() => expect(renderedContents()).toEqual([]));
    expect(await history()).toEqual([]);
  });

  it('keeps Shift+Enter as a new line and refuses an over-long draft', async () => {
    await setup();
    const input = screen.getByTestId('composer-input');
    await userEvent.click(input);
    await userEvent.type(input, 'line one{Shift>}{Enter}{/Shift}line two');
    expect(input).toHaveValue('line one\nline two');
    act(() => {
      fireEvent.change(input, { target: { value: 'x'.repeat(4001) } });
    });
    expect(screen.getByTestId('char-count')).toHaveTextContent('4001/4000');
    expect(screen.getByTestId('composer-send')).toBeDisabled();
  });
});
