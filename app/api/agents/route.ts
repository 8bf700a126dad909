import { createAgent, listAgents } from '@/lib/agents';
import { createAgentInput } from '@/lib/agents/schemas';
import { json, parseBody, sessionRoute } from '@/lib/http/route';

export const GET = sessionRoute(async ({ user }) => json({ agents: await listAgents({ userId: user.id }) }));

export const POST = sessionRoute(async ({ req, user }) => {
  const input = await parseBody(req, createAgentInput);
  return json({ agent: await createAgent({ userId: user.id, input }) }, 201);
});
