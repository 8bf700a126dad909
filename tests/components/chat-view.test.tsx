/** @jest-environment ./tests/helpers/jsdom-env.cjs */
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Composer } from '@/components/chat/composer';
import { MessageList } from '@/components/chat/message-list';
import { outboxStorageKey } from '@/stores/message-store';
import type { ApiClient } from '../helpers/api-client';
import { testDatabaseKinds } from '../helpers/database';
import { createBrowserStore, renderWithStore, settled, watchRequests } from '../helpers/render-hub';
import { useSpawnedHub } from '../helpers/spawned-hub';

// The chat view against the real route handlers over HTTP (in a server process) and a real
// database: PGlite, and Postgres (with Redis) when DATABASE_URL is set. The suites run one after
// the other; `hub` is the one whose tests are running.
let hub: ReturnType<typeof useSpawnedHub>;

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
  // The first page lands before the test goes on to talk to the server itself.
  await settled(store);
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

describe.each(testDatabaseKinds())('chat view (%s)', (kind) => {
  const spawned = useSpawnedHub(kind);
  beforeAll(() => {
    hub = spawned;
  });

  it('shows history oldest first with sanitized markdown, HTML in the text shown as typed', async () => {
    const html = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>';
    const { store } = await setup({ seed: ['first **bold**', `second ${html}`] });
    await waitFor(() => expect(renderedContents()).toEqual(['first bold', `second ${html}`]));
    const bodies = screen.getAllByTestId('message-body');
    expect(bodies[0]!.querySelector('strong')?.textContent).toBe('bold');
    expect(bodies[1]!.querySelector('script, img')).toBeNull();
    expect((window as unknown as { pwned?: number }).pwned).toBeUndefined();
    expect(screen.getByTestId('history-start')).toBeInTheDocument();
    await settled(store);
  });

  it('sends from the composer and the message is stored once', async () => {
    const { history, store } = await setup();
    await type('hello from the composer');
    await waitFor(() => expect(renderedContents()).toEqual(['hello from the composer']));
    await settled(store);
    expect(screen.queryAllByTestId('pending-message')).toHaveLength(0);
    expect((await history()).map((m) => m.content)).toEqual(['hello from the composer']);
  });

  it.each([
    ['a 503', { kind: 'status', status: 503 } as const, /Injected failure/],
    ['a dropped connection', { kind: 'reset' } as const, /Could not reach the server/],
    ['a lost response after the server stored it', { kind: 'lose-response' } as const, /Could not reach the server/],
  ])('keeps a failed send (%s) marked with a retry that never duplicates', async (_name, fault, message) => {
    const { channelId, history, user, store } = await setup();
    await hub.injectFault({ method: 'POST', path: `/api/channels/${channelId}/messages$`, ...fault });
    await type('important words');

    const pending = await screen.findByTestId('pending-message');
    await waitFor(() => expect(pending).toHaveAttribute('data-state', 'failed'));
    expect(within(pending).getByRole('alert')).toHaveTextContent(message);
    // Nothing is lost: the failed message is kept for a reload too.
    expect(JSON.parse(window.localStorage.getItem(outboxStorageKey(user.id))!)).toEqual([expect.objectContaining({ content: 'important words', state: 'failed' })]);

    await userEvent.click(within(pending).getByTestId('retry-send'));
    await waitFor(() => expect(renderedContents()).toEqual(['important words']));
    await settled(store);
    expect(screen.queryAllByTestId('pending-message')).toHaveLength(0);
    expect((await history()).map((m) => m.content)).toEqual(['important words']);
    expect(JSON.parse(window.localStorage.getItem(outboxStorageKey(user.id))!)).toEqual([]);
  });

  it('shows the server refusal of a send (4xx), never retries it by itself, and lets the user discard it', async () => {
    // Rosa is a member of Olga's channel; Olga removes her while her page is open, so her next
    // send is refused (404) by a channel that still exists and whose history can be read.
    const olga = hub.client();
    await olga.signUp('Olga');
    const channelId: string = (await olga.post('/api/channels', { name: `refuse-${Math.random().toString(36).slice(2, 8)}` })).json.channel.id;
    await olga.post(`/api/channels/${channelId}/messages`, { content: 'before you left' });
    const rosa = hub.client();
    const user = await rosa.signUp('Rosa');
    expect((await olga.post(`/api/channels/${channelId}/members`, { email: user.email })).status).toBe(201);
    const store = createBrowserStore({ baseUrl: hub.url, cookie: rosa.cookie, user });
    const net = watchRequests(store.http);
    renderWithStore(store, <div><MessageList channelId={channelId} isOwner={false} /><Composer channelId={channelId} channelName="chat" /></div>);
    await waitFor(() => expect(renderedContents()).toEqual(['before you left']));
    expect((await olga.delete(`/api/channels/${channelId}/members/${user.id}`)).status).toBe(204);

    await type('into the void');
    const pending = await screen.findByTestId('pending-message');
    await waitFor(() => expect(pending).toHaveAttribute('data-state', 'failed'));
    expect(within(pending).getByRole('alert')).toHaveTextContent('Channel not found.');
    expect(JSON.parse(window.localStorage.getItem(outboxStorageKey(user.id))!)).toEqual([expect.objectContaining({ content: 'into the void', state: 'failed' })]);
    await userEvent.click(within(pending).getByTestId('discard-send'));
    expect(screen.queryAllByTestId('pending-message')).toHaveLength(0);
    await settled(store);
    // One attempt only (a 4xx is not retried behind the user's back), nothing stored, nothing kept.
    expect(net.count(/^POST \/api\/channels\/.+\/messages$/)).toBe(1);
    expect(JSON.parse(window.localStorage.getItem(outboxStorageKey(user.id))!)).toEqual([]);
    const history = await olga.get(`/api/channels/${channelId}/messages?limit=200`);
    expect(history.status).toBe(200);
    expect(history.json.messages.map((m: { content: string }) => m.content)).toEqual(['before you left']);
  });

  it('restores only this user’s unsent messages after a reload, and none already stored', async () => {
    const entry = (clientId: string, content: string, channelId: string) => ({ clientId, channelId, content, state: 'sending', createdAt: new Date().toISOString() });
    const { store } = await setup({
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
    await settled(store);
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
    await settled(store);
  });

  it('loads older pages on demand with no gap, duplicate or disorder', async () => {
    const { store } = await setup({ seed: 120 });
    await waitFor(() => expect(renderedContents()).toHaveLength(50));
    expect(renderedContents()[0]).toBe('seed 70');
    await userEvent.click(screen.getByTestId('load-older'));
    await waitFor(() => expect(renderedContents()).toHaveLength(100));
    await userEvent.click(screen.getByTestId('load-older'));
    await waitFor(() => expect(renderedContents()).toHaveLength(120));
    expect(renderedContents()).toEqual(Array.from({ length: 120 }, (_, i) => `seed ${i}`));
    expect(screen.queryByTestId('load-older')).toBeNull();
    expect(screen.getByTestId('history-start')).toBeInTheDocument();
    await settled(store);
  });

  it('edits and deletes the user’s own message, once each on a double Enter and a double click', async () => {
    const { history, store } = await setup();
    const net = watchRequests(store.http);
    await type('tpyo');
    await waitFor(() => expect(renderedContents()).toEqual(['tpyo']));
    await userEvent.click(screen.getByTestId('edit-message'));
    const editor = screen.getByTestId('edit-input');
    await userEvent.clear(editor);
    await userEvent.type(editor, 'typo fixed');
    const release = net.hold(/^PATCH /);
    act(() => {
      fireEvent.keyDown(editor, { key: 'Enter' });
      fireEvent.keyDown(editor, { key: 'Enter' });
    });
    await waitFor(() => expect(screen.getByTestId('edit-save')).toHaveTextContent('Saving…'));
    release();
    await waitFor(() => expect(renderedContents()).toEqual(['typo fixed']));
    expect(screen.getByTestId('edited')).toBeInTheDocument();

    await userEvent.click(screen.getByTestId('delete-message'));
    const confirm = screen.getByTestId('confirm-delete');
    act(() => {
      confirm.click();
      confirm.click();
    });
    await waitFor(() => expect(renderedContents()).toEqual([]));
    await settled(store);
    expect(screen.queryByRole('alert')).toBeNull(); // no "not found" for a second delete
    expect(net.count(/^PATCH /)).toBe(1);
    expect(net.count(/^DELETE /)).toBe(1);
    expect(await history()).toEqual([]);
  });

  it('retries a failed send once on a double click', async () => {
    const { channelId, history, store } = await setup();
    const net = watchRequests(store.http);
    await hub.injectFault({ method: 'POST', path: `/api/channels/${channelId}/messages$`, kind: 'status', status: 503 });
    await type('second try');
    const pending = await screen.findByTestId('pending-message');
    await waitFor(() => expect(pending).toHaveAttribute('data-state', 'failed'));
    const retry = within(pending).getByTestId('retry-send');
    act(() => {
      retry.click();
      retry.click();
    });
    await waitFor(() => expect(renderedContents()).toEqual(['second try']));
    await settled(store);
    expect(net.count(/^POST \/api\/channels\/.+\/messages$/)).toBe(2); // the failed one, then one retry
    expect((await history()).map((m) => m.content)).toEqual(['second try']);
  });

  it('keeps Shift+Enter as a new line and refuses an over-long draft', async () => {
    const { store } = await setup();
    const input = screen.getByTestId('composer-input');
    await userEvent.click(input);
    await userEvent.type(input, 'line one{Shift>}{Enter}{/Shift}line two');
    expect(input).toHaveValue('line one\nline two');
    act(() => {
      fireEvent.change(input, { target: { value: 'x'.repeat(4001) } });
    });
    expect(screen.getByTestId('char-count')).toHaveTextContent('4001/4000');
    expect(screen.getByTestId('composer-send')).toBeDisabled();
    await settled(store);
  });
});
