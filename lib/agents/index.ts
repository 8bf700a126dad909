import 'server-only';
import { and, asc, eq, inArray, isNotNull, ne } from 'drizzle-orm';
import type { z } from 'zod';
import { getCache } from '@/lib/cache';
import { invalidateWindow } from '@/lib/cache/channel-cache';
import { getDb, type Database } from '@/lib/db';
import { isUniqueViolation } from '@/lib/db/errors';
import { agentKnowledgeBases, agentMcpServers, agents, channelMembers, channels, messages, type Agent } from '@/lib/db/schema';
import { conflict, notFound } from '@/lib/http/errors';
import { foreignKnowledgeBaseIds } from '@/lib/knowledge/access';
import { foreignMcpServerIds } from '@/lib/mcp-servers';
import type { AgentJson } from '@/lib/contracts/agents';
import { isUuid, newId } from '@/lib/ids';
import { getPublisher } from '@/lib/realtime/publisher';
import { DEFAULT_MODEL, type createAgentInput, type updateAgentInput } from './schemas';

/** What an agent is linked to: the knowledge bases it answers from and the MCP servers its tools come from. */
export type AgentLinks = { knowledgeBaseIds: string[]; mcpServerIds: string[] };

const NO_LINKS: AgentLinks = { knowledgeBaseIds: [], mcpServerIds: [] };

export function toAgentJson(agent: Agent, links: AgentLinks = NO_LINKS): AgentJson {
  return { ...agent, ...links, createdAt: agent.createdAt.toISOString(), updatedAt: agent.updatedAt.toISOString() };
}

/** The links of each agent, by agent id (every id given has an entry). */
export async function linksOf(db: Database, agentIds: string[]): Promise<Map<string, AgentLinks>> {
  const byAgent = new Map<string, AgentLinks>(agentIds.map((id) => [id, { knowledgeBaseIds: [], mcpServerIds: [] }]));
  if (agentIds.length === 0) return byAgent;
  const [bases, servers] = await Promise.all([
    db.select().from(agentKnowledgeBases).where(inArray(agentKnowledgeBases.agentId, agentIds)).orderBy(asc(agentKnowledgeBases.knowledgeBaseId)),
    db.select().from(agentMcpServers).where(inArray(agentMcpServers.agentId, agentIds)).orderBy(asc(agentMcpServers.mcpServerId)),
  ]);
  for (const row of bases) byAgent.get(row.agentId)?.knowledgeBaseIds.push(row.knowledgeBaseId);
  for (const row of servers) byAgent.get(row.agentId)?.mcpServerIds.push(row.mcpServerId);
  return byAgent;
}

/** One agent's links. */
export async function linksOfAgent(db: Database, agentId: string): Promise<AgentLinks> {
  return (await linksOf(db, [agentId])).get(agentId) ?? NO_LINKS;
}

/** Gives the agent exactly these bases; another person's base is a 404, like any resource of theirs. */
async function setKnowledgeBases(db: Database, { userId, agentId, knowledgeBaseIds }: { userId: string; agentId: string; knowledgeBaseIds: string[] }): Promise<void> {
  if ((await foreignKnowledgeBaseIds(db, { userId, knowledgeBaseIds })).length > 0) throw notFound('Knowledge base');
  await db.delete(agentKnowledgeBases).where(eq(agentKnowledgeBases.agentId, agentId));
  if (knowledgeBaseIds.length > 0) await db.insert(agentKnowledgeBases).values(knowledgeBaseIds.map((knowledgeBaseId) => ({ agentId, knowledgeBaseId })));
}

/** Gives the agent exactly these MCP servers; another person's server is a 404. */
async function setMcpServers(db: Database, { userId, agentId, mcpServerIds }: { userId: string; agentId: string; mcpServerIds: string[] }): Promise<void> {
  if ((await foreignMcpServerIds(db, { userId, mcpServerIds })).length > 0) throw notFound('MCP server');
  await db.delete(agentMcpServers).where(eq(agentMcpServers.agentId, agentId));
  if (mcpServerIds.length > 0) await db.insert(agentMcpServers).values(mcpServerIds.map((mcpServerId) => ({ agentId, mcpServerId })));
}

/**
 * The abilities an agent is saved with: as given, or (when not given) `knowledge` for an agent
 * given knowledge bases and `mcp` for one given MCP servers, so giving them is enough to use them.
 */
function abilitiesFor(input: { abilities?: Agent['abilities']; knowledgeBaseIds?: string[]; mcpServerIds?: string[] }, current: Agent['abilities'] = []): Agent['abilities'] {
  if (input.abilities) return input.abilities;
  const implied = new Set(current);
  if (input.knowledgeBaseIds?.length) implied.add('knowledge');
  if (input.mcpServerIds?.length) implied.add('mcp');
  return [...implied];
}

const handleTaken = (handle: string) => conflict(`You already have an agent with the handle @${handle}.`);

/** An agent of this owner, or 404: another owner's agent does not exist for the caller. */
export async function requireOwnAgent({ userId, agentId }: { userId: string; agentId: string }): Promise<Agent> {
  if (!isUuid(agentId)) throw notFound('Agent');
  const db = await getDb();
  const [agent] = await db.select().from(agents).where(and(eq(agents.id, agentId), eq(agents.ownerId, userId))).limit(1);
  if (!agent) throw notFound('Agent');
  return agent;
}

export async function listAgents({ userId }: { userId: string }): Promise<AgentJson[]> {
  const db = await getDb();
  const rows = await db.select().from(agents).where(eq(agents.ownerId, userId)).orderBy(asc(agents.handle));
  const links = await linksOf(
    db,
    rows.map((row) => row.id),
  );
  return rows.map((row) => toAgentJson(row, links.get(row.id)));
}

export async function getAgent(args: { userId: string; agentId: string }): Promise<AgentJson> {
  const agent = await requireOwnAgent(args);
  return toAgentJson(agent, await linksOfAgent(await getDb(), agent.id));
}

export async function createAgent({ userId, input }: { userId: string; input: z.infer<typeof createAgentInput> }): Promise<AgentJson> {
  const db = await getDb();
  try {
    const agent = await db.transaction(async (tx) => {
      const [row] = await tx
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
        abilities: abilitiesFor(input),
      })
      .returning();
      if (input.knowledgeBaseIds?.length) await setKnowledgeBases(tx, { userId, agentId: row!.id, knowledgeBaseIds: input.knowledgeBaseIds });
      if (input.mcpServerIds?.length) await setMcpServers(tx, { userId, agentId: row!.id, mcpServerIds: input.mcpServerIds });
      return row!;
    });
    return toAgentJson(agent, { knowledgeBaseIds: input.knowledgeBaseIds ?? [], mcpServerIds: input.mcpServerIds ?? [] });
  } catch (error) {
    if (isUniqueViolation(error)) throw handleTaken(input.handle);
    throw error;
  }
}

/** The channels an agent is a member of. */
async function channelsWith(db: Database, agentId: string): Promise<string[]> {
  const rows = await db.select({ channelId: channelMembers.channelId }).from(channelMembers).where(eq(channelMembers.agentId, agentId));
  return rows.map((row) => row.channelId);
}

/**
 * The channels an agent is in or has written to: their member lists and cached history name it,
 * so a rename or a deletion refreshes them (cached windows dropped, members told).
 */
async function channelsShowing(db: Database, agentId: string): Promise<string[]> {
  const rows = await db
    .select({ channelId: channelMembers.channelId })
    .from(channelMembers)
    .where(eq(channelMembers.agentId, agentId))
    .union(db.selectDistinct({ channelId: messages.channelId }).from(messages).where(eq(messages.authorAgentId, agentId)));
  return rows.map((row) => row.channelId);
}

/** The threads an agent has replied in: their cached windows name it too. */
async function threadsShowing(db: Database, agentId: string): Promise<{ channelId: string; threadId: string }[]> {
  const rows = await db
    .selectDistinct({ channelId: messages.channelId, threadId: messages.threadId })
    .from(messages)
    .where(and(eq(messages.authorAgentId, agentId), isNotNull(messages.threadId)));
  return rows.map((row) => ({ channelId: row.channelId, threadId: row.threadId! }));
}

async function refreshChannels(channelIds: string[], threads: { channelId: string; threadId: string }[] = []) {
  const cache = getCache();
  await Promise.all([...channelIds.map((channelId) => invalidateWindow(cache, { channelId })), ...threads.map((thread) => invalidateWindow(cache, thread))]);
  for (const channelId of channelIds) getPublisher().toChannel(channelId, 'channel:updated', { channelId });
}

export async function updateAgent({ userId, agentId, input }: { userId: string; agentId: string; input: z.infer<typeof updateAgentInput> }): Promise<AgentJson> {
  const current = await requireOwnAgent({ userId, agentId });
  const db = await getDb();
  if (input.handle && input.handle !== current.handle) {
    // Mentions must stay unambiguous in every channel the agent is in.
    const inChannels = db.select({ channelId: channelMembers.channelId }).from(channelMembers).where(eq(channelMembers.agentId, agentId));
    const [clash] = await db
      .select({ id: agents.id })
      .from(channelMembers)
      .innerJoin(agents, eq(agents.id, channelMembers.agentId))
      .where(and(inArray(channelMembers.channelId, inChannels), eq(agents.handle, input.handle), ne(agents.id, agentId)))
      .limit(1);
    if (clash) throw conflict(`Another agent in one of this agent's channels already answers to @${input.handle}.`);
  }
  try {
    const { knowledgeBaseIds, mcpServerIds, ...fields } = input;
    const agent = await db.transaction(async (tx) => {
      const [row] = await tx
        .update(agents)
        .set({ ...fields, abilities: abilitiesFor(input, current.abilities), updatedAt: new Date() })
        .where(eq(agents.id, agentId))
        .returning();
      if (row && knowledgeBaseIds) await setKnowledgeBases(tx, { userId, agentId, knowledgeBaseIds });
      if (row && mcpServerIds) await setMcpServers(tx, { userId, agentId, mcpServerIds });
      return row;
    });
    if (!agent) throw notFound('Agent');
    if (input.name !== undefined || input.handle !== undefined || input.avatar !== undefined || input.description !== undefined) {
      await refreshChannels(await channelsShowing(db, agentId), await threadsShowing(db, agentId));
    } else if (knowledgeBaseIds || mcpServerIds || input.abilities) {
      // Its channels' canvases show its abilities and knowledge (no cached history names them).
      for (const channelId of await channelsWith(db, agentId)) getPublisher().toChannel(channelId, 'channel:updated', { channelId });
    }
    return toAgentJson(agent, await linksOfAgent(db, agent.id));
  } catch (error) {
    if (isUniqueViolation(error)) throw handleTaken(input.handle ?? '');
    throw error;
  }
}

/**
 * Deletes the agent: it leaves its channels (foreign keys cascade) and stops leading any; its
 * messages stay in the history, shown as a deleted agent's.
 */
export async function deleteAgent(args: { userId: string; agentId: string }): Promise<void> {
  await requireOwnAgent(args);
  const db = await getDb();
  const channelIds = await channelsShowing(db, args.agentId);
  const threads = await threadsShowing(db, args.agentId);
  await db.transaction(async (tx) => {
    await tx
      .update(channels)
      .set({ answerMode: 'nobody' })
      .where(and(eq(channels.leadAgentId, args.agentId), eq(channels.answerMode, 'lead')));
    await tx.delete(agents).where(eq(agents.id, args.agentId));
  });
  await refreshChannels(channelIds, threads);
}
