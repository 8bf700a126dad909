import { createHttpClient } from '@/lib/http/client';
import { repliesSettled } from '@/lib/agents/replies';
import { sendAllowance } from '@/lib/messages';
import { take } from '@/lib/ratelimit';
import { createQueryClient, RootStore } from '@/stores/root-store';
import type { ApiClient } from '../helpers/api-client';
import { testDatabaseKinds } from '../helpers/database';
import { withEnv } from '../helpers/env';
import { useHub } from '../helpers/hub';
import { uniqueName } from '../helpers/people';
import { pause, until } from '../helpers/realtime';

const WINDOW_SECONDS = 600;

/**
 * The browser's outbox (stores/message-store.ts, the real store and axios client) against the
 * real routes when the send limit refuses: the message is kept with the reason and the wait,
 * and everything held goes out by itself after Retry-After, in the order it was written.
 *
 * The window is long (every send surely falls in it, however slow the machine) and its end comes
 * from an injected clock: sends logged almost a whole window ago, which leave it one by one.
 */
describe.each(testDatabaseKinds())('sending too fast from the browser store (%s)', (kind) => {
  const hub = useHub(kind);
  afterEach(() => repliesSettled());

  function browserStore(api: ApiClient, user: { id: string; name: string; email: string }) {
    const http = createHttpClient(hub.server.url);
    http.defaults.adapter = 'fetch';
    http.defaults.headers.common.cookie = api.cookie;
    return new RootStore({ http, queryClient: createQueryClient(), user });
  }

  /** Fills the person's send log with sends made a window ago, less `leaveInMs` each: they leave the window then. */
  async function sentLongAgo(userId: string, leaveInMs: number[]) {
    const allowance = sendAllowance(userId);
    for (const ms of leaveInMs) expect((await take([allowance], Date.now() - allowance.windowMs + ms)).allowed).toBe(true);
  }

  const storedIn = async (api: ApiClient, channelId: string) => (await api.get(`/api/channels/${channelId}/messages`)).json.messages.map((m: { content: string }) => m.content);

  it('keeps refused messages with a clear reason, sends them by itself after Retry-After, in order', async () => {
    await withEnv({ SEND_RATE_LIMIT_MESSAGES: '5', SEND_RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS) }, async () => {
      const api = hub.client();
      const user = await api.signUp('Fast typist');
      const channelId: string = (await api.post('/api/channels', { name: uniqueName('fast') })).json.channel.id;
      const { messages } = browserStore(api, user);

      const texts = ['one', 'two', 'three', 'four', 'five'];
      try {
        for (const text of texts.slice(0, 2)) {
          messages.send(channelId, text);
          await until(() => messages.outbox.size === 0, 3000, `"${text}" delivered`);
        }
        // Three earlier sends fill the log; they leave the window 3, 4 and 5 s from now, one by one.
        await sentLongAgo(user.id, [3000, 4000, 5000]);
        messages.send(channelId, 'three');
        await until(() => messages.pendingFor(channelId)[0]?.state === 'failed', 3000, 'the third refused');
        const [held] = messages.pendingFor(channelId);
        expect(held).toMatchObject({ content: 'three', state: 'failed', error: `You sent 5 messages in the last ${WINDOW_SECONDS} s, the most one person may. Kept: it sends again by itself.` });
        expect(held!.retryAt! - Date.now()).toBeGreaterThan(0);
        expect(held!.retryAt! - Date.now()).toBeLessThanOrEqual(3000);
        expect(messages.throttledUntil).toBe(held!.retryAt);
        // Written while held back: they wait their turn instead of jumping the queue.
        for (const text of texts.slice(3)) messages.send(channelId, text);
        expect(messages.pendingFor(channelId).map((e) => [e.content, e.state])).toEqual([
          ['three', 'failed'],
          ['four', 'failed'],
          ['five', 'failed'],
        ]);

        // Nobody presses Retry: they go out as the window slides (one room a second), refused again in between.
        await until(() => messages.outbox.size === 0, 10_000, 'the held messages, sent by themselves');
        expect(messages.throttledUntil).toBe(0);
        expect(await storedIn(api, channelId)).toEqual(texts);
      } finally {
        messages.clearOutbox();
      }
    });
  });

  it('goes on past a held message that fails for another reason: it shows its error and Retry, the others go out by themselves', async () => {
    await withEnv({ SEND_RATE_LIMIT_MESSAGES: '3', SEND_RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS) }, async () => {
      const api = hub.client();
      const user = await api.signUp('Mixed');
      const kept: string = (await api.post('/api/channels', { name: uniqueName('kept') })).json.channel.id;
      const doomed: string = (await api.post('/api/channels', { name: uniqueName('doomed') })).json.channel.id;
      const { messages } = browserStore(api, user);
      try {
        await sentLongAgo(user.id, [2000, 2001, 2002]);
        messages.send(kept, 'first');
        await until(() => messages.pendingFor(kept)[0]?.state === 'failed', 3000, 'the first refused');
        expect(messages.pendingFor(kept)[0]!.retryAt).toBeGreaterThan(Date.now());
        const lost = messages.send(doomed, 'into a channel about to go');
        messages.send(kept, 'second');
        // While they wait, the channel of the middle one is deleted: its resend will answer 404.
        expect((await api.delete(`/api/channels/${doomed}`)).status).toBe(204);

        await until(() => messages.outbox.size === 1 && messages.outbox.get(lost)?.state === 'failed' && !messages.outbox.get(lost)?.retryAt, 8000, 'the resend past the 404');
        // The one that failed says why and waits for a manual Retry; it promises nothing more.
        expect(messages.outbox.get(lost)).toMatchObject({ state: 'failed', error: 'Channel not found.' });
        expect(messages.outbox.get(lost)!.retryAt).toBeUndefined();
        expect(messages.throttledUntil).toBe(0);
        // The one behind it went out by itself, in order.
        await until(() => messages.pendingFor(kept).length === 0, 3000, 'the kept channel emptied');
        expect(await storedIn(api, kept)).toEqual(['first', 'second']);

        // Nothing is held any more, so a new message goes straight out.
        messages.send(kept, 'third');
        await until(() => messages.pendingFor(kept).length === 0, 3000, 'the third delivered');
        expect(await storedIn(api, kept)).toEqual(['first', 'second', 'third']);
        expect([...messages.outbox.keys()]).toEqual([lost]);
      } finally {
        messages.clearOutbox();
      }
    });
  });

  it('a message written while the held ones are going out again waits behind them', async () => {
    await withEnv({ SEND_RATE_LIMIT_MESSAGES: '3', SEND_RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS) }, async () => {
      const api = hub.client();
      const user = await api.signUp('Patient');
      const channelId: string = (await api.post('/api/channels', { name: uniqueName('patient') })).json.channel.id;
      const store = browserStore(api, user);
      const { messages } = store;
      // The network: which contents were posted, and the held resend kept in flight until released.
      const posted: string[] = [];
      let hold: { content: string; reached: boolean; until: Promise<void> } | undefined;
      let release!: () => void;
      store.http.interceptors.request.use(async (config) => {
        const body = (typeof config.data === 'string' ? JSON.parse(config.data) : config.data) as { content?: string } | undefined;
        const content = body?.content ?? '';
        posted.push(content);
        if (hold?.content === content) {
          hold.reached = true;
          await hold.until;
        }
        return config;
      });
      try {
        await sentLongAgo(user.id, [1500, 1501, 1502]);
        messages.send(channelId, 'first');
        await until(() => messages.pendingFor(channelId)[0]?.state === 'failed', 3000, 'the first refused');
        hold = { content: 'first', reached: false, until: new Promise<void>((resolve) => (release = resolve)) };
        await until(() => hold!.reached, 5000, 'the resend of the first in flight');
        expect(messages.throttledUntil).toBe(0);

        const second = messages.send(channelId, 'second');
        // Queued behind the resend (it goes out by itself after it), not posted beside it: given
        // time to overtake, it does not.
        expect(messages.outbox.get(second)).toMatchObject({ state: 'sending', retryAt: expect.any(Number) });
        await pause(300);
        expect(posted).toEqual(['first', 'first']);
        expect(messages.pendingFor(channelId).map((e) => e.content)).toEqual(['first', 'second']);
        release();
        await until(() => messages.outbox.size === 0, 5000, 'both delivered');
        expect(await storedIn(api, channelId)).toEqual(['first', 'second']);
        expect(posted).toEqual(['first', 'first', 'second']);
      } finally {
        release?.();
        messages.clearOutbox();
      }
    });
  });
});
