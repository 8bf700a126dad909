/** @jest-environment ./tests/helpers/jsdom-env.cjs */
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Composer } from '@/components/chat/composer';
import { MessageList } from '@/components/chat/message-list';
import { testDatabaseKinds } from '../helpers/database';
import { createBrowserStore, renderWithStore, settled } from '../helpers/render-hub';
import { useSpawnedHub } from '../helpers/spawned-hub';

// A low send limit for the hub process this file spawns (it inherits the environment).
process.env.SEND_RATE_LIMIT_MESSAGES = '2';
process.env.SEND_RATE_LIMIT_WINDOW_SECONDS = '2';

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
    expect(within(pending).getByRole('alert')).toHaveTextContent('You sent 2 messages in the last 2 s, the most one person may. Kept: it sends again by itself.');
    expect(screen.getByTestId('send-throttled')).toHaveTextContent(/Your message is kept and goes out by itself in [12] s\./);

    // Nobody clicks Retry: once Retry-After has passed it is sent, and the notice is gone.
    await waitFor(() => expect(screen.queryByTestId('pending-message')).toBeNull(), { timeout: 5000 });
    expect(screen.queryByTestId('send-throttled')).toBeNull();
    await settled(store);
    expect(screen.getAllByTestId('message-body').map((el) => el.textContent?.trim())).toEqual(['first', 'second', 'third']);
    const stored = (await api.get(`/api/channels/${channelId}/messages`)).json.messages.map((m: { content: string }) => m.content);
    expect(stored).toEqual(['first', 'second', 'third']);
  });
});
