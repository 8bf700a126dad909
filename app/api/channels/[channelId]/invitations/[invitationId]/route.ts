import { sessionRoute } from '@/lib/auth/route';
import { revokeInvitation } from '@/lib/channels';
import { methods, noContent } from '@/lib/http/route';

type Params = { channelId: string; invitationId: string };

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  /** Withdraws a pending invitation (owner only). */
  DELETE: sessionRoute<Params>(async ({ user, params }) => {
    await revokeInvitation({ userId: user.id, channelId: params.channelId, invitationId: params.invitationId });
    return noContent();
  }),
});
