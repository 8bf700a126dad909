/** @jest-environment ./tests/helpers/jsdom-env.cjs */
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Composer } from '@/components/chat/composer';
import { MessageList } from '@/components/chat/message-list';
import { outboxStorageKey, type OutgoingMessage } from '@/stores/message-store';
import { testDatabaseKinds } from '../helpers/database';
import { createBrowserStore, renderWithStore, settled } from '../helpers/render-hub';
import { useSpawnedHub } from '../helpers/spawned-hub';

// A low send limit for the hub process this file spawns (it inherits the environment). The window
// is long enough for three sends however loaded the machine, and short enough to wait out.
process.env.SEND_RATE_LIMIT_MESSAGES = '2';
process.env.SEND_RATE_LIMIT_WINDOW_SECONDS = '4';

beforeEach(() => window.localStorage.clear());

describe.each(testDatabaseKinds())('the composer when sends are refused for going too fast (%s)', (kind) => {
  const hub = useSpawnedHub(kind);

  it('keeps the message with the reason and the wait, then sends it by itself', async () => {
    const api = hub.client();
    const user = await api.signUp('Quick');
    const channelId: string = (await api.post('/api/channels', { name: `quick-${Math.random().toString(36).slice(2, 8)}` })).json.channel.id;
    const store = createBrowserStore({ baseUrl: hub.url, cookie: api.cookie, user });
    renderWithStore(
      store,
      <div>
        <MessageList channelId={channelId} isOwner />
        <Composer channelId={channelId} channelName="quick" />
      </div>,
    );
    await settled(store);
    const input = screen.getByTestId('composer-input');
    for (const text of ['first', 'second']) {
      await userEvent.type(input, `${text}{Enter}`);
      await settled(store);
    }
    await userEvent.type(input, 'third{Enter}');

    const pending = await screen.findByTestId('pending-message');
    await waitFor(() => expect(pending).toHaveAttribute('data-state', 'failed'));
    expect(within(pending).getByRole('alert')).toHaveTextContent('You sent 2 messages in the last 4 s, the most one person may. Kept: it sends again by itself.');
    expect(screen.getByTestId('send-throttled')).toHaveTextContent(/Your message is kept and goes out by itself in [1-4] s\./);

    // Nobody clicks Retry: once Retry-After has passed it is sent, and the notice is gone.
    await waitFor(() => expect(screen.queryByTestId('pending-message')).toBeNull(), { timeout: 8000 });
    expect(screen.queryByTestId('send-throttled')).toBeNull();
    await settled(store);
    expect(screen.getAllByTestId('message-body').map((el) => el.textContent?.trim())).toEqual(['first', 'second', 'third']);
    const stored = (await api.get(`/api/channels/${channelId}/messages`)).json.messages.map((m: { content: string }) => m.content);
    expect(stored).toEqual(['first', 'second', 'third']);
  });

  it('after a reload, a message that was held back waits for Retry instead of promising to send itself', async () => {
    const api = hub.client();
    const user = await api.signUp('Reloaded');
    const channelId: string = (await api.post('/api/channels', { name: `reload-${Math.random().toString(36).slice(2, 8)}` })).json.channel.id;
    // What the outbox kept in localStorage when the tab closed during a Retry-After wait.
    const held: OutgoingMessage = {
      clientId: crypto.randomUUID(),
      channelId,
      content: 'held when the tab closed',
      state: 'failed',
      error: 'You sent 2 messages in the last 4 s, the most one person may. Kept: it sends again by itself.',
      retryAt: Date.now() + 1000,
      createdAt: new Date(Date.now() - 1000).toISOString(),
    };
    window.localStorage.setItem(outboxStorageKey(user.id), JSON.stringify([held]));
    const store = createBrowserStore({ baseUrl: hub.url, cookie: api.cookie, user });
    renderWithStore(
      store,
      <div>
        <MessageList channelId={channelId} isOwner />
        <Composer channelId={channelId} channelName="reload" />
      </div>,
    );
    await settled(store);
    const pending = await screen.findByTestId('pending-message');
    expect(pending).toHaveAttribute('data-state', 'failed');
    expect(within(pending).getByRole('alert')).toHaveTextContent(/^Not sent\.$/);
    expect(screen.queryByTestId('send-throttled')).toBeNull();

    // A new message is not queued behind it (nothing would ever send them)...
    await userEvent.type(screen.getByTestId('composer-input'), 'written after the reload{Enter}');
    await settled(store);
    expect(screen.getAllByTestId('pending-message')).toHaveLength(1);
    // ...and Retry sends the kept one.
    await userEvent.click(within(pending).getByTestId('retry-send'));
    await waitFor(() => expect(screen.queryByTestId('pending-message')).toBeNull());
    await settled(store);
    const stored = (await api.get(`/api/channels/${channelId}/messages`)).json.messages.map((m: { content: string }) => m.content);
    expect(stored).toEqual(['written after the reload', 'held when the tab closed']);
  });
});
