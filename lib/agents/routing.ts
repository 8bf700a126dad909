import 'server-only';
import { asc, eq } from 'drizzle-orm';
import type { ModelProvider } from '@/lib/ai';
import { meteredStream } from '@/lib/usage/metered';
import type { Database } from '@/lib/db';
import type { Payer } from '@/lib/usage/payer';
import { agents, channelMembers, channels, users, type Agent, type Channel } from '@/lib/db/schema';
import type { ContextMember } from './context';
import { handOffMentions, parseMentions } from '@/lib/mentions';

/** A channel as its agents see it: settings, its agents (in the order they joined), and everyone. */
export type Team = { channel: Channel; agents: Agent[]; members: ContextMember[] };

export async function loadTeam(db: Database, channelId: string): Promise<Team | undefined> {
  const [channel] = await db.select().from(channels).where(eq(channels.id, channelId)).limit(1);
  if (!channel) return undefined;
  const rows = await db
    .select({ kind: channelMembers.kind, userId: users.id, userName: users.name, agent: agents })
    .from(channelMembers)
    .leftJoin(users, eq(users.id, channelMembers.userId))
    .leftJoin(agents, eq(agents.id, channelMembers.agentId))
    .where(eq(channelMembers.channelId, channelId))
    .orderBy(asc(channelMembers.createdAt), asc(channelMembers.id));
  const team: Team = { channel, agents: [], members: [] };
  for (const row of rows) {
    if (row.agent) {
      team.agents.push(row.agent);
      team.members.push({ kind: 'agent', id: row.agent.id, name: row.agent.name, handle: row.agent.handle, description: row.agent.description });
    } else if (row.userId) {
      team.members.push({ kind: 'user', id: row.userId, name: row.userName ?? 'Unknown' });
    }
  }
  return team;
}

/** The channel's agents mentioned in `content`, in mention order, never `exclude` (no self-replies). */
export function mentionedAgents(team: Team, content: string, exclude?: string): Agent[] {
  return parseMentions(content)
    .map((handle) => team.agents.find((agent) => agent.handle === handle))
    .filter((agent): agent is Agent => Boolean(agent) && agent!.id !== exclude);
}

/**
 * The agents an agent's reply hands off to: those it mentions in its own words (not in code,
 * quotes or quoted lines), never itself and never one already answering in this chain (`busy`):
 * agents do not hand back to one another; only a person brings an agent in again.
 */
export function handOffAgents(team: Team, content: string, { from, busy }: { from: string; busy: Set<string> }): Agent[] {
  return handOffMentions(content)
    .map((handle) => team.agents.find((agent) => agent.handle === handle))
    .filter((agent): agent is Agent => Boolean(agent) && agent!.id !== from && !busy.has(agent!.id));
}

const words = (text: string) => new Set(text.toLowerCase().match(/[a-z0-9]{3,}/g) ?? []);

/**
 * The offline orchestrator, and the fallback when a model's choice is unusable: the agent whose
 * name, handle and description share the most words with the message; ties go to the agent that
 * joined first. Never its instructions: they are their owner's alone, and which agent answers
 * would tell every member whether a word appears in them.
 */
export function chooseByOverlap(agentsInChannel: Agent[], content: string): Agent | undefined {
  const asked = words(content);
  let best: { agent: Agent; score: number } | undefined;
  for (const agent of agentsInChannel) {
    let score = 0;
    for (const word of words(`${agent.name} ${agent.handle.replace(/-/g, ' ')} ${agent.description}`)) if (asked.has(word)) score += 2;
    if (!best || score > best.score) best = { agent, score };
  }
  return best?.agent;
}

/**
 * The orchestrator: asks the model which agent suits the message best, from their descriptions,
 * and takes the first handle it names; the offline model, or an answer naming no agent, falls
 * back to word overlap (so does a payer over budget: the reply that follows then says so). The
 * routing call is recorded as usage (source "route"), paid by `payer`: the message's author when
 * the caller knows them, else the channel's owner, who chose to have an orchestrator.
 */
export async function chooseAgent(provider: ModelProvider, team: Team, content: string, payer: Payer = { userId: team.channel.ownerId }): Promise<Agent | undefined> {
  const candidates = team.agents;
  if (candidates.length <= 1 || provider.kind === 'offline') return chooseByOverlap(candidates, content);
  const lead = candidates.find((agent) => agent.id === team.channel.leadAgentId) ?? candidates[0]!;
  // Names and specializations only: the routing call's prompt is no place for private instructions.
  const roster = candidates.map((agent) => `@${agent.handle}: ${agent.name}. ${agent.description || '(no specialization given)'}`).join('\n');
  try {
    let answer = '';
    const call = meteredStream(
      {
        model: lead.model,
        temperature: 0,
        messages: [
          {
            role: 'system',
            content: `You route messages in a team chat to the single best-suited AI agent.\nAgents:\n${roster}\nAnswer with that agent's @handle and nothing else.`,
          },
          { role: 'user', content },
        ],
      },
      { payer, channelId: team.channel.id, source: 'route' },
      provider,
    );
    for await (const event of call) if (event.type === 'delta') answer += event.text;
    const named = parseMentions(answer.includes('@') ? answer : `@${answer.trim()}`)
      .map((handle) => candidates.find((agent) => agent.handle === handle))
      .find(Boolean);
    return named ?? chooseByOverlap(candidates, content);
  } catch {
    return chooseByOverlap(candidates, content);
  }
}

/**
 * Who answers a person's message: the agents it mentions; without mentions, the channel's
 * answer mode decides (nobody, the lead agent, or the orchestrator's choice).
 */
export async function answerersFor(provider: ModelProvider, team: Team, content: string, payer?: Payer): Promise<Agent[]> {
  const mentioned = mentionedAgents(team, content);
  if (mentioned.length > 0) return mentioned;
  switch (team.channel.answerMode) {
    case 'nobody':
      return [];
    case 'lead': {
      const lead = team.agents.find((agent) => agent.id === team.channel.leadAgentId);
      return lead ? [lead] : [];
    }
    case 'orchestrator': {
      const chosen = await chooseAgent(provider, team, content, payer);
      return chosen ? [chosen] : [];
    }
  }
}
