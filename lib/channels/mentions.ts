import 'server-only';
import { and, eq } from 'drizzle-orm';
import type { Database } from '@/lib/db';
import { channelMembers, users } from '@/lib/db/schema';
import { mentionedPeople } from '@/lib/mentions';

/**
 * The people of a channel a message @mentions (user ids), never its author: what the message
 * stores as `mentions`, for mention counts and notifications. No "@", no query.
 */
export async function peopleMentioned(db: Database, { channelId, content, authorId }: { channelId: string; content: string; authorId: string }): Promise<string[]> {
  if (!content.includes('@')) return [];
  const people = await db
    .select({ id: users.id, name: users.name })
    .from(channelMembers)
    .innerJoin(users, eq(users.id, channelMembers.userId))
    .where(and(eq(channelMembers.channelId, channelId), eq(channelMembers.kind, 'user')));
  return mentionedPeople(content, people.filter((person) => person.id !== authorId));
}
