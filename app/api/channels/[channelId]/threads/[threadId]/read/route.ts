import { sessionRoute } from '@/lib/auth/route';
import { json, methods } from '@/lib/http/route';
import { markThreadRead } from '@/lib/messages/thread-reads';
import { markThreadReadInput } from '@/lib/messages/schemas';

type Params = { channelId: string; threadId: string };

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  PUT: sessionRoute<Params>(async ({ body, user, params }) => {
    const { lastReadId } = await body(markThreadReadInput);
    return json({ thread: await markThreadRead({ userId: user.id, ...params, lastReadId }) });
  }),
});
