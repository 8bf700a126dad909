import 'server-only';
import { and, eq, inArray } from 'drizzle-orm';
import { getDb, type Database } from '@/lib/db';
import { knowledgeBases, type KnowledgeBase } from '@/lib/db/schema';
import { notFound } from '@/lib/http/errors';
import { isUuid } from '@/lib/ids';

/** A base of this owner, or 404. */
export async function requireOwnKnowledgeBase({ userId, knowledgeBaseId }: { userId: string; knowledgeBaseId: string }, db?: Database): Promise<KnowledgeBase> {
  if (!isUuid(knowledgeBaseId)) throw notFound('Knowledge base');
  const database = db ?? (await getDb());
  const [base] = await database
    .select()
    .from(knowledgeBases)
    .where(and(eq(knowledgeBases.id, knowledgeBaseId), eq(knowledgeBases.ownerId, userId)))
    .limit(1);
  if (!base) throw notFound('Knowledge base');
  return base;
}

/** Of these ids, the ones that are not this owner's bases (agents may only be given their owner's). */
export async function foreignKnowledgeBaseIds(db: Database, { userId, knowledgeBaseIds }: { userId: string; knowledgeBaseIds: string[] }): Promise<string[]> {
  if (knowledgeBaseIds.length === 0) return [];
  const own = await db
    .select({ id: knowledgeBases.id })
    .from(knowledgeBases)
    .where(and(eq(knowledgeBases.ownerId, userId), inArray(knowledgeBases.id, knowledgeBaseIds)));
  const owned = new Set(own.map((row) => row.id));
  return knowledgeBaseIds.filter((id) => !owned.has(id));
}

