import { removeMember } from '@/lib/channels';
import { noContent, sessionRoute } from '@/lib/http/route';

export const DELETE = sessionRoute<{ channelId: string; memberId: string }>(async ({ user, params }) => {
  await removeMember({ userId: user.id, channelId: params.channelId, memberId: params.memberId });
  return noContent();
});
