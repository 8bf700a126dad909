import 'server-only';
import { and, asc, eq, or, sql } from 'drizzle-orm';
import type { z } from 'zod';
import { getCache } from '@/lib/cache';
import type { ChannelJson, InvitationJson, MemberJson } from '@/lib/contracts/channels';
import { invalidateMembers, invalidateWindow } from '@/lib/cache/channel-cache';
import { getDb, type Database } from '@/lib/db';
import { isForeignKeyViolation, isUniqueViolation } from '@/lib/db/errors';
import { agents, channelMembers, channels, users, type Agent, type Channel, type ChannelMember } from '@/lib/db/schema';
import { AppError, conflict, forbidden, invalidRequest, notFound } from '@/lib/http/errors';
import { isUuid, newId } from '@/lib/ids';
import { getPublisher } from '@/lib/realtime/publisher';
import { requireMember, requireOwner } from './access';
import { dmRefusals } from './dms';
import { createInvitation } from './invitations';
import type { createChannelInput, updateChannelInput } from './schemas';
import { toChannelJson } from './to-json';

export { toChannelJson } from './to-json';
export { listChannels, markRead } from './read-state';
export { listDmContacts, openDm } from './dms';
export { acceptInvitations, listInvitations, revokeInvitation } from './invitations';

function nameTaken(): AppError {
  return conflict('You already own a channel with that name.');
}

export async function createChannel({ userId, input }: { userId: string; input: z.infer<typeof createChannelInput> }): Promise<ChannelJson> {
  const db = await getDb();
  try {
    const channel = await db.transaction(async (tx) => {
      const [created] = await tx
        .insert(channels)
        .values({ id: newId(), name: input.name, description: input.description ?? '', ownerId: userId })
        .returning();
      await tx.insert(channelMembers).values({ id: newId(), channelId: created!.id, kind: 'user', userId });
      return created!;
    });
    return toChannelJson(channel);
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken();
    throw error;
  }
}

export function toMemberJson({
  member,
  name,
  email,
  agent,
  ownerId,
}: {
  member: ChannelMember;
  name: string | null;
  email: string | null;
  agent: Agent | null;
  ownerId: string;
}): MemberJson {
  const joined = { role: member.userId === ownerId ? 'owner' : 'member', joinedAt: member.createdAt.toISOString() } as const;
  if (agent) {
    return { id: agent.id, kind: 'agent', name: agent.name, handle: agent.handle, avatar: agent.avatar, description: agent.description, ownerId: agent.ownerId, ...joined };
  }
  return { id: member.userId!, kind: 'user', name: name ?? 'Unknown', ...(email ? { email } : {}), ...joined };
}

export async function listMembers({ channelId, ownerId }: { channelId: string; ownerId: string }): Promise<MemberJson[]> {
  const db = await getDb();
  const rows = await db
    .select({ member: channelMembers, name: users.name, email: users.email, agent: agents })
    .from(channelMembers)
    .leftJoin(users, eq(users.id, channelMembers.userId))
    .leftJoin(agents, eq(agents.id, channelMembers.agentId))
    .where(eq(channelMembers.channelId, channelId))
    .orderBy(asc(channelMembers.createdAt), asc(channelMembers.id));
  return rows.map((row) => toMemberJson({ ...row, ownerId }));
}

export async function getChannel({ userId, channelId }: { userId: string; channelId: string }) {
  const db = await getDb();
  const { channel } = await requireMember(db, { userId, channelId });
  const members = await listMembers({ channelId, ownerId: channel.ownerId });
  // A DM is shown as the other side, as GET /api/channels names it.
  const other = channel.kind === 'dm' ? members.find((m) => m.id !== userId) : undefined;
  const dmWith = other && { kind: other.kind, id: other.id, name: other.name, ...(other.kind === 'agent' ? { avatar: other.avatar ?? null } : {}) };
  return { channel: { ...toChannelJson(channel), ...(dmWith ? { dmWith } : {}) }, members };
}

export async function updateChannel({
  userId,
  channelId,
  input,
}: {
  userId: string;
  channelId: string;
  input: z.infer<typeof updateChannelInput>;
}): Promise<ChannelJson> {
  const db = await getDb();
  const { channel } = await requireOwner(db, { userId, channelId }, 'change it');
  if (channel.kind === 'dm' && input.name !== undefined) throw dmRefusals.rename();
  await checkAnswerSettings(db, channel, input);
  try {
    const [updated] = await db
      .update(channels)
      .set({ ...input, updatedAt: new Date() })
      .where(eq(channels.id, channelId))
      .returning();
    if (!updated) throw notFound('Channel');
    getPublisher().toChannel(channelId, 'channel:updated', { channelId });
    return toChannelJson(updated);
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken();
    throw error;
  }
}

/** A lead agent must be one of the channel's agents; "lead" mode needs one. */
async function checkAnswerSettings(db: Database, channel: Channel, input: z.infer<typeof updateChannelInput>) {
  const leadAgentId = input.leadAgentId === undefined ? channel.leadAgentId : input.leadAgentId;
  if (input.leadAgentId) {
    const [member] = await db
      .select({ id: channelMembers.id })
      .from(channelMembers)
      .where(and(eq(channelMembers.channelId, channel.id), eq(channelMembers.agentId, input.leadAgentId)))
      .limit(1);
    if (!member) throw invalidRequest('The lead agent must be an agent in this channel.', { leadAgentId: 'Add the agent to the channel first.' });
  }
  if ((input.answerMode ?? channel.answerMode) === 'lead' && !leadAgentId) {
    throw invalidRequest('Choose a lead agent to answer in "lead" mode.', { leadAgentId: 'Choose one of the channel\'s agents.' });
  }
}

/** Deletes the channel with its members and messages (foreign keys cascade). */
export async function deleteChannel({ userId, channelId }: { userId: string; channelId: string }): Promise<void> {
  const db = await getDb();
  await requireOwner(db, { userId, channelId }, 'delete it');
  const removed = await db.transaction(async (tx) => {
    const members = await tx.select({ userId: channelMembers.userId }).from(channelMembers).where(eq(channelMembers.channelId, channelId));
    await tx.delete(channels).where(eq(channels.id, channelId));
    return members;
  });
  const cache = getCache();
  await Promise.all([invalidateMembers(cache, { channelId }), invalidateWindow(cache, { channelId })]);
  const publisher = getPublisher();
  publisher.closeChannel(channelId);
  for (const member of removed) if (member.userId) publisher.toUser(member.userId, 'channel:removed', { channelId });
}

/** A user's account by email, as lib/auth stores emails (trimmed, lowercased). */
async function accountByEmail(db: Database, email: string) {
  const [user] = await db.select().from(users).where(eq(users.email, email)).limit(1);
  return user;
}

/**
 * Any member may invite a person by email (agents join through lib/agents/membership.ts): a
 * registered user joins at once (`member`); an email with no account gets a pending invitation
 * (`invitation`), accepted when someone signs up with it. Nobody joins a DM.
 */
export async function addMember({ userId, channelId, email: given }: { userId: string; channelId: string; email: string }): Promise<{ member: MemberJson } | { invitation: InvitationJson }> {
  const db = await getDb();
  const { channel } = await requireMember(db, { userId, channelId });
  if (channel.kind === 'dm') throw dmRefusals.add();
  const email = given.trim().toLowerCase();
  const invitee = await accountByEmail(db, email);
  if (!invitee) return { invitation: await createInvitation({ userId, channelId, email }) };
  try {
    const [member] = await db.insert(channelMembers).values({ id: newId(), channelId, kind: 'user', userId: invitee.id }).returning();
    await invalidateMembers(getCache(), { channelId });
    getPublisher().toUser(invitee.id, 'channel:added', { channel: toChannelJson(channel) });
    getPublisher().toChannel(channelId, 'channel:updated', { channelId });
    return { member: toMemberJson({ member: member!, name: invitee.name, email: invitee.email, agent: null, ownerId: channel.ownerId }) };
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`${invitee.name} is already a member of this channel.`);
    if (isForeignKeyViolation(error)) throw notFound('Channel');
    throw error;
  }
}

/** The owner removes anyone but themselves; any member may remove themselves (leave). */
export async function removeMember({ userId, channelId, memberId }: { userId: string; channelId: string; memberId: string }): Promise<void> {
  const db = await getDb();
  const { channel, isOwner } = await requireMember(db, { userId, channelId });
  if (channel.kind === 'dm') throw dmRefusals.remove();
  if (!isUuid(memberId)) throw notFound('Member');
  const [target] = await db
    .select({ member: channelMembers, agentOwnerId: agents.ownerId })
    .from(channelMembers)
    .leftJoin(agents, eq(agents.id, channelMembers.agentId))
    .where(and(eq(channelMembers.channelId, channelId), or(eq(channelMembers.userId, memberId), eq(channelMembers.agentId, memberId))))
    .limit(1);
  if (!target) throw notFound('Member');
  // Besides the owner, people may remove themselves and their own agents.
  const ownsAgent = target.agentOwnerId === userId;
  if (!isOwner && memberId !== userId && !ownsAgent) throw forbidden("Only the channel's owner can remove other members.");
  if (memberId === channel.ownerId) throw conflict('The owner cannot leave the channel; delete it instead.');
  const removed = await db.transaction(async (tx) => {
    const gone = await tx.delete(channelMembers).where(eq(channelMembers.id, target.member.id)).returning({ id: channelMembers.id });
    // A lead agent that leaves stops leading; "lead" mode without a lead falls back to nobody.
    if (gone.length && channel.leadAgentId === memberId) {
      await tx
        .update(channels)
        .set({ leadAgentId: null, answerMode: sql`case when ${channels.answerMode} = 'lead' then 'nobody' else ${channels.answerMode} end`, updatedAt: new Date() })
        .where(eq(channels.id, channelId));
    }
    return gone;
  });
  if (removed.length === 0) throw notFound('Member');
  // The removed member's very next read must be refused: drop the cached member set now, and
  // take their sockets out of the channel's room on every realtime node.
  await invalidateMembers(getCache(), { channelId });
  const publisher = getPublisher();
  publisher.removeFromChannel(memberId, channelId);
  publisher.toUser(memberId, 'channel:removed', { channelId });
  publisher.toChannel(channelId, 'channel:updated', { channelId });
}
