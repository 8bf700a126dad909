import 'server-only';
import { and, asc, eq, ne, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { ChannelJson } from '@/lib/contracts/channels';
import { getDb } from '@/lib/db';
import { agents, channelMembers, channels, messages, users } from '@/lib/db/schema';
import { notFound } from '@/lib/http/errors';
import { getPublisher } from '@/lib/realtime/publisher';
import { requireMember } from './access';
import { toChannelJson } from './to-json';

/**
 * Counts stop at this many (the sidebar shows "99+"), so a channel never read with a million
 * messages costs a bounded index range scan, not a count of all of them.
 */
export const COUNT_CAP = 100;

// Where counting starts: the member's read mark or, never read yet, a UUIDv7 made of the time
// they joined, so a newcomer's sidebar does not count the history from before they came, and the
// count is still a range scan of the (channel_id, id) index.
const readFrom = sql`coalesce(${channelMembers.lastReadId}, (
  substr(lpad(to_hex(floor(extract(epoch from ${channelMembers.createdAt}) * 1000)::bigint), 12, '0'), 1, 8) || '-' ||
  substr(lpad(to_hex(floor(extract(epoch from ${channelMembers.createdAt}) * 1000)::bigint), 12, '0'), 9, 4) || '-7000-8000-000000000000')::uuid)`;

/**
 * The caller's channels and DMs with their read state, in one query: per channel, the top-level
 * messages after the read mark not written by the caller (`unreadCount`), and the messages after
 * it (thread replies too) that mention them (`mentionCount`); for a DM, the other side (`dmWith`).
 */
export async function listChannels({ userId }: { userId: string }): Promise<ChannelJson[]> {
  const db = await getDb();
  const other = alias(channelMembers, 'other');
  const otherUser = alias(users, 'other_user');
  const otherAgent = alias(agents, 'other_agent');
  const after = sql`${messages.channelId} = ${channels.id} and ${messages.id} > ${readFrom} and ${messages.authorUserId} is distinct from ${userId}`;
  const rows = await db
    .select({
      channel: channels,
      lastReadId: channelMembers.lastReadId,
      unread: sql<number>`(select count(*) from (select 1 from ${messages} where ${after} and ${messages.threadId} is null limit ${COUNT_CAP}) as unread)`.mapWith(Number),
      mentions: sql<number>`(select count(*) from (select 1 from ${messages} where ${after} and ${messages.mentions} @> array[${userId}]::uuid[] limit ${COUNT_CAP}) as mentioned)`.mapWith(Number),
      otherKind: other.kind,
      otherUserId: otherUser.id,
      otherUserName: otherUser.name,
      otherAgentId: otherAgent.id,
      otherAgentName: otherAgent.name,
      otherAgentAvatar: otherAgent.avatar,
    })
    .from(channels)
    .innerJoin(channelMembers, and(eq(channelMembers.channelId, channels.id), eq(channelMembers.userId, userId)))
    // A DM has exactly two members: the other one is who the caller sees it as.
    .leftJoin(other, and(eq(other.channelId, channels.id), ne(other.id, channelMembers.id), eq(channels.kind, 'dm')))
    .leftJoin(otherUser, eq(otherUser.id, other.userId))
    .leftJoin(otherAgent, eq(otherAgent.id, other.agentId))
    .orderBy(asc(sql`lower(${channels.name})`), asc(channels.id));
  return rows.map((row) => ({
    ...toChannelJson(row.channel),
    ...(row.channel.kind === 'dm' ? { dmWith: dmWithOf(row) } : {}),
    lastReadId: row.lastReadId,
    unreadCount: row.unread,
    mentionCount: row.mentions,
  }));
}

type OtherSide = { otherUserId: string | null; otherUserName: string | null; otherAgentId: string | null; otherAgentName: string | null; otherAgentAvatar: string | null };

function dmWithOf(row: OtherSide): NonNullable<ChannelJson['dmWith']> {
  if (row.otherAgentId) return { kind: 'agent', id: row.otherAgentId, name: row.otherAgentName ?? 'Agent', avatar: row.otherAgentAvatar };
  if (row.otherUserId) return { kind: 'user', id: row.otherUserId, name: row.otherUserName ?? 'Unknown' };
  // The agent was deleted (its membership went with it): the DM stays, with nobody on the other side.
  return { kind: 'agent', id: '', name: 'Deleted agent', avatar: null };
}

/**
 * Moves the caller's read mark in a channel forward to `lastReadId` (a message of the channel),
 * never back: an older mark from a slower device changes nothing. A move is sent to the
 * caller's other sockets (`channel:read`), so their other devices clear the channel too.
 * Answers the mark as it stands after the call.
 */
export async function markRead({ userId, channelId, lastReadId }: { userId: string; channelId: string; lastReadId: string }): Promise<{ lastReadId: string | null }> {
  const db = await getDb();
  await requireMember(db, { userId, channelId });
  const [message] = await db
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.id, lastReadId), eq(messages.channelId, channelId)))
    .limit(1);
  if (!message) throw notFound('Message');
  const member = and(eq(channelMembers.channelId, channelId), eq(channelMembers.userId, userId));
  const [moved] = await db
    .update(channelMembers)
    .set({ lastReadId })
    .where(and(member, or(sql`${channelMembers.lastReadId} is null`, sql`${channelMembers.lastReadId} < ${lastReadId}`)))
    .returning({ lastReadId: channelMembers.lastReadId });
  if (moved) {
    getPublisher().toUser(userId, 'channel:read', { channelId, lastReadId });
    return { lastReadId };
  }
  const [current] = await db.select({ lastReadId: channelMembers.lastReadId }).from(channelMembers).where(member).limit(1);
  return { lastReadId: current?.lastReadId ?? null };
}
