import 'server-only';
import { sql } from 'drizzle-orm';
import type { Database } from '@/lib/db';
import { rowsOf } from '@/lib/db/rows';

/**
 * Document frequencies (knowledge_terms): for each knowledge base and lexeme, how many of its
 * passages contain the lexeme. Search reads them for idf weights in one indexed lookup.
 *
 * The row with the empty lexeme holds the base's passage count (BM25's N). to_tsvector never
 * produces an empty lexeme, so it cannot collide with a real term, and keeping N here keeps it
 * exactly as consistent with the frequencies as they are with each other: both change together.
 */
export const PASSAGE_COUNT_LEXEME = '';

type DocumentRef = { knowledgeBaseId: string; documentId: string };

/** A drizzle transaction satisfies Database; both functions are meant to run inside the caller's. */
export type Tx = Database;

/**
 * Adds (sign 1) or takes off (sign -1) the document's passage counts per lexeme, and answers the
 * lexemes left at zero. One upsert in lexeme order: two documents of one base indexed at once
 * lock their shared rows in the same order, so they wait for each other instead of deadlocking.
 * Taking off a term that is missing inserts it negative, and it is deleted with the zeros.
 */
async function applyTerms(db: Tx, { knowledgeBaseId, documentId }: DocumentRef, sign: 1 | -1): Promise<string[]> {
  const result = await db.execute(sql`
    with applied as (
      insert into knowledge_terms (knowledge_base_id, lexeme, passages)
      select ${knowledgeBaseId}::uuid, lexeme, ${sign}::int * passages
      from (
        select lexeme, count(*)::int as passages
        from knowledge_chunks k, unnest(tsvector_to_array(k.tsv)) as lexeme
        where k.document_id = ${documentId}::uuid
        group by lexeme
        union all
        select ${PASSAGE_COUNT_LEXEME}::text, count(*)::int from knowledge_chunks where document_id = ${documentId}::uuid having count(*) > 0
      ) counts
      order by lexeme
      on conflict (knowledge_base_id, lexeme) do update set passages = knowledge_terms.passages + excluded.passages
      returning lexeme, passages
    )
    select lexeme from applied where passages <= 0
  `);
  return rowsOf<{ lexeme: string }>(result).map((row) => row.lexeme);
}

/** After a document's passages are inserted (same transaction): count them into its base's frequencies. */
export async function addTerms(db: Tx, ref: DocumentRef): Promise<void> {
  await applyTerms(db, ref, 1);
}

/** Before a document's passages are deleted (same transaction): take them off again, dropping terms no passage has any more. */
export async function removeTerms(db: Tx, ref: DocumentRef): Promise<void> {
  const gone = await applyTerms(db, ref, -1);
  if (gone.length === 0) return;
  await db.execute(sql`
    delete from knowledge_terms
    where knowledge_base_id = ${ref.knowledgeBaseId}::uuid and passages <= 0
      and lexeme = any(${sql.param(gone)}::text[])
  `);
}
