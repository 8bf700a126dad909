import { and, eq, sql } from 'drizzle-orm';
import { cachedMembership, cacheNewMessage, invalidateWindow } from '@/lib/cache/channel-cache';
import { getCache } from '@/lib/cache';
import { requireMember } from '@/lib/channels/access';
import { getDb, type Database } from '@/lib/db';
import { isForeignKeyViolation } from '@/lib/db/errors';
import { rowsOf } from '@/lib/db/rows';
import { messages } from '@/lib/db/schema';
import { conflict, forbidden, notFound } from '@/lib/http/errors';
import { idAfter, isUuid } from '@/lib/ids';
import { getPublisher } from '@/lib/realtime/publisher';
import { getMessage, selectMessages, toMessageJson, type MessageJson } from './format';

export type { MessageJson, MessagePage } from './format';
export { listMessages } from './history';

type NewMessage = Omit<typeof messages.$inferInsert, 'id' | 'channelId'>;

/**
 * Inserts under a per-channel lock with an id above the channel's last one, so messages commit in
 * id order: a reader catching up with `after=<id>` can never miss one that committed late.
 */
export function insertInOrder(db: Database, channelId: string, values: NewMessage) {
  return db.transaction(async (tx) => {
    // One round trip: take the channel's lock, then read its newest id under it.
    const [last] = rowsOf<{ id: string | null }>(
      await tx.execute(
        sql`select (select ${messages.id} from ${messages} where ${messages.channelId} = ${channelId} order by ${messages.id} desc limit 1) as id from (select pg_advisory_xact_lock(hashtextextended(${channelId}, 0))) as locked`,
      ),
    );
    return tx
      .insert(messages)
      .values({ ...values, id: idAfter(last?.id ?? undefined), channelId })
      .onConflictDoNothing({ target: [messages.authorUserId, messages.clientId] })
      .returning();
  });
}

/**
 * Stores a message. A retry carrying the same clientId from the same author returns the copy
 * stored the first time (`created: false`) instead of a second one, even when the two race.
 */
export async function sendMessage({
  user,
  channelId,
  content,
  clientId,
}: {
  user: { id: string; name: string };
  channelId: string;
  content: string;
  clientId?: string;
}): Promise<{ message: MessageJson; created: boolean }> {
  const db = await getDb();
  // The member set is usually cached (and invalidated on every membership change, like reads).
  const member = isUuid(channelId) ? await cachedMembership(getCache(), { channelId, userId: user.id }) : false;
  if (member === false) throw notFound('Channel');
  if (member === undefined) await requireMember(db, { userId: user.id, channelId });
  const [inserted] = await insertInOrder(db, channelId, { authorKind: 'user', authorUserId: user.id, content, clientId }).catch((error: unknown) => {
    // The channel was deleted between the membership check and the insert.
    if (isForeignKeyViolation(error)) throw notFound('Channel');
    throw error;
  });
  if (inserted) {
    const message = toMessageJson({ message: inserted, userName: user.name });
    await cacheNewMessage(getCache(), { channelId, id: message.id, json: JSON.stringify(message) });
    getPublisher().toChannel(channelId, 'message:created', { message });
    return { message, created: true };
  }

  const [existing] = await selectMessages(db)
    .where(and(eq(messages.authorUserId, user.id), eq(messages.clientId, clientId!)))
    .limit(1);
  // The first copy was stored and then deleted: a retry must not bring it back.
  if (!existing) throw conflict('That message was already sent and has since been deleted.');
  if (existing.message.channelId !== channelId) throw conflict('That clientId was already used for a message in another channel.');
  return { message: toMessageJson(existing), created: false };
}

export async function editMessage({
  userId,
  channelId,
  messageId,
  content,
}: {
  userId: string;
  channelId: string;
  messageId: string;
  content: string;
}): Promise<MessageJson> {
  const db = await getDb();
  await requireMember(db, { userId, channelId });
  const row = await getMessage(db, { channelId, messageId });
  if (row.message.authorUserId !== userId) throw forbidden('You can only edit your own messages.');
  const [updated] = await db
    .update(messages)
    .set({ content, editedAt: new Date() })
    .where(eq(messages.id, messageId))
    .returning();
  if (!updated) throw notFound('Message');
  await invalidateWindow(getCache(), { channelId });
  const message = toMessageJson({ message: updated, userName: row.userName });
  getPublisher().toChannel(channelId, 'message:updated', { message });
  return message;
}

/** The author may delete their message; the channel's owner may delete any message in it. */
export async function deleteMessage({ userId, channelId, messageId }: { userId: string; channelId: string; messageId: string }): Promise<void> {
  const db = await getDb();
  const { isOwner } = await requireMember(db, { userId, channelId });
  const row = await getMessage(db, { channelId, messageId });
  if (row.message.authorUserId !== userId && !isOwner) throw forbidden('You can only delete your own messages.');
  await db.delete(messages).where(eq(messages.id, messageId));
  await invalidateWindow(getCache(), { channelId, deletedIds: [messageId] });
  getPublisher().toChannel(channelId, 'message:deleted', { channelId, messageId });
}
