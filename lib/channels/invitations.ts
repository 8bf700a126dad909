import 'server-only';
import { and, asc, eq, inArray } from 'drizzle-orm';
import { getCache } from '@/lib/cache';
import { invalidateMembers } from '@/lib/cache/channel-cache';
import type { InvitationJson } from '@/lib/contracts/channels';
import { getDb } from '@/lib/db';
import { isForeignKeyViolation, isUniqueViolation } from '@/lib/db/errors';
import { channelMembers, channels, invitations, type InvitationRow } from '@/lib/db/schema';
import { conflict, notFound } from '@/lib/http/errors';
import { isUuid, newId } from '@/lib/ids';
import { getPublisher } from '@/lib/realtime/publisher';
import { requireOwner } from './access';
import { toChannelJson } from './to-json';

export function toInvitationJson(row: InvitationRow): InvitationJson {
  return { id: row.id, email: row.email, createdAt: row.createdAt.toISOString() };
}

/**
 * A pending invitation for an email with no account yet (lib/channels addMember decides that):
 * the person joins when they sign up with it (acceptInvitations). No email is sent; the hub has
 * no mailer, and the UI says so. Emails are kept lowercased, as accounts' are.
 */
export async function createInvitation({ userId, channelId, email }: { userId: string; channelId: string; email: string }): Promise<InvitationJson> {
  const db = await getDb();
  try {
    const [row] = await db.insert(invitations).values({ id: newId(), channelId, email, invitedBy: userId }).returning();
    return toInvitationJson(row!);
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`${email} is already invited to this channel.`);
    if (isForeignKeyViolation(error)) throw notFound('Channel');
    throw error;
  }
}

/** The channel's pending invitations, oldest first (owner only). */
export async function listInvitations({ userId, channelId }: { userId: string; channelId: string }): Promise<InvitationJson[]> {
  const db = await getDb();
  await requireOwner(db, { userId, channelId }, 'see its invitations');
  const rows = await db.select().from(invitations).where(eq(invitations.channelId, channelId)).orderBy(asc(invitations.createdAt), asc(invitations.id));
  return rows.map(toInvitationJson);
}

/** Withdraws a pending invitation (owner only); one already accepted or revoked is not found. */
export async function revokeInvitation({ userId, channelId, invitationId }: { userId: string; channelId: string; invitationId: string }): Promise<void> {
  const db = await getDb();
  await requireOwner(db, { userId, channelId }, 'revoke its invitations');
  if (!isUuid(invitationId)) throw notFound('Invitation');
  const gone = await db
    .delete(invitations)
    .where(and(eq(invitations.id, invitationId), eq(invitations.channelId, channelId)))
    .returning({ id: invitations.id });
  if (gone.length === 0) throw notFound('Invitation');
}

/**
 * A new account joins every channel that invited its email, and those invitations go, in one
 * transaction (local sign-up and a Clerk user's first sight both call this). Answers the
 * channels joined.
 */
export async function acceptInvitations({ userId, email }: { userId: string; email: string }): Promise<string[]> {
  const db = await getDb();
  const joined = await db.transaction(async (tx) => {
    const pending = await tx.delete(invitations).where(eq(invitations.email, email.trim().toLowerCase())).returning({ channelId: invitations.channelId });
    if (pending.length === 0) return [];
    const channelIds = [...new Set(pending.map((row) => row.channelId))];
    await tx
      .insert(channelMembers)
      .values(channelIds.map((channelId) => ({ id: newId(), channelId, kind: 'user' as const, userId })))
      .onConflictDoNothing();
    return tx.select().from(channels).where(inArray(channels.id, channelIds));
  });
  const cache = getCache();
  const publisher = getPublisher();
  for (const channel of joined) {
    await invalidateMembers(cache, { channelId: channel.id });
    publisher.toChannel(channel.id, 'channel:updated', { channelId: channel.id });
    publisher.toUser(userId, 'channel:added', { channel: toChannelJson(channel) });
  }
  return joined.map((channel) => channel.id);
}
