import { sessionRoute } from '@/lib/auth/route';
import { json, methods } from '@/lib/http/route';
import { getCanvas } from '@/lib/teams/canvas';

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  GET: sessionRoute<{ channelId: string }>(async ({ user, params }) => json({ canvas: await getCanvas({ userId: user.id, channelId: params.channelId }) })),
});
