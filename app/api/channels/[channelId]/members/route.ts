import { addAgentMember } from '@/lib/agents/membership';
import { sessionRoute } from '@/lib/auth/route';
import { addMember } from '@/lib/channels';
import { addMemberInput } from '@/lib/channels/schemas';
import { json, methods } from '@/lib/http/route';

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  /** A person by email (an email with no account: a pending invitation), or one of the caller's own agents. */
  POST: sessionRoute<{ channelId: string }>(async ({ body, user, params }) => {
    const input = await body(addMemberInput);
    const args = { userId: user.id, channelId: params.channelId };
    if ('agentId' in input) return json({ member: await addAgentMember({ ...args, agentId: input.agentId }) }, 201);
    return json(await addMember({ ...args, email: input.email }), 201);
  }),
});
