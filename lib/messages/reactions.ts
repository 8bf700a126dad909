import 'server-only';
import { and, eq, sql } from 'drizzle-orm';
import { invalidateWindow } from '@/lib/cache/channel-cache';
import { getCache } from '@/lib/cache';
import { requireMember } from '@/lib/channels/access';
import type { ReactionJson } from '@/lib/contracts/messages';
import { isSingleEmoji, MAX_REACTIONS_PER_MESSAGE } from '@/lib/contracts/reactions';
import { isForeignKeyViolation } from '@/lib/db/errors';
import { getDb, type Database } from '@/lib/db';
import { rowsOf } from '@/lib/db/rows';
import { messageReactions } from '@/lib/db/schema';
import { invalidRequest, notFound } from '@/lib/http/errors';
import { getPublisher } from '@/lib/realtime/publisher';
import { forCaller, getMessage, reactionsOf } from './format';

/*
 * Emoji reactions on messages (issue 13, point 2). Both verbs are idempotent, so a client may
 * retry either: adding an emoji twice counts once, removing one that is absent changes nothing.
 * Writes follow the house order: Postgres first, then the history cache (the window holds each
 * message's reactions, so it is dropped with a version bump, as an edit drops it), then the event.
 */

type ReactionArgs = { userId: string; channelId: string; messageId: string; emoji: string };

/** The emoji as the path carried it: one emoji (a grapheme of emoji code points), else 400. */
export function parseEmoji(raw: string): string {
  let emoji = raw;
  // Next.js decodes path segments; a client that encoded twice (or a proxy that did not decode) leaves %XX.
  if (emoji.includes('%')) {
    try {
      emoji = decodeURIComponent(emoji);
    } catch {
      throw invalidRequest('The emoji is not valid URL encoding.', { emoji: ['Not valid URL encoding.'] });
    }
  }
  if (!isSingleEmoji(emoji)) throw invalidRequest('A reaction must be one emoji.', { emoji: ['Must be exactly one emoji, such as 👍 or 👩🏽‍💻.'] });
  return emoji;
}

/** Member, and the message is in this channel; 404 for either otherwise, so neither leaks. */
/** The message's thread (a reply's cached copy lives in its thread's window, not the channel's). */
async function requireMessage(db: Database, { userId, channelId, messageId }: Omit<ReactionArgs, 'emoji'>): Promise<string | undefined> {
  await requireMember(db, { userId, channelId });
  const row = await getMessage(db, { channelId, messageId });
  return row.message.threadId ?? undefined;
}

/** After commit: the window drops (its copy of the message is stale) and the room hears the new list. */
async function publish(db: Database, { channelId, messageId, userId, threadId }: Omit<ReactionArgs, 'emoji'> & { threadId?: string }): Promise<ReactionJson[]> {
  await invalidateWindow(getCache(), { channelId, threadId });
  const reactions = (await reactionsOf(db, [messageId])).get(messageId) ?? [];
  // A reply names its thread, as message:deleted does, so a browser updates the open thread's copy.
  getPublisher().toChannel(channelId, 'message:reactions', { channelId, messageId, reactions, ...(threadId ? { threadId } : {}) });
  return forCaller(reactions, userId);
}

/** The lock a message's reactions change under. */
export const reactionsLock = (messageId: string) => sql`pg_advisory_xact_lock(hashtextextended(${`reactions:${messageId}`}, 0))`;

/** PUT: the caller reacts with `emoji`; at most MAX_REACTIONS_PER_MESSAGE different emojis per message. */
export async function addReaction({ userId, channelId, messageId, emoji }: ReactionArgs): Promise<ReactionJson[]> {
  const db = await getDb();
  const threadId = await requireMessage(db, { userId, channelId, messageId });
  const added = await db.transaction(async (tx) => {
    // One writer per message at a time, so two new emojis racing cannot both pass the cap. The
    // count is a statement of its own, after the lock: it must see what the writer before it committed.
    await tx.execute(sql`select ${reactionsLock(messageId)}`);
    const [state] = rowsOf<{ present: boolean; kinds: number }>(
      await tx.execute(sql`
        select
          exists (select 1 from ${messageReactions} where ${messageReactions.messageId} = ${messageId} and ${messageReactions.emoji} = ${emoji}) as present,
          (select count(distinct ${messageReactions.emoji}) from ${messageReactions} where ${messageReactions.messageId} = ${messageId})::int as kinds`),
    );
    if (!state?.present && Number(state?.kinds ?? 0) >= MAX_REACTIONS_PER_MESSAGE) {
      throw invalidRequest(`A message can have at most ${MAX_REACTIONS_PER_MESSAGE} different reactions; add to one of those instead.`, {
        emoji: [`At most ${MAX_REACTIONS_PER_MESSAGE} different emojis per message.`],
      });
    }
    const inserted = await tx.insert(messageReactions).values({ messageId, userId, emoji }).onConflictDoNothing().returning({ emoji: messageReactions.emoji });
    return inserted.length > 0;
  }).catch((error: unknown) => {
    // The message was deleted between the check and the insert.
    if (isForeignKeyViolation(error)) throw notFound('Message');
    throw error;
  });
  if (!added) return forCaller((await reactionsOf(db, [messageId])).get(messageId) ?? [], userId);
  return publish(db, { channelId, messageId, userId, threadId });
}

/** DELETE: the caller's reaction with `emoji` goes (nothing happens if there was none). */
export async function removeReaction({ userId, channelId, messageId, emoji }: ReactionArgs): Promise<ReactionJson[]> {
  const db = await getDb();
  const threadId = await requireMessage(db, { userId, channelId, messageId });
  const removed = await db
    .delete(messageReactions)
    .where(and(eq(messageReactions.messageId, messageId), eq(messageReactions.userId, userId), eq(messageReactions.emoji, emoji)))
    .returning({ emoji: messageReactions.emoji });
  if (removed.length === 0) return forCaller((await reactionsOf(db, [messageId])).get(messageId) ?? [], userId);
  return publish(db, { channelId, messageId, userId, threadId });
}
