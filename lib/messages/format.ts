import 'server-only';
import { and, asc, eq, inArray, sql, type SQLWrapper } from 'drizzle-orm';
import type { Database } from '@/lib/db';
import { agents, messageReactions, messages, users, type MessageRow } from '@/lib/db/schema';
import { notFound } from '@/lib/http/errors';
import type { AttachmentJson } from '@/lib/contracts/abilities';
import type { MessageAuthor, MessageJson, ReactionJson } from '@/lib/contracts/messages';
import { attachmentsOf } from '@/lib/attachments';
import { isUuid } from '@/lib/ids';
import { summaryOf } from './threads';

/** What an author's name is made of: the user, or the agent (null once the agent is deleted). */
export type AuthorColumns = { userName: string | null; agentName?: string | null; agentHandle?: string | null; agentAvatar?: string | null };

export const messageColumns = {
  message: messages,
  userName: users.name,
  agentName: agents.name,
  agentHandle: agents.handle,
  agentAvatar: agents.avatar,
};

/** An agent's names by its id, as subqueries: for a statement that returns a message without joining (an UPDATE ... RETURNING). */
export const agentNamesOf = (agentId: SQLWrapper) => ({
  agentName: sql<string | null>`(select ${agents.name} from ${agents} where ${agents.id} = ${agentId})`,
  agentHandle: sql<string | null>`(select ${agents.handle} from ${agents} where ${agents.id} = ${agentId})`,
  agentAvatar: sql<string | null>`(select ${agents.avatar} from ${agents} where ${agents.id} = ${agentId})`,
});

function authorOf(message: MessageRow, names: AuthorColumns): MessageAuthor {
  if (message.authorKind === 'agent') {
    return {
      kind: 'agent',
      id: message.authorAgentId!,
      name: names.agentName ?? 'Deleted agent',
      ...(names.agentHandle ? { handle: names.agentHandle } : {}),
      avatar: names.agentAvatar ?? null,
    };
  }
  return { kind: 'user', id: message.authorUserId!, name: names.userName ?? 'Unknown' };
}

export type MessageRowWithNames = { message: MessageRow } & AuthorColumns;

/** A message as the API shapes it; `attachments` and `reactions` come from their own tables (`withAttachments`). */
export function toMessageJson({ message, attachments, reactions, ...names }: MessageRowWithNames & { attachments?: AttachmentJson[]; reactions?: ReactionJson[] }): MessageJson {
  return {
    id: message.id,
    channelId: message.channelId,
    author: authorOf(message, names),
    content: message.content,
    status: message.status,
    ...(message.clientId ? { clientId: message.clientId } : {}),
    ...(message.replyToId ? { replyTo: message.replyToId } : {}),
    ...(message.status === 'error' ? { error: { code: message.errorCode ?? 'upstream', message: message.errorMessage ?? 'The reply failed.' } } : {}),
    ...(message.citations?.length ? { citations: message.citations } : {}),
    ...(attachments?.length ? { attachments } : {}),
    ...(message.activities?.length ? { activities: message.activities } : {}),
    ...(message.routing ? { routing: message.routing } : {}),
    ...(message.runId ? { runId: message.runId } : {}),
    ...(message.mentions?.length ? { mentions: message.mentions } : {}),
    ...(reactions?.length ? { reactions } : {}),
    ...(message.threadId ? { threadId: message.threadId } : {}),
    ...threadOf(message),
    createdAt: message.createdAt.toISOString(),
    ...(message.editedAt ? { editedAt: message.editedAt.toISOString() } : {}),
  };
}

const threadOf = (message: MessageRow) => {
  const thread = summaryOf(message);
  return thread ? { thread } : {};
};

export function selectMessages(db: Database) {
  return db
    .select(messageColumns)
    .from(messages)
    .leftJoin(users, eq(users.id, messages.authorUserId))
    .leftJoin(agents, eq(agents.id, messages.authorAgentId));
}

export async function getMessage(db: Database, { channelId, messageId }: { channelId: string; messageId: string }) {
  if (!isUuid(messageId)) throw notFound('Message');
  const [row] = await selectMessages(db)
    .where(and(eq(messages.id, messageId), eq(messages.channelId, channelId)))
    .limit(1);
  if (!row) throw notFound('Message');
  return row;
}

/**
 * Each message's reactions, in one query for the whole list: most used first (ties: the emoji
 * used first), each with who reacted in the order they did.
 *
 * `me` is always false here. This JSON is shared: the history cache stores one copy per channel
 * for every member, and events go to a whole room. Browsers compute `me` from `userIds`; only the
 * PUT and DELETE answers, which belong to one caller, set it (`forCaller`).
 */
export async function reactionsOf(db: Database, messageIds: string[]): Promise<Map<string, ReactionJson[]>> {
  const byMessage = new Map<string, ReactionJson[]>();
  const ids = [...new Set(messageIds)];
  if (ids.length === 0) return byMessage;
  const rows = await db
    .select({ messageId: messageReactions.messageId, emoji: messageReactions.emoji, userId: messageReactions.userId, name: users.name })
    .from(messageReactions)
    .innerJoin(users, eq(users.id, messageReactions.userId))
    .where(inArray(messageReactions.messageId, ids))
    .orderBy(asc(messageReactions.createdAt), asc(messageReactions.userId));
  const grouped = new Map<string, Map<string, ReactionJson>>();
  for (const row of rows) {
    const emojis = grouped.get(row.messageId) ?? new Map<string, ReactionJson>();
    grouped.set(row.messageId, emojis);
    const entry = emojis.get(row.emoji) ?? { emoji: row.emoji, count: 0, me: false, userIds: [], names: [] };
    emojis.set(row.emoji, entry);
    entry.count += 1;
    entry.userIds!.push(row.userId);
    entry.names!.push(row.name);
  }
  for (const [messageId, emojis] of grouped) {
    // Insertion order is first use; a stable sort keeps it among equal counts.
    byMessage.set(messageId, [...emojis.values()].sort((a, b) => b.count - a.count));
  }
  return byMessage;
}

/** The reactions as one caller sees them: `me` set from the ids. */
export const forCaller = (reactions: ReactionJson[], userId: string): ReactionJson[] =>
  reactions.map((reaction) => ({ ...reaction, me: reaction.userIds?.includes(userId) ?? false }));

/**
 * Messages with their attachments and reactions, in one query each for the whole list (people's
 * messages only carry attachments: agents' replies have none; anyone's may have reactions).
 */
export async function withAttachments(db: Database, rows: MessageRowWithNames[]): Promise<MessageJson[]> {
  const ids = rows.filter((row) => row.message.authorKind === 'user').map((row) => row.message.id);
  const [byMessage, reactions] = await Promise.all([attachmentsOf(db, ids), reactionsOf(db, rows.map((row) => row.message.id))]);
  return rows.map((row) => toMessageJson({ ...row, attachments: byMessage.get(row.message.id), reactions: reactions.get(row.message.id) }));
}
