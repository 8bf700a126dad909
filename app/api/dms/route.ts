import { sessionRoute } from '@/lib/auth/route';
import { openDm } from '@/lib/channels';
import { openDmInput } from '@/lib/channels/schemas';
import { json, methods } from '@/lib/http/route';

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  /** The DM with a person or an agent: 201 the first time, 200 with the same channel after. */
  POST: sessionRoute(async ({ body, user }) => {
    const input = await body(openDmInput);
    const { channel, created } = await openDm({ user, input });
    return json({ channel }, created ? 201 : 200);
  }),
});
