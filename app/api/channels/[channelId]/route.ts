import { deleteChannelWithAttachments } from '@/lib/attachments';
import { getChannel, updateChannel } from '@/lib/channels';
import { updateChannelInput } from '@/lib/channels/schemas';
import { sessionRoute } from '@/lib/auth/route';
import { json, methods, noContent } from '@/lib/http/route';

type Params = { channelId: string };

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  GET: sessionRoute<Params>(async ({ user, params }) => json(await getChannel({ userId: user.id, channelId: params.channelId }))),

  PATCH: sessionRoute<Params>(async ({ body, user, params }) => {
    const input = await body(updateChannelInput);
    return json({ channel: await updateChannel({ userId: user.id, channelId: params.channelId, input }) });
  }),

  DELETE: sessionRoute<Params>(async ({ user, params }) => {
    // The channel, and then its attachments' files in the file store.
    await deleteChannelWithAttachments({ userId: user.id, channelId: params.channelId });
    return noContent();
  }),
});
