import { createChannel, listChannels } from '@/lib/channels';
import { createChannelInput } from '@/lib/channels/schemas';
import { json, methods, sessionRoute } from '@/lib/http/route';

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  GET: sessionRoute(async ({ user }) => json({ channels: await listChannels({ userId: user.id }) })),

  POST: sessionRoute(async ({ body, user }) => {
    const input = await body(createChannelInput);
    return json({ channel: await createChannel({ userId: user.id, input }) }, 201);
  }),
});
