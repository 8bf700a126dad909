import { sessionRoute } from '@/lib/auth/route';
import { listInvitations } from '@/lib/channels';
import { json, methods } from '@/lib/http/route';

type Params = { channelId: string };

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  /** Pending invitations of emails with no account yet (owner only). */
  GET: sessionRoute<Params>(async ({ user, params }) => json({ invitations: await listInvitations({ userId: user.id, channelId: params.channelId }) })),
});
