import 'server-only';
import { and, eq } from 'drizzle-orm';
import { cachedMembership, cacheNewMessage, invalidateWindow } from '@/lib/cache/channel-cache';
import { getCache } from '@/lib/cache';
import { requireMember } from '@/lib/channels/access';
import { peopleMentioned } from '@/lib/channels/mentions';
import { getDb, type Database } from '@/lib/db';
import { isForeignKeyViolation } from '@/lib/db/errors';
import { messages, type MessageRow } from '@/lib/db/schema';
import { env } from '@/lib/env';
import { AppError, conflict, forbidden, notFound } from '@/lib/http/errors';
import { isUuid } from '@/lib/ids';
import { inChannelLock, insertInOrder } from './insert';
import { giveBack, throttle, type Allowance } from '@/lib/ratelimit';
import { getPublisher } from '@/lib/realtime/publisher';
import { claimAttachments, releaseAttachments, removeReleased } from '@/lib/attachments';
import type { AttachmentJson } from '@/lib/contracts/abilities';
import { getMessage, selectMessages, toMessageJson, withAttachments } from './format';
import type { MessageJson, ThreadSummaryJson } from '@/lib/contracts/messages';
import { publishReply, recordReply, refreshThreadSummary, requireThreadParent } from './threads';

export { listMessages } from './history';

export { insertInOrder } from './insert';

/**
 * Stores a message. A retry carrying the same clientId from the same author returns the copy
 * stored the first time (`created: false`) instead of a second one, even when the two race.
 * Each person sends at most SEND_RATE_LIMIT_MESSAGES per SEND_RATE_LIMIT_WINDOW_SECONDS, across
 * channels (429 with Retry-After beyond): generous for typing and pasting, a ceiling for scripts
 * that would mention agents hundreds of times. A retry of a stored message is free: it is looked
 * up before the limit, so it answers with the stored copy even while the limit refuses new ones.
 * `attachmentIds` are the sender's uploads to this channel; they are claimed in the transaction
 * that stores the message, so a message never exists with only some of them (400 otherwise).
 * With `threadId` the message is a reply in that thread (lib/messages/threads): its parent's
 * summary changes in the same transaction.
 */
export async function sendMessage({
  user,
  channelId,
  content,
  clientId,
  attachmentIds = [],
  runId,
  threadId,
}: {
  user: { id: string; name: string };
  channelId: string;
  content: string;
  clientId?: string;
  attachmentIds?: string[];
  /** A goal run's own message (lib/teams/runs): the channel shows the run's checklist with it. */
  runId?: string;
  /** A reply in the thread of this top-level message of the channel. */
  threadId?: string;
}): Promise<{ message: MessageJson; created: boolean }> {
  const db = await getDb();
  // The member set is usually cached (and invalidated on every membership change, like reads).
  const member = isUuid(channelId) ? await cachedMembership(getCache(), { channelId, userId: user.id }) : false;
  if (member === false) throw notFound('Channel');
  if (member === undefined) await requireMember(db, { userId: user.id, channelId });
  // The checks before the insert run together. A repeat of a clientId already stored answers the
  // stored copy and takes no send, whatever the others said; any other refusal gives the send back.
  const [stored, parent, taken, mentioned] = await Promise.allSettled([
    clientId ? storedCopy(db, { userId: user.id, clientId, channelId }) : undefined,
    threadId ? requireThreadParent(db, { channelId, threadId }) : undefined,
    throttleSend(user.id),
    peopleMentioned(db, { channelId, content, authorId: user.id }),
  ]);
  const repeat = stored.status === 'fulfilled' ? stored.value : undefined;
  const refusal = [stored, parent, taken, mentioned].find((check) => check.status === 'rejected');
  if (taken.status === 'rejected' || mentioned.status === 'rejected' || refusal || repeat) {
    if (taken.status === 'fulfilled') await giveBack(taken.value, taken.value.bucket);
    if (repeat) return { message: repeat, created: false };
    throw (refusal as PromiseRejectedResult).reason;
  }
  const sendLimit = taken.value;
  const mentions = mentioned.value;
  let attachments: AttachmentJson[] = [];
  let thread: ThreadSummaryJson | null = null;
  const then = async (tx: Database, row: MessageRow) => {
    if (attachmentIds.length) attachments = await claimAttachments(tx, { userId: user.id, channelId, messageId: row.id, attachmentIds });
    if (threadId) thread = await recordReply(tx, row);
  };
  const values = { authorKind: 'user' as const, authorUserId: user.id, content, clientId, runId, threadId, mentions };
  const [inserted] = await insertInOrder(db, channelId, values, attachmentIds.length || threadId ? then : undefined).catch(async (error: unknown) => {
    // The channel (or the thread's parent) was deleted between the checks and the insert.
    if (isForeignKeyViolation(error)) throw notFound(threadId ? 'Thread' : 'Channel');
    // Refused attachments: nothing was stored, so the send is not counted.
    if (error instanceof AppError) await giveBack(sendLimit, sendLimit.bucket);
    throw error;
  });
  if (inserted) {
    const message = toMessageJson({ message: inserted, userName: user.name, attachments });
    if (threadId) {
      await publishReply(message, thread);
      return { message, created: true };
    }
    // Into the cached window first, then published (as replies and thread replies are): a client
    // that hears of it, or missed it while reconnecting, and asks the history right away (answered
    // from that window) must find it there, or it would never learn of it.
    await cacheNewMessage(getCache(), { channelId, id: message.id, json: JSON.stringify(message) });
    getPublisher().toChannel(channelId, 'message:created', { message });
    return { message, created: true };
  }

  // A copy with this clientId was stored while we raced it: that one stands, and this send is free.
  await giveBack(sendLimit, sendLimit.bucket);
  const winner = await storedCopy(db, { userId: user.id, clientId: clientId!, channelId });
  // The first copy was stored and then deleted: a retry must not bring it back.
  if (!winner) throw conflict('That message was already sent and has since been deleted.');
  return { message: winner, created: false };
}

/** The author's message stored with this clientId, if any (409 when it went to another channel). */
async function storedCopy(db: Database, { userId, clientId, channelId }: { userId: string; clientId: string; channelId: string }): Promise<MessageJson | undefined> {
  const [existing] = await selectMessages(db)
    .where(and(eq(messages.authorUserId, userId), eq(messages.clientId, clientId)))
    .limit(1);
  if (!existing) return undefined;
  if (existing.message.channelId !== channelId) throw conflict('That clientId was already used for a message in another channel.');
  const [message] = await withAttachments(db, [existing]);
  return message!;
}

/** The log a person's sends count against (exported for the tests of its window). */
export function sendAllowance(userId: string): Allowance {
  const config = env();
  return { bucket: `send:${userId}`, limit: config.SEND_RATE_LIMIT_MESSAGES, windowMs: config.SEND_RATE_LIMIT_WINDOW_SECONDS * 1000 };
}

/** Takes one of the person's sends (a message, or a retried reply: both can set agents going), or throws 429. */
export function throttleSend(userId: string) {
  return throttle([sendAllowance(userId)], (decision) => `You sent ${decision.limit} messages in the last ${env().SEND_RATE_LIMIT_WINDOW_SECONDS} s, the most one person may.`);
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
    .set({ content, editedAt: new Date(), mentions: await peopleMentioned(db, { channelId, content, authorId: userId }) })
    .where(eq(messages.id, messageId))
    .returning();
  if (!updated) throw notFound('Message');
  // A reply lives in its thread's window; a parent's edit leaves its thread's window as it is.
  await invalidateWindow(getCache(), { channelId, threadId: updated.threadId ?? undefined });
  // With its attachments and reactions, so the edited copy replaces the old one whole.
  const [message] = await withAttachments(db, [{ ...row, message: updated }]);
  getPublisher().toChannel(channelId, 'message:updated', { message: message! });
  return message!;
}

/**
 * The author may delete their message; the channel's owner may delete any message in it. A reply
 * leaves its parent's summary (recomputed in the same transaction); a parent takes its replies
 * with it (the foreign key cascades), and the event names them. Answers every id deleted.
 */
export async function deleteMessage({ userId, channelId, messageId }: { userId: string; channelId: string; messageId: string }): Promise<{ deletedIds: string[] }> {
  const db = await getDb();
  const { isOwner } = await requireMember(db, { userId, channelId });
  const row = await getMessage(db, { channelId, messageId });
  if (row.message.authorUserId !== userId && !isOwner) throw forbidden('You can only delete your own messages.');
  const threadId = row.message.threadId ?? undefined;
  // Its attachments (and its replies') are let go of in the same transaction, so the cascade cannot lose their files.
  // Under the channel's lock: no reply can slip in (or out) between listing the replies and the delete.
  const { released, replyIds, thread } = await inChannelLock(db, channelId, async (tx) => {
    const replyIds = threadId ? [] : (await tx.select({ id: messages.id }).from(messages).where(eq(messages.threadId, messageId))).map((reply) => reply.id);
    const doomed = await releaseAttachments(tx, [messageId, ...replyIds]);
    await tx.delete(messages).where(eq(messages.id, messageId));
    const thread = threadId ? await refreshThreadSummary(tx, threadId) : null;
    return { released: doomed, replyIds, thread };
  });
  const cache = getCache();
  const publisher = getPublisher();
  if (threadId) {
    // The reply leaves its thread's window, and the channel window shows the parent's old summary.
    await Promise.all([invalidateWindow(cache, { channelId, threadId, deletedIds: [messageId] }), invalidateWindow(cache, { channelId })]);
    publisher.toChannel(channelId, 'message:deleted', { channelId, messageId, threadId });
    publisher.toChannel(channelId, 'thread:updated', { channelId, threadId, thread });
  } else {
    await Promise.all([
      invalidateWindow(cache, { channelId, deletedIds: [messageId] }),
      ...(replyIds.length ? [invalidateWindow(cache, { channelId, threadId: messageId, deletedIds: replyIds })] : []),
    ]);
    publisher.toChannel(channelId, 'message:deleted', { channelId, messageId, ...(replyIds.length ? { replyIds } : {}) });
  }
  await removeReleased(db, released);
  return { deletedIds: [messageId, ...replyIds] };
}
