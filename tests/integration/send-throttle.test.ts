import { createHttpClient } from '@/lib/http/client';
import { repliesSettled } from '@/lib/agents/replies';
import { createQueryClient, RootStore } from '@/stores/root-store';
import { testDatabaseKinds } from '../helpers/database';
import { withEnv } from '../helpers/env';
import { useHub } from '../helpers/hub';
import { uniqueName } from '../helpers/people';
import { until } from '../helpers/realtime';

/**
 * The browser's outbox (stores/message-store.ts, the real store and axios client) against the
 * real routes when the send limit refuses: the message is kept with the reason and the wait,
 * and everything held goes out by itself after Retry-After, in the order it was written.
 */
describe.each(testDatabaseKinds())('sending too fast from the browser store (%s)', (kind) => {
  const hub = useHub(kind);
  afterEach(() => repliesSettled());

  it('keeps refused messages with a clear reason, sends them by itself after Retry-After, in order', async () => {
    await withEnv({ SEND_RATE_LIMIT_MESSAGES: '2', SEND_RATE_LIMIT_WINDOW_SECONDS: '2' }, async () => {
      const api = hub.client();
      const user = await api.signUp('Fast typist');
      const channelId: string = (await api.post('/api/channels', { name: uniqueName('fast') })).json.channel.id;
      const http = createHttpClient(hub.server.url);
      http.defaults.adapter = 'fetch';
      http.defaults.headers.common.cookie = api.cookie;
      const store = new RootStore({ http, queryClient: createQueryClient(), user });
      const { messages } = store;

      const texts = ['one', 'two', 'three', 'four', 'five'];
      try {
        for (const text of texts.slice(0, 2)) {
          messages.send(channelId, text);
          await until(() => messages.outbox.size === 0, 3000, `"${text}" delivered`);
        }
        messages.send(channelId, 'three');
        await until(() => messages.pendingFor(channelId)[0]?.state === 'failed', 3000, 'the third refused');
        const [held] = messages.pendingFor(channelId);
        expect(held).toMatchObject({ content: 'three', state: 'failed', error: 'You sent 2 messages in the last 2 s, the most one person may. Kept: it sends again by itself.' });
        expect(held!.retryAt! - Date.now()).toBeGreaterThan(0);
        expect(held!.retryAt! - Date.now()).toBeLessThanOrEqual(2000);
        expect(messages.throttledUntil).toBe(held!.retryAt);
        // Written while held back: they wait their turn instead of jumping the queue.
        for (const text of texts.slice(3)) messages.send(channelId, text);
        expect(messages.pendingFor(channelId).map((e) => [e.content, e.state])).toEqual([
          ['three', 'failed'],
          ['four', 'failed'],
          ['five', 'failed'],
        ]);

        // Nobody presses Retry: they go out as the window slides (two per 2 s window).
        await until(() => messages.outbox.size === 0, 8000, 'the held messages, sent by themselves');
        expect(messages.throttledUntil).toBe(0);
        const stored = (await api.get(`/api/channels/${channelId}/messages`)).json.messages.map((m: { content: string }) => m.content);
        expect(stored).toEqual(texts);
      } finally {
        messages.clearOutbox();
      }
    });
  });
});
