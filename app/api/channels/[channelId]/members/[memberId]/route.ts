import { removeMember } from '@/lib/channels';
import { sessionRoute } from '@/lib/auth/route';
import { methods, noContent } from '@/lib/http/route';

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  DELETE: sessionRoute<{ channelId: string; memberId: string }>(async ({ user, params }) => {
    await removeMember({ userId: user.id, channelId: params.channelId, memberId: params.memberId });
    return noContent();
  }),
});
