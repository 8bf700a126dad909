import { sessionRoute } from '@/lib/auth/route';
import { json, methods } from '@/lib/http/route';
import { listUnreadThreads } from '@/lib/messages/thread-reads';

type Params = { channelId: string };

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  GET: sessionRoute<Params>(async ({ user, params }) => json({ threads: await listUnreadThreads({ userId: user.id, channelId: params.channelId }) })),
});
