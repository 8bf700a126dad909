import { and, asc, eq, or, sql } from 'drizzle-orm';
import type { z } from 'zod';
import { getUserByEmail } from '@/lib/auth/users';
import { getCache } from '@/lib/cache';
import { invalidateMembers, invalidateWindow } from '@/lib/cache/channel-cache';
import { getDb } from '@/lib/db';
import { isForeignKeyViolation, isUniqueViolation } from '@/lib/db/errors';
import { channelMembers, channels, users, type Channel, type ChannelMember } from '@/lib/db/schema';
import { AppError, conflict, forbidden, invalidRequest, notFound } from '@/lib/http/errors';
import { isUuid, newId } from '@/lib/ids';
import { getPublisher } from '@/lib/realtime/publisher';
import { requireMember, requireOwner } from './access';
import type { addMemberInput, createChannelInput, updateChannelInput } from './schemas';

export type ChannelJson = {
  id: string;
  name: string;
  description: string;
  ownerId: string;
  createdAt: string;
  updatedAt: string;
};

export type MemberJson = { id: string; kind: 'user' | 'agent'; name: string; email?: string; role: 'owner' | 'member'; joinedAt: string };

export function toChannelJson(channel: Channel): ChannelJson {
  return {
    id: channel.id,
    name: channel.name,
    description: channel.description,
    ownerId: channel.ownerId,
    createdAt: channel.createdAt.toISOString(),
    updatedAt: channel.updatedAt.toISOString(),
  };
}

function nameTaken(): AppError {
  return conflict('You already own a channel with that name.');
}

export async function listChannels({ userId }: { userId: string }): Promise<ChannelJson[]> {
  const db = await getDb();
  const rows = await db
    .select({ channel: channels })
    .from(channels)
    .innerJoin(channelMembers, and(eq(channelMembers.channelId, channels.id), eq(channelMembers.userId, userId)))
    .orderBy(asc(sql`lower(${channels.name})`), asc(channels.id));
  return rows.map((row) => toChannelJson(row.channel));
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

function toMemberJson({ member, name, email, ownerId }: { member: ChannelMember; name: string | null; email: string | null; ownerId: string }): MemberJson {
  return {
    id: (member.userId ?? member.agentId)!,
    kind: member.kind,
    name: name ?? 'Agent',
    ...(email ? { email } : {}),
    role: member.userId === ownerId ? 'owner' : 'member',
    joinedAt: member.createdAt.toISOString(),
  };
}

export async function listMembers({ channelId, ownerId }: { channelId: string; ownerId: string }): Promise<MemberJson[]> {
  const db = await getDb();
  const rows = await db
    .select({ member: channelMembers, name: users.name, email: users.email })
    .from(channelMembers)
    .leftJoin(users, eq(users.id, channelMembers.userId))
    .where(eq(channelMembers.channelId, channelId))
    .orderBy(asc(channelMembers.createdAt), asc(channelMembers.id));
  return rows.map((row) => toMemberJson({ ...row, ownerId }));
}

export async function getChannel({ userId, channelId }: { userId: string; channelId: string }) {
  const db = await getDb();
  const { channel } = await requireMember(db, { userId, channelId });
  return { channel: toChannelJson(channel), members: await listMembers({ channelId, ownerId: channel.ownerId }) };
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
  await requireOwner(db, { userId, channelId }, 'change it');
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

/** Any member may invite a registered user by email. */
export async function addMember({
  userId,
  channelId,
  input,
}: {
  userId: string;
  channelId: string;
  input: z.infer<typeof addMemberInput>;
}): Promise<MemberJson> {
  const db = await getDb();
  const { channel } = await requireMember(db, { userId, channelId });
  if (!('email' in input)) throw invalidRequest('Agents cannot be added to channels yet.');
  const invitee = await getUserByEmail({ email: input.email });
  if (!invitee) throw new AppError('not_found', 'No registered user has that email.');
  try {
    const [member] = await db.insert(channelMembers).values({ id: newId(), channelId, kind: 'user', userId: invitee.id }).returning();
    await invalidateMembers(getCache(), { channelId });
    getPublisher().toUser(invitee.id, 'channel:added', { channel: toChannelJson(channel) });
    getPublisher().toChannel(channelId, 'channel:updated', { channelId });
    return toMemberJson({ member: member!, name: invitee.name, email: invitee.email, ownerId: channel.ownerId });
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
  if (!isUuid(memberId)) throw notFound('Member');
  if (!isOwner && memberId !== userId) throw forbidden("Only the channel's owner can remove other members.");
  if (memberId === channel.ownerId) throw conflict('The owner cannot leave the channel; delete it instead.');
  const removed = await db
    .delete(channelMembers)
    .where(and(eq(channelMembers.channelId, channelId), or(eq(channelMembers.userId, memberId), eq(channelMembers.agentId, memberId))))
    .returning({ id: channelMembers.id });
  if (removed.length === 0) throw notFound('Member');
  // The removed member's very next read must be refused: drop the cached member set now, and
  // take their sockets out of the channel's room on every realtime node.
  await invalidateMembers(getCache(), { channelId });
  const publisher = getPublisher();
  publisher.removeFromChannel(memberId, channelId);
  publisher.toUser(memberId, 'channel:removed', { channelId });
  publisher.toChannel(channelId, 'channel:updated', { channelId });
}
