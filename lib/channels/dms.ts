import 'server-only';
import { and, asc, eq, ne, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { z } from 'zod';
import type { ChannelJson } from '@/lib/contracts/channels';
import { getDb, type Database } from '@/lib/db';
import { agents, channelMembers, channels, users, type Agent, type User } from '@/lib/db/schema';
import { invalidRequest, notFound } from '@/lib/http/errors';
import { newId } from '@/lib/ids';
import { getPublisher } from '@/lib/realtime/publisher';
import type { openDmInput } from './schemas';
import { toChannelJson } from './to-json';

/** The other side of a DM as the caller's sidebar names it. */
export type DmWith = NonNullable<ChannelJson['dmWith']>;

/** One canonical key per pair, so asking again (from either side) finds the same channel. */
export function dmKeyFor(userId: string, other: { kind: 'user' | 'agent'; id: string }): string {
  if (other.kind === 'agent') return `user:${userId}|agent:${other.id}`;
  const [a, b] = [userId, other.id].sort();
  return `user:${a}|user:${b}`;
}

/** Channels (of either kind) the two people are both members of, as a subquery's condition. */
const sharesAChannel = (db: Database, userId: string, otherId: string) => {
  const mine = alias(channelMembers, 'mine');
  const theirs = alias(channelMembers, 'theirs');
  return db
    .select({ one: sql`1` })
    .from(mine)
    .innerJoin(theirs, and(eq(theirs.channelId, mine.channelId), eq(theirs.userId, otherId)))
    .where(eq(mine.userId, userId))
    .limit(1);
};

/**
 * Whom a person may DM: another person they share a channel with (an unknown id and a stranger
 * answer the same 404, so nobody learns which accounts exist); an agent they own, or one that is
 * a member of one of their channels (they can already talk to it there).
 */
async function dmTarget(db: Database, userId: string, input: z.infer<typeof openDmInput>): Promise<{ user?: User; agent?: Agent }> {
  if ('userId' in input) {
    if (input.userId === userId) throw invalidRequest('A direct message needs someone else.', { userId: 'Choose another person.' });
    const [shared] = await sharesAChannel(db, userId, input.userId);
    const [user] = shared ? await db.select().from(users).where(eq(users.id, input.userId)).limit(1) : [];
    if (!user) throw notFound('User');
    return { user };
  }
  const [agent] = await db.select().from(agents).where(eq(agents.id, input.agentId)).limit(1);
  if (!agent) throw notFound('Agent');
  if (agent.ownerId === userId) return { agent };
  const mine = alias(channelMembers, 'mine');
  const [reachable] = await db
    .select({ one: sql`1` })
    .from(channelMembers)
    .innerJoin(mine, and(eq(mine.channelId, channelMembers.channelId), eq(mine.userId, userId)))
    .where(eq(channelMembers.agentId, agent.id))
    .limit(1);
  if (!reachable) throw notFound('Agent');
  return { agent };
}

/**
 * Opens the direct message between the caller and one person or agent: created the first time
 * (`created: true`), the same channel after, whichever side asks. Two first requests racing are
 * settled by the unique dm_key: the loser's insert does nothing and it reads the winner's channel.
 * An agent in a DM answers every message (lib/agents/routing.ts); it is also stored as the lead,
 * so the channel reads the same to anything that looks at its settings.
 */
export async function openDm({ user, input }: { user: { id: string; name: string }; input: z.infer<typeof openDmInput> }): Promise<{ channel: ChannelJson; created: boolean }> {
  const db = await getDb();
  const target = await dmTarget(db, user.id, input);
  const other = target.agent ? { kind: 'agent' as const, id: target.agent.id } : { kind: 'user' as const, id: target.user!.id };
  const dmKey = dmKeyFor(user.id, other);
  const name = `${user.name}, ${target.agent?.name ?? target.user!.name}`;
  const created = await db.transaction(async (tx) => {
    const [channel] = await tx
      .insert(channels)
      .values({
        id: newId(),
        name,
        ownerId: user.id,
        kind: 'dm',
        dmKey,
        ...(target.agent ? { answerMode: 'lead' as const, leadAgentId: target.agent.id } : {}),
      })
      .onConflictDoNothing({ target: channels.dmKey })
      .returning();
    if (!channel) return undefined;
    await tx.insert(channelMembers).values([
      { id: newId(), channelId: channel.id, kind: 'user', userId: user.id },
      target.agent
        ? { id: newId(), channelId: channel.id, kind: 'agent', agentId: target.agent.id }
        : { id: newId(), channelId: channel.id, kind: 'user', userId: target.user!.id },
    ]);
    return channel;
  });
  const [existing] = created ? [created] : await db.select().from(channels).where(eq(channels.dmKey, dmKey)).limit(1);
  // Deleted between the conflict and this read: the next request creates it afresh.
  if (!existing) throw notFound('Channel');
  const dmWith: DmWith = target.agent
    ? { kind: 'agent', id: target.agent.id, name: target.agent.name, avatar: target.agent.avatar }
    : { kind: 'user', id: target.user!.id, name: target.user!.name };
  if (created && target.user) {
    // The other person's sidebar gains the DM, named after the one who opened it.
    getPublisher().toUser(target.user.id, 'channel:added', { channel: { ...toChannelJson(created), dmWith: { kind: 'user', id: user.id, name: user.name } } });
  }
  return { channel: { ...toChannelJson(existing), dmWith }, created: Boolean(created) };
}

/**
 * The people and agents the caller may open a DM with (the "New message" picker): the same rule
 * as openDm, for all of them at once.
 */
export async function listDmContacts({ userId }: { userId: string }): Promise<{ people: { id: string; name: string }[]; agents: { id: string; name: string; handle: string; avatar: string | null; mine: boolean }[] }> {
  const db = await getDb();
  const mine = alias(channelMembers, 'mine');
  const people = await db
    .selectDistinct({ id: users.id, name: users.name })
    .from(mine)
    .innerJoin(channelMembers, and(eq(channelMembers.channelId, mine.channelId), ne(channelMembers.userId, userId)))
    .innerJoin(users, eq(users.id, channelMembers.userId))
    .where(eq(mine.userId, userId))
    .orderBy(asc(users.name), asc(users.id));
  const inMyChannels = db
    .select({ agentId: channelMembers.agentId })
    .from(channelMembers)
    .innerJoin(mine, and(eq(mine.channelId, channelMembers.channelId), eq(mine.userId, userId)));
  const reachable = await db
    .select({ id: agents.id, name: agents.name, handle: agents.handle, avatar: agents.avatar, ownerId: agents.ownerId })
    .from(agents)
    .where(sql`${agents.ownerId} = ${userId} or ${agents.id} in ${inMyChannels}`)
    .orderBy(asc(agents.name), asc(agents.id));
  return { people, agents: reachable.map(({ ownerId, ...agent }) => ({ ...agent, mine: ownerId === userId })) };
}

/** What a DM refuses: it stays a conversation of its two. */
export const dmRefusals = {
  rename: () => invalidRequest('A direct message cannot be renamed.', { name: 'Direct messages are named after the two in them.' }),
  add: () => invalidRequest('Nobody can be added to a direct message; create a channel for more people.'),
  remove: () => invalidRequest('Nobody can leave or be removed from a direct message; delete it instead.'),
};
