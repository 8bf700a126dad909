import 'server-only';
import { and, eq, inArray } from 'drizzle-orm';
import type { Database } from '@/lib/db';
import { channelMembers, channels, type Channel } from '@/lib/db/schema';
import { forbidden, notFound } from '@/lib/http/errors';
import { isUuid } from '@/lib/ids';

export type ChannelAccess = { channel: Channel; isOwner: boolean };

/**
 * The one membership check. A channel the caller does not belong to answers 404, exactly like
 * one that does not exist, so its existence never leaks.
 */
export async function requireMember(db: Database, { userId, channelId }: { userId: string; channelId: string }): Promise<ChannelAccess> {
  if (!isUuid(channelId)) throw notFound('Channel');
  const [row] = await db
    .select({ channel: channels })
    .from(channels)
    .innerJoin(channelMembers, and(eq(channelMembers.channelId, channels.id), eq(channelMembers.userId, userId)))
    .where(eq(channels.id, channelId))
    .limit(1);
  if (!row) throw notFound('Channel');
  return { channel: row.channel, isOwner: row.channel.ownerId === userId };
}

/** Membership as a yes or no, for the realtime tier's join checks. */
export async function isMember(db: Database, args: { userId: string; channelId: string }): Promise<boolean> {
  try {
    await requireMember(db, args);
    return true;
  } catch {
    return false;
  }
}

/**
 * Which of `channelIds` the user belongs to, in one query: the realtime tier's batched joins. Ids
 * not in their canonical spelling are never members (callers canonicalize first).
 */
export async function memberChannelIds(db: Database, { userId, channelIds }: { userId: string; channelIds: string[] }): Promise<string[]> {
  const ids = [...new Set(channelIds.filter(isUuid))];
  if (!ids.length || !isUuid(userId)) return [];
  const rows = await db
    .select({ channelId: channelMembers.channelId })
    .from(channelMembers)
    .where(and(eq(channelMembers.userId, userId), inArray(channelMembers.channelId, ids)));
  return rows.map((row) => row.channelId);
}

export async function requireOwner(db: Database, args: { userId: string; channelId: string }, action: string): Promise<ChannelAccess> {
  const access = await requireMember(db, args);
  if (!access.isOwner) throw forbidden(`Only the channel's owner can ${action}.`);
  return access;
}
