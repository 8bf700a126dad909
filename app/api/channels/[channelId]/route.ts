import { deleteChannel, getChannel, updateChannel } from '@/lib/channels';
import { updateChannelInput } from '@/lib/channels/schemas';
import { json, noContent, parseBody, sessionRoute } from '@/lib/http/route';

type Params = { channelId: string };

export const GET = sessionRoute<Params>(async ({ user, params }) => json(await getChannel({ userId: user.id, channelId: params.channelId })));

export const PATCH = sessionRoute<Params>(async ({ req, user, params }) => {
  const input = await parseBody(req, updateChannelInput);
  return json({ channel: await updateChannel({ userId: user.id, channelId: params.channelId, input }) });
});

export const DELETE = sessionRoute<Params>(async ({ user, params }) => {
  await deleteChannel({ userId: user.id, channelId: params.channelId });
  return noContent();
});
