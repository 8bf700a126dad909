/** @jest-environment ./tests/helpers/jsdom-env.cjs */
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Composer } from '@/components/chat/composer';
import { MessageList } from '@/components/chat/message-list';
import { testDatabaseKinds } from '../helpers/database';
import { createBrowserStore, renderWithStore, settled } from '../helpers/render-hub';
import { useSpawnedHub } from '../helpers/spawned-hub';

// The chat's keyboard paths against the real route handlers: Up arrow in an empty composer edits
// one's own last message (not someone else's newer one), Escape cancels an edit and hands focus
// back to the composer, and the message actions are reachable without a pointer.
let hub: ReturnType<typeof useSpawnedHub>;

async function setup() {
  const api = hub.client();
  const user = await api.signUp('Uma');
  const { json } = await api.post('/api/channels', { name: `keys-${Math.random().toString(36).slice(2, 8)}` });
  const channelId: string = json.channel.id;
  const other = hub.client();
  const otherUser = await other.signUp('Olu');
  expect((await api.post(`/api/channels/${channelId}/members`, { email: otherUser.email })).status).toBe(201);
  // Uma's older message, Uma's last one, then Olu's, newest of all.
  await api.post(`/api/channels/${channelId}/messages`, { content: 'my first' });
  await api.post(`/api/channels/${channelId}/messages`, { content: 'my last' });
  await other.post(`/api/channels/${channelId}/messages`, { content: 'from Olu' });
  const store = createBrowserStore({ baseUrl: hub.url, cookie: api.cookie, user });
  renderWithStore(
    store,
    <div>
      <MessageList channelId={channelId} isOwner={false} />
      <Composer channelId={channelId} channelName="keys" />
    </div>,
  );
  await waitFor(() => expect(screen.getAllByTestId('message')).toHaveLength(3));
  await settled(store);
  const history = async () => (await api.get(`/api/channels/${channelId}/messages?limit=50`)).json.messages as Array<{ content: string; editedAt: string | null }>;
  return { store, history };
}

const messageWith = (text: string) => screen.getAllByTestId('message').find((el) => el.textContent?.includes(text))!;

describe.each(testDatabaseKinds())('chat by keyboard (%s)', (kind) => {
  const spawned = useSpawnedHub(kind);
  beforeAll(() => {
    hub = spawned;
  });

  it('focuses the composer when the channel opens', async () => {
    const { store } = await setup();
    expect(screen.getByTestId('composer-input')).toHaveFocus();
    await settled(store);
  });

  it('Up arrow in an empty composer edits my last message, and Enter saves it', async () => {
    const { store, history } = await setup();
    const input = screen.getByTestId('composer-input');
    await userEvent.click(input);
    await userEvent.keyboard('{ArrowUp}');
    const editor = await screen.findByTestId('edit-input');
    // My last message, not Olu's newer one (I may not edit it) nor my older one.
    expect(within(messageWith('my first')).queryByTestId('edit-input')).toBeNull();
    expect(editor).toHaveValue('my last');
    expect(editor).toHaveFocus();
    await userEvent.clear(editor);
    await userEvent.type(editor, 'my last, edited{Enter}');
    await waitFor(() => expect(screen.queryByTestId('edit-input')).toBeNull());
    await settled(store);
    expect((await history()).map((m) => m.content)).toEqual(['my first', 'my last, edited', 'from Olu']);
    await waitFor(() => expect(input).toHaveFocus());
  });

  it('Up arrow does nothing to messages while the composer holds a draft', async () => {
    const { store } = await setup();
    const input = screen.getByTestId('composer-input');
    await userEvent.click(input);
    await userEvent.type(input, 'a draft{ArrowUp}');
    expect(screen.queryByTestId('edit-input')).toBeNull();
    expect(input).toHaveValue('a draft');
    await settled(store);
  });

  it('Escape cancels an edit, keeps the message as it was and gives focus back to the composer', async () => {
    const { store, history } = await setup();
    const input = screen.getByTestId('composer-input');
    await userEvent.click(input);
    await userEvent.keyboard('{ArrowUp}');
    const editor = await screen.findByTestId('edit-input');
    await userEvent.type(editor, ' changed my mind');
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByTestId('edit-input')).toBeNull();
    await waitFor(() => expect(input).toHaveFocus());
    // Opening it again starts from the saved text, not the abandoned one.
    await userEvent.keyboard('{ArrowUp}');
    expect(await screen.findByTestId('edit-input')).toHaveValue('my last');
    await userEvent.keyboard('{Escape}');
    await settled(store);
    const kept = (await history()).find((m) => m.content.startsWith('my last'))!;
    expect(kept.content).toBe('my last');
    expect(kept.editedAt ?? null).toBeNull();
  });

  it('reaches delete by Tab, and Escape backs out of the delete question', async () => {
    const { store, history } = await setup();
    const mine = messageWith('my last');
    // Only my own messages can be edited or deleted here (I am not the owner): Olu's offers neither.
    expect(within(messageWith('from Olu')).queryByTestId('delete-message')).toBeNull();
    expect(within(messageWith('from Olu')).queryByTestId('edit-message')).toBeNull();
    const remove = within(mine).getByTestId('delete-message');
    await userEvent.click(screen.getByTestId('composer-input'));
    // Backwards from the composer, past Olu's message, to my last message's actions.
    for (let i = 0; i < 8 && document.activeElement !== remove; i++) await userEvent.tab({ shift: true });
    expect(remove).toHaveFocus();
    await userEvent.keyboard('{Enter}');
    expect(within(mine).getByTestId('confirm-delete')).toHaveFocus();
    await userEvent.keyboard('{Escape}');
    expect(within(mine).queryByTestId('confirm-delete')).toBeNull();
    await settled(store);
    expect((await history()).map((m) => m.content)).toContain('my last');
    // Backing out hands focus back to the Delete button it came from.
    expect(within(mine).getByTestId('delete-message')).toHaveFocus();
  });
});
