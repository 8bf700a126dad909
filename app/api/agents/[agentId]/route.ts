import { deleteAgent, getAgent, updateAgent } from '@/lib/agents';
import { updateAgentInput } from '@/lib/agents/schemas';
import { json, noContent, parseBody, sessionRoute } from '@/lib/http/route';

type Params = { agentId: string };

export const GET = sessionRoute<Params>(async ({ user, params }) => json({ agent: await getAgent({ userId: user.id, agentId: params.agentId }) }));

export const PATCH = sessionRoute<Params>(async ({ req, user, params }) => {
  const input = await parseBody(req, updateAgentInput);
  return json({ agent: await updateAgent({ userId: user.id, agentId: params.agentId, input }) });
});

export const DELETE = sessionRoute<Params>(async ({ user, params }) => {
  await deleteAgent({ userId: user.id, agentId: params.agentId });
  return noContent();
});
