import { rooms } from '@/lib/realtime/events';
import { queryKeys } from '@/stores/query-keys';
import { RealtimeConnection } from '@/stores/realtime';
import { testDatabaseKinds } from '../helpers/database';
import { pause, until, realtimeSuite } from '../helpers/realtime';
import { createBrowserStore } from '../helpers/render-hub';

describe.each(testDatabaseKinds())('the browser connection after the server drops it (%s)', (kind) => {
  const rt = realtimeSuite(kind);

  /** Bob's browser in a channel with Ada: real stores over HTTP, a real socket.io-client. */
  async function browserInChannel() {
    const { ada, bob, channelId } = await rt.sharedChannel({ join: false });
    const store = createBrowserStore({ baseUrl: rt.hub.server.url, cookie: bob.api.cookie, user: bob.user });
    let tokenRequests = 0;
    store.http.interceptors.request.use((config) => {
      if (config.url === '/api/realtime/token') tokenRequests += 1;
      return config;
    });
    await store.queryClient.fetchQuery({ queryKey: queryKeys.channels, queryFn: () => store.channels.list() });
    const connection = new RealtimeConnection(store, {
      url: rt.node.url,
      socketOptions: { transports: ['websocket'], reconnectionDelay: 20, reconnectionDelayMax: 100 },
    });
    const socket = connection.start();
    const disconnects: string[] = [];
    socket.on('disconnect', (reason) => disconnects.push(reason));
    await until(() => store.channels.presence.get(channelId)?.includes(bob.user.id) ?? false, 5000, 'Bob joined');
    return { ada, bob, channelId, store, connection, socket, disconnects, tokenRequests: () => tokenRequests };
  }

  it('reconnects with a fresh token and rejoins its channels after a server-side disconnect', async () => {
    const { ada, bob, channelId, store, connection, disconnects, tokenRequests } = await browserInChannel();
    try {
      const before = tokenRequests();
      rt.node.io.in(rooms.user(bob.user.id)).disconnectSockets(true);
      await until(() => disconnects.length === 1, 3000, 'the server disconnect');
      expect(disconnects).toEqual(['io server disconnect']);
      await until(() => store.user.connection === 'online' && (store.channels.presence.get(channelId)?.includes(bob.user.id) ?? false), 5000, 'back online');
      expect(tokenRequests()).toBe(before + 1);

      expect((await ada.api.post(`/api/channels/${channelId}/messages`, { content: 'after the drop' })).status).toBe(201);
      await until(() => store.channels.unreadIn(channelId) === 1, 5000, 'the message after reconnecting');
    } finally {
      connection.stop();
    }
  });

  it('reconnects again and again (with backoff) as long as the server keeps dropping it', async () => {
    const { bob, store, connection, disconnects } = await browserInChannel();
    try {
      for (let drop = 1; drop <= 3; drop++) {
        await until(() => store.user.connection === 'online', 5000, `online before drop ${drop}`);
        rt.node.io.in(rooms.user(bob.user.id)).disconnectSockets(true);
        await until(() => disconnects.length === drop, 3000, `drop ${drop}`);
      }
      await until(() => store.user.connection === 'online', 5000, 'online after three drops');
    } finally {
      connection.stop();
    }
  });

  it('does not loop once signed out: one attempt is refused, then it stays offline', async () => {
    const { bob, store, connection, disconnects, tokenRequests } = await browserInChannel();
    try {
      expect((await bob.api.post('/api/auth/sign-out')).status).toBe(204);
      const before = tokenRequests();
      const errors: string[] = [];
      connection.socket!.on('connect_error', (error) => errors.push(error.message));
      rt.node.io.in(rooms.user(bob.user.id)).disconnectSockets(true);
      await until(() => errors.length === 1, 3000, 'the refused reconnect');
      expect(errors).toEqual(['unauthorized']);
      // Many backoff periods (20 to 100 ms) later, nothing more was tried.
      await pause(800);
      expect(tokenRequests()).toBe(before + 1);
      expect(errors).toEqual(['unauthorized']);
      expect(disconnects).toEqual(['io server disconnect']);
      expect(store.user.connection).toBe('offline');
    } finally {
      connection.stop();
    }
  });
});
