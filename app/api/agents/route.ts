import { createAgent, listAgents } from '@/lib/agents';
import { createAgentInput } from '@/lib/agents/schemas';
import { sessionRoute } from '@/lib/auth/route';
import { json, methods } from '@/lib/http/route';

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  GET: sessionRoute(async ({ user }) => json({ agents: await listAgents({ userId: user.id }) })),

  POST: sessionRoute(async ({ body, user }) => {
    const input = await body(createAgentInput);
    return json({ agent: await createAgent({ userId: user.id, input }) }, 201);
  }),
});
