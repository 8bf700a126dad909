import 'server-only';
import { and, asc, eq, isNull } from 'drizzle-orm';
import type { ModelProvider } from '@/lib/ai';
import { meteredStream } from '@/lib/usage/metered';
import type { Database } from '@/lib/db';
import type { Payer } from '@/lib/usage/payer';
import { agents, channelMembers, channels, runs, users, type Agent, type Channel } from '@/lib/db/schema';
import type { ContextMember } from './context';
import { addressedPerson, handOffMentions, parseMentions } from '@/lib/mentions';
import { contentStems, contentWords, isSmallTalk, stemOf } from '@/lib/ai/words';
import type { RoutingJson } from '@/lib/contracts/runs';

/** A channel as its agents see it: settings, its agents (in the order they joined), and everyone. */
export type Team = { channel: Channel; agents: Agent[]; members: ContextMember[] };

export async function loadTeam(db: Database, channelId: string): Promise<Team | undefined> {
  // One round trip: the channel with its members (every message a person sends loads it).
  const rows = await db
    .select({ channel: channels, kind: channelMembers.kind, userId: users.id, userName: users.name, agent: agents })
    .from(channels)
    .leftJoin(channelMembers, eq(channelMembers.channelId, channels.id))
    .leftJoin(users, eq(users.id, channelMembers.userId))
    .leftJoin(agents, eq(agents.id, channelMembers.agentId))
    .where(eq(channels.id, channelId))
    .orderBy(asc(channelMembers.createdAt), asc(channelMembers.id));
  if (!rows[0]) return undefined;
  const team: Team = { channel: rows[0].channel, agents: [], members: [] };
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

/** What an agent's name, handle and specialization are about (never its instructions). */
const agentStems = (agent: Agent) => new Set(contentStems(`${agent.name} ${agent.handle.replace(/-/g, ' ')} ${agent.description}`));

/** The agent sharing the most content words with the message, and the message's words it shares; none sharing any, undefined. */
function bestOverlap(agentsInChannel: Agent[], content: string): { agent: Agent; shared: string[] } | undefined {
  const asked = contentWords(content);
  let best: { agent: Agent; shared: string[] } | undefined;
  for (const agent of agentsInChannel) {
    const own = agentStems(agent);
    const shared = asked.filter((word) => own.has(stemOf(word)));
    if (shared.length > 0 && (!best || shared.length > best.shared.length)) best = { agent, shared };
  }
  return best;
}

/**
 * The offline orchestrator's pick, and the fallback when a model's choice is unusable: the agent
 * whose name, handle and description share the most words with the message; ties go to the agent
 * that joined first; no agent sharing a word, nobody. Never its instructions: they are their
 * owner's alone, and which agent answers would tell every member whether a word appears in them.
 */
export function chooseByOverlap(agentsInChannel: Agent[], content: string): Agent | undefined {
  return bestOverlap(agentsInChannel, content)?.agent;
}

/** A supervisor's choice for a person's message: the agent that answers, or none, and why (kept on the message as `routing`). */
export type Choice = { agent?: Agent; reason: string };

const listed = (words: string[]) => words.slice(0, 3).map((word) => `"${word}"`).join(', ');

/** The choice without a model: small talk goes to nobody, else the best overlap, said why. */
function choiceByOverlap(team: Team, content: string): Choice {
  if (isSmallTalk(content, team.members.map((m) => `${m.name} ${m.handle ?? ''}`))) return { reason: 'Small talk: no agent is needed' };
  const best = bestOverlap(team.agents, content);
  if (!best) return { reason: "No agent's specialization matches the message" };
  return { agent: best.agent, reason: `${best.agent.name}'s specialization matches ${listed(best.shared)}` };
}

/** The channel's people other than the author: a message opening with one's name, or mentioning one, is for them. */
const peopleFor = (team: Team, authorId?: string) => team.members.filter((m) => m.kind === 'user' && m.id !== authorId).map((m) => m.name);

const REASON_CHARS = 200;

/**
 * A routing model's answer: the first line names the agent (`@handle`, or a handle alone) or
 * `nobody`, the second says why. Anything else is unusable (undefined): the caller falls back.
 */
function readAnswer(answer: string, candidates: Agent[]): Choice | undefined {
  const [first = '', ...rest] = answer
    .split('\n')
    .map((line) => line.replace(/^[\s*_`"'>-]+|[\s*_`"'.]+$/g, ''))
    .filter(Boolean);
  // The reason on its own line, or after the choice on the first ("nobody: small talk").
  const said = rest.length ? rest.join(' ') : first.replace(/^(nobody|no one|none|no agent|@?[a-z0-9-]+)[\s:,;.—–-]*/i, '');
  const why = said.replace(/^(reason|why)\s*:\s*/i, '').trim().slice(0, REASON_CHARS);
  if (/^(nobody|no one|none|no agent)\b/i.test(first)) return { reason: why || 'The supervisor chose nobody' };
  const agent = parseMentions(first.includes('@') ? first : `@${first}`)
    .map((handle) => candidates.find((candidate) => candidate.handle === handle))
    .find(Boolean);
  return agent && { agent, reason: why || `The supervisor chose ${agent.name}` };
}

/**
 * The orchestrator: a message addressed to a person goes to nobody, before any model call. Else
 * the model picks the agent whose specialization suits the message best, or nobody (a message for
 * a person, small talk, thanks), with a one-line reason; the offline model, an unusable answer or
 * a failed call (a payer over budget too: the reply that follows then says so) fall back to word
 * overlap. The routing call is recorded as usage (source "route"), paid by `payer`: the message's
 * author when the caller knows them, else the channel's owner, who chose to have an orchestrator.
 * `authorId` is the message's author, never taken for the person it is addressed to.
 */
export async function chooseAgent(provider: ModelProvider, team: Team, content: string, payer: Payer = { userId: team.channel.ownerId }, authorId?: string): Promise<Choice> {
  const person = addressedPerson(content, peopleFor(team, authorId));
  if (person) return { reason: `Addressed to ${person}` };
  const candidates = team.agents;
  if (candidates.length === 0) return { reason: 'No agent is in this channel' };
  if (provider.kind === 'offline') return choiceByOverlap(team, content);
  const lead = candidates.find((agent) => agent.id === team.channel.leadAgentId) ?? candidates[0]!;
  // Names and specializations only: the routing call's prompt is no place for private instructions.
  const roster = candidates.map((agent) => `@${agent.handle}: ${agent.name}. ${agent.description || '(no specialization given)'}`).join('\n');
  const people = team.members.filter((m) => m.kind === 'user').map((m) => m.name);
  try {
    let answer = '';
    const call = meteredStream(
      {
        model: lead.model,
        temperature: 0,
        messages: [
          {
            role: 'system',
            content:
              'You route messages in a team chat to the single best-suited AI agent, or to nobody.\n' +
              `Agents:\n${roster}\n` +
              (people.length ? `People: ${people.join(', ')}\n` : '') +
              'Answer nobody when the message is for a person, small talk or thanks, or no agent suits it.\n' +
              "Answer in two lines: first the agent's @handle, or nobody; then one short reason.",
          },
          { role: 'user', content },
        ],
      },
      { payer, channelId: team.channel.id, source: 'route' },
      provider,
    );
    for await (const event of call) if (event.type === 'delta') answer += event.text;
    return readAnswer(answer, candidates) ?? choiceByOverlap(team, content);
  } catch {
    return choiceByOverlap(team, content);
  }
}

/** The goal run still going in a channel, if any (at most one at a time). */
export async function activeRunId(db: Database, channelId: string): Promise<string | undefined> {
  const [row] = await db.select({ id: runs.id }).from(runs).where(and(eq(runs.channelId, channelId), isNull(runs.endedAt))).limit(1);
  return row?.id;
}

/** Who answers a person's message, and (orchestrator mode, no agent mentioned) the choice to keep on it. */
export type Answerers = { agents: Agent[]; routing?: RoutingJson };

/**
 * Who answers a person's message: the agents it mentions; without mentions, the channel's
 * answer mode decides (nobody, the lead agent, or the orchestrator's choice, which may be nobody).
 */
export async function answerersFor(
  provider: ModelProvider,
  team: Team,
  message: { content: string; authorId: string; runGoing?: () => Promise<boolean> },
): Promise<Answerers> {
  // A direct message with an agent is a conversation with it: it answers every message, as the
  // lead would, whatever the channel's settings say.
  if (team.channel.kind === 'dm') return { agents: team.agents.slice(0, 1) };
  const mentioned = mentionedAgents(team, message.content);
  if (mentioned.length > 0) return { agents: mentioned };
  // While a goal run is going, a message that mentions no agent is for the run: its supervisor
  // reads it at its next step (lib/teams/runs), and no agent answers it on the side.
  if (team.channel.answerMode !== 'nobody' && (await message.runGoing?.())) return { agents: [] };
  switch (team.channel.answerMode) {
    case 'nobody':
      return { agents: [] };
    case 'lead': {
      const lead = team.agents.find((agent) => agent.id === team.channel.leadAgentId);
      return { agents: lead ? [lead] : [] };
    }
    case 'orchestrator': {
      // The routing call is paid by whoever asked, like the replies it chooses.
      const { agent, reason } = await chooseAgent(provider, team, message.content, { userId: message.authorId }, message.authorId);
      return { agents: agent ? [agent] : [], routing: { agentId: agent?.id ?? null, reason } };
    }
  }
}
