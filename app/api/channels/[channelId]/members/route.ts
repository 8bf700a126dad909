import { addMember } from '@/lib/channels';
import { addMemberInput } from '@/lib/channels/schemas';
import { sessionRoute } from '@/lib/auth/route';
import { json, methods } from '@/lib/http/route';

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  POST: sessionRoute<{ channelId: string }>(async ({ body, user, params }) => {
    const input = await body(addMemberInput);
    return json({ member: await addMember({ userId: user.id, channelId: params.channelId, input }) }, 201);
  }),
});
