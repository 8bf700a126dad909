import { createChannel, listChannels } from '@/lib/channels';
import { createChannelInput } from '@/lib/channels/schemas';
import { sessionRoute } from '@/lib/auth/route';
import { json, methods } from '@/lib/http/route';

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  GET: sessionRoute(async ({ user }) => json({ channels: await listChannels({ userId: user.id }) })),

  POST: sessionRoute(async ({ body, user }) => {
    const input = await body(createChannelInput);
    return json({ channel: await createChannel({ userId: user.id, input }) }, 201);
  }),
});
