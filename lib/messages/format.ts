import { and, eq } from 'drizzle-orm';
import type { Database } from '@/lib/db';
import { messages, users, type MessageRow } from '@/lib/db/schema';
import { notFound } from '@/lib/http/errors';
import { isUuid } from '@/lib/ids';

export type MessageJson = {
  id: string;
  channelId: string;
  author: { kind: 'user' | 'agent'; id: string; name: string };
  content: string;
  status: MessageRow['status'];
  clientId?: string;
  createdAt: string;
  editedAt?: string;
};

export type MessagePage = { messages: MessageJson[]; nextCursor: string | null };

export const messageColumns = { message: messages, userName: users.name };

export function toMessageJson({ message, userName }: { message: MessageRow; userName: string | null }): MessageJson {
  return {
    id: message.id,
    channelId: message.channelId,
    author: {
      kind: message.authorKind,
      id: (message.authorUserId ?? message.authorAgentId)!,
      name: userName ?? 'Unknown',
    },
    content: message.content,
    status: message.status,
    ...(message.clientId ? { clientId: message.clientId } : {}),
    createdAt: message.createdAt.toISOString(),
    ...(message.editedAt ? { editedAt: message.editedAt.toISOString() } : {}),
  };
}

export function selectMessages(db: Database) {
  return db.select(messageColumns).from(messages).leftJoin(users, eq(users.id, messages.authorUserId));
}

export async function getMessage(db: Database, { channelId, messageId }: { channelId: string; messageId: string }) {
  if (!isUuid(messageId)) throw notFound('Message');
  const [row] = await selectMessages(db)
    .where(and(eq(messages.id, messageId), eq(messages.channelId, channelId)))
    .limit(1);
  if (!row) throw notFound('Message');
  return row;
}

