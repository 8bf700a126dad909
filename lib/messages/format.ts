import 'server-only';
import { and, eq } from 'drizzle-orm';
import type { Database } from '@/lib/db';
import { agents, messages, users, type MessageRow } from '@/lib/db/schema';
import { notFound } from '@/lib/http/errors';
import type { MessageAuthor, MessageJson } from '@/lib/contracts/messages';
import { isUuid } from '@/lib/ids';

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

export function toMessageJson({ message, ...names }: { message: MessageRow } & AuthorColumns): MessageJson {
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
    ...(message.activities?.length ? { activities: message.activities } : {}),
    createdAt: message.createdAt.toISOString(),
    ...(message.editedAt ? { editedAt: message.editedAt.toISOString() } : {}),
  };
}

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
