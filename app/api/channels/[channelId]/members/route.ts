import { addMember } from '@/lib/channels';
import { addMemberInput } from '@/lib/channels/schemas';
import { json, parseBody, sessionRoute } from '@/lib/http/route';

export const POST = sessionRoute<{ channelId: string }>(async ({ req, user, params }) => {
  const input = await parseBody(req, addMemberInput);
  return json({ member: await addMember({ userId: user.id, channelId: params.channelId, input }) }, 201);
});
