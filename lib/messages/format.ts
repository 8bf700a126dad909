import 'server-only';
import { and, eq } from 'drizzle-orm';
import type { Database } from '@/lib/db';
import { agents, messages, users, type MessageRow } from '@/lib/db/schema';
import { notFound } from '@/lib/http/errors';
import type { AttachmentJson } from '@/lib/contracts/abilities';
import type { MessageAuthor, MessageJson } from '@/lib/contracts/messages';
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

/** A message as the API shapes it; `attachments` come from their own table (`withAttachments`). */
export function toMessageJson({ message, attachments, ...names }: MessageRowWithNames & { attachments?: AttachmentJson[] }): MessageJson {
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
 * Messages with their attachments, in one query for the whole list (people's messages only:
 * agents' replies carry none).
 */
export async function withAttachments(db: Database, rows: MessageRowWithNames[]): Promise<MessageJson[]> {
  const ids = rows.filter((row) => row.message.authorKind === 'user').map((row) => row.message.id);
  const byMessage = await attachmentsOf(db, ids);
  return rows.map((row) => toMessageJson({ ...row, attachments: byMessage.get(row.message.id) }));
}
