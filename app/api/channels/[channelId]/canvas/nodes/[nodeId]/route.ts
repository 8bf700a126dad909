import { sessionRoute } from '@/lib/auth/route';
import { methods, noContent } from '@/lib/http/route';
import { removeCanvasNode } from '@/lib/teams/canvas';

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  DELETE: sessionRoute<{ channelId: string; nodeId: string }>(async ({ user, params }) => {
    await removeCanvasNode({ userId: user.id, channelId: params.channelId, nodeId: params.nodeId });
    return noContent();
  }),
});
