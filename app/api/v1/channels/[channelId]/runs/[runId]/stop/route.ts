import { keyRoute } from '@/lib/auth/route';
import { json, methods } from '@/lib/http/route';
import { stopRun } from '@/lib/teams/runs';

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  POST: keyRoute<{ channelId: string; runId: string }>('channels:query', async ({ params, caller }) => json({ run: await stopRun({ user: caller.user, ...params }) })),
});
