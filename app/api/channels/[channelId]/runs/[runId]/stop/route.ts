import { sessionRoute } from '@/lib/auth/route';
import { json, methods } from '@/lib/http/route';
import { stopRun } from '@/lib/teams/runs';

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  /** Stops a goal run; its finished tasks stay, the one in progress ends failed. */
  POST: sessionRoute<{ channelId: string; runId: string }>(async ({ user, params }) => json({ run: await stopRun({ user, ...params }) })),
});
