import { keyRoute } from '@/lib/auth/route';
import { json, methods } from '@/lib/http/route';
import { getRun } from '@/lib/teams/runs';

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  GET: keyRoute<{ channelId: string; runId: string }>('channels:query', async ({ params, caller }) => json({ run: await getRun({ userId: caller.user.id, ...params }) })),
});
