import { createChannel, listChannels } from '@/lib/channels';
import { createChannelInput } from '@/lib/channels/schemas';
import { json, parseBody, sessionRoute } from '@/lib/http/route';

export const GET = sessionRoute(async ({ user }) => json({ channels: await listChannels({ userId: user.id }) }));

export const POST = sessionRoute(async ({ req, user }) => {
  const input = await parseBody(req, createChannelInput);
  return json({ channel: await createChannel({ userId: user.id, input }) }, 201);
});
