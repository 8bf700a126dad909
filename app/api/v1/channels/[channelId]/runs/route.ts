import { keyRoute } from '@/lib/auth/route';
import { methods } from '@/lib/http/route';
import { startRunResponse } from '@/lib/teams/runs';
import { startRunInput } from '@/lib/teams/schemas';

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  /** Starts a goal run in a channel of the key's owner: 201 `{run}`, or its events as a stream. */
  POST: keyRoute<{ channelId: string }>('channels:query', async ({ req, body, params, caller }) =>
    startRunResponse({ user: caller.user, channelId: params.channelId, input: await body(startRunInput), signal: req.signal }),
  ),
});
