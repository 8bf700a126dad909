import { and, asc, eq } from 'drizzle-orm';
import type { z } from 'zod';
import { getDb } from '@/lib/db';
import { isUniqueViolation } from '@/lib/db/errors';
import { agents, type Agent } from '@/lib/db/schema';
import { conflict, notFound } from '@/lib/http/errors';
import { isUuid, newId } from '@/lib/ids';
import { DEFAULT_MODEL, type createAgentInput, type updateAgentInput } from './schemas';

export type AgentJson = Omit<Agent, 'createdAt' | 'updatedAt'> & { createdAt: string; updatedAt: string };

export function toAgentJson(agent: Agent): AgentJson {
  return { ...agent, createdAt: agent.createdAt.toISOString(), updatedAt: agent.updatedAt.toISOString() };
}

const handleTaken = (handle: string) => conflict(`You already have an agent with the handle @${handle}.`);

/** An agent of this owner, or 404: another owner's agent does not exist for the caller. */
async function requireOwnAgent({ userId, agentId }: { userId: string; agentId: string }): Promise<Agent> {
  if (!isUuid(agentId)) throw notFound('Agent');
  const db = await getDb();
  const [agent] = await db.select().from(agents).where(and(eq(agents.id, agentId), eq(agents.ownerId, userId))).limit(1);
  if (!agent) throw notFound('Agent');
  return agent;
}

export async function listAgents({ userId }: { userId: string }): Promise<AgentJson[]> {
  const db = await getDb();
  const rows = await db.select().from(agents).where(eq(agents.ownerId, userId)).orderBy(asc(agents.handle));
  return rows.map(toAgentJson);
}

export async function getAgent(args: { userId: string; agentId: string }): Promise<AgentJson> {
  return toAgentJson(await requireOwnAgent(args));
}

export async function createAgent({ userId, input }: { userId: string; input: z.infer<typeof createAgentInput> }): Promise<AgentJson> {
  const db = await getDb();
  try {
    const [agent] = await db
      .insert(agents)
      .values({
        id: newId(),
        ownerId: userId,
        name: input.name,
        handle: input.handle,
        instructions: input.instructions,
        description: input.description ?? '',
        model: input.model ?? DEFAULT_MODEL,
        temperature: input.temperature ?? 0.7,
        avatar: input.avatar ?? null,
      })
      .returning();
    return toAgentJson(agent!);
  } catch (error) {
    if (isUniqueViolation(error)) throw handleTaken(input.handle);
    throw error;
  }
}

export async function updateAgent({ userId, agentId, input }: { userId: string; agentId: string; input: z.infer<typeof updateAgentInput> }): Promise<AgentJson> {
  await requireOwnAgent({ userId, agentId });
  const db = await getDb();
  try {
    const [agent] = await db.update(agents).set({ ...input, updatedAt: new Date() }).where(eq(agents.id, agentId)).returning();
    if (!agent) throw notFound('Agent');
    return toAgentJson(agent);
  } catch (error) {
    if (isUniqueViolation(error)) throw handleTaken(input.handle ?? '');
    throw error;
  }
}

/** Deletes the agent; its channel memberships go with it (foreign keys cascade). */
export async function deleteAgent(args: { userId: string; agentId: string }): Promise<void> {
  await requireOwnAgent(args);
  const db = await getDb();
  await db.delete(agents).where(eq(agents.id, args.agentId));
}
