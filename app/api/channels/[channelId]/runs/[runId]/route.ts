import { sessionRoute } from '@/lib/auth/route';
import { json, methods } from '@/lib/http/route';
import { getRun } from '@/lib/teams/runs';

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  GET: sessionRoute<{ channelId: string; runId: string }>(async ({ user, params }) => json({ run: await getRun({ userId: user.id, ...params }) })),
});
