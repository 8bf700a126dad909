import { sessionRoute } from '@/lib/auth/route';
import { markRead } from '@/lib/channels';
import { markReadInput } from '@/lib/channels/schemas';
import { json, methods } from '@/lib/http/route';

type Params = { channelId: string };

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  /** Moves the caller's read mark forward (never back); answers the mark as it stands. */
  PUT: sessionRoute<Params>(async ({ body, user, params }) => {
    const { lastReadId } = await body(markReadInput);
    return json(await markRead({ userId: user.id, channelId: params.channelId, lastReadId }));
  }),
});
