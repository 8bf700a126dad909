import { sessionRoute } from '@/lib/auth/route';
import { json, methods } from '@/lib/http/route';
import { listRuns, startRunResponse } from '@/lib/teams/runs';
import { startRunInput } from '@/lib/teams/schemas';

type Params = { channelId: string };

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  /** The channel's latest goal runs, newest first. */
  GET: sessionRoute<Params>(async ({ user, params }) => json({ runs: await listRuns({ userId: user.id, channelId: params.channelId }) })),
  /** Starts a goal run: 201 `{run}`, or its events as a stream with `stream: true`. */
  POST: sessionRoute<Params>(async ({ req, body, user, params }) => startRunResponse({ user, channelId: params.channelId, input: await body(startRunInput), signal: req.signal })),
});
