import { deleteAgent, getAgent, updateAgent } from '@/lib/agents';
import { updateAgentInput } from '@/lib/agents/schemas';
import { sessionRoute } from '@/lib/auth/route';
import { json, methods, noContent } from '@/lib/http/route';

type Params = { agentId: string };

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  GET: sessionRoute<Params>(async ({ user, params }) => json({ agent: await getAgent({ userId: user.id, agentId: params.agentId }) })),

  PATCH: sessionRoute<Params>(async ({ body, user, params }) => {
    const input = await body(updateAgentInput);
    return json({ agent: await updateAgent({ userId: user.id, agentId: params.agentId, input }) });
  }),

  DELETE: sessionRoute<Params>(async ({ user, params }) => {
    await deleteAgent({ userId: user.id, agentId: params.agentId });
    return noContent();
  }),
});
