import { removeMember } from '@/lib/channels';
import { methods, noContent, sessionRoute } from '@/lib/http/route';

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  DELETE: sessionRoute<{ channelId: string; memberId: string }>(async ({ user, params }) => {
    await removeMember({ userId: user.id, channelId: params.channelId, memberId: params.memberId });
    return noContent();
  }),
});
