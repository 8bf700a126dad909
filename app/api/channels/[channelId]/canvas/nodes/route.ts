import { sessionRoute } from '@/lib/auth/route';
import { json, methods } from '@/lib/http/route';
import { saveCanvasNodes, saveCanvasNodesInput } from '@/lib/teams/canvas';

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  /** Moves, adds or changes nodes (a note's text and colour); the channel sees it as `canvas:updated`. */
  PUT: sessionRoute<{ channelId: string }>(async ({ body, user, params }) => {
    const input = await body(saveCanvasNodesInput);
    return json({ canvas: await saveCanvasNodes({ userId: user.id, channelId: params.channelId, input }) });
  }),
});
