import 'server-only';
import { sql } from 'drizzle-orm';
import { EMBEDDINGS_BATCH, getEmbeddingsProvider, type EmbeddingsProvider } from '@/lib/ai/embeddings';
import type { Database } from '@/lib/db';
import { rowsOf } from '@/lib/db/rows';

/**
 * Vectors of passages, stored as `knowledge_chunks.embedding real[]` with the model that made
 * them, so every Postgres holds them. Where pgvector is installed (PGlite ships it; Supabase has
 * it) an HNSW index per dimension covers them through a cast; elsewhere search computes exact
 * cosine distances in SQL. Both answer the same passages for the same data.
 */

/** pgvector's HNSW takes `vector` up to 2000 dimensions and `halfvec` up to 4000; past that it is a scan. */
const castFor = (dims: number) => (dims <= 2000 ? 'vector' : dims <= 4000 ? 'halfvec' : undefined);

const pgvectorByDatabase = new WeakMap<object, Promise<boolean>>();
const indexedByDatabase = new WeakMap<object, Set<number>>();

async function tryPgvector(db: Database): Promise<boolean> {
  const installed = rowsOf<{ present: boolean }>(
    await db.execute(sql`select exists (select 1 from pg_extension where extname = 'vector') as present`),
  )[0]?.present;
  if (installed) return true;
  const available = rowsOf<{ present: boolean }>(
    await db.execute(sql`select exists (select 1 from pg_available_extensions where name = 'vector') as present`),
  )[0]?.present;
  if (!available) return false;
  try {
    // In a savepoint when the caller is inside a transaction: a refusal (no privilege) must not abort it.
    await db.transaction((tx) => tx.execute(sql`create extension if not exists vector`));
    return true;
  } catch (error) {
    console.warn('[knowledge] pgvector is available but could not be created; using exact vector search:', error instanceof Error ? error.message : error);
    return false;
  }
}

/**
 * Whether this database has pgvector, creating the extension the first time it is asked (only
 * deployments with an embeddings model ever ask, so a full-text deployment never loads it).
 */
export function hasPgvector(db: Database): Promise<boolean> {
  let known = pgvectorByDatabase.get(db);
  if (!known) {
    known = tryPgvector(db).catch((error: unknown) => {
      pgvectorByDatabase.delete(db);
      throw error;
    });
    pgvectorByDatabase.set(db, known);
  }
  return known;
}

/**
 * The HNSW index for vectors of `dims` dimensions, made once. Partial on the length, because the
 * cast to vector(dims) fails for any other length; search casts the same way so it can use it.
 */
export async function ensureVectorIndex(db: Database, dims: number): Promise<void> {
  const cast = castFor(dims);
  if (!Number.isInteger(dims) || dims < 1 || !cast || !(await hasPgvector(db))) return;
  const done = indexedByDatabase.get(db) ?? new Set<number>();
  indexedByDatabase.set(db, done);
  if (done.has(dims)) return;
  try {
    await db.transaction((tx) =>
      tx.execute(
        sql.raw(
          `create index if not exists knowledge_chunks_embedding_${dims}_hnsw on knowledge_chunks ` +
            `using hnsw ((embedding::${cast}(${dims})) ${cast}_cosine_ops) where array_length(embedding, 1) = ${dims}`,
        ),
      ),
    );
    done.add(dims);
  } catch (error) {
    // Two processes creating it at once: one wins, the other's IF NOT EXISTS can still collide.
    const exists = rowsOf<{ present: boolean }>(
      await db.execute(sql`select exists (select 1 from pg_class where relname = ${`knowledge_chunks_embedding_${dims}_hnsw`}) as present`),
    )[0]?.present;
    if (!exists) throw error;
    done.add(dims);
  }
}

/** Unit length, so that a dot product is the cosine (and the exact scan does less work). */
function normalize(vector: number[]): number[] {
  const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
  return norm > 0 ? vector.map((x) => x / norm) : vector;
}

/** What a passage's vector is made from: its heading path says what the text is about. */
export const embeddingText = (heading: string, content: string) => (heading ? `${heading}\n\n${content}` : content);

/**
 * Embeds the document's passages that have no vector from the current model yet (all of them
 * the first time; none on a re-run after a crash half-way), a batch at a time, each batch
 * stored before the next is asked for. `onProgress` gets the fraction done (0..1).
 */
export async function embedDocument({
  db,
  documentId,
  onProgress,
  signal,
  embeddings = getEmbeddingsProvider(),
}: {
  db: Database;
  documentId: string;
  onProgress?: (fraction: number) => void | Promise<void>;
  signal?: AbortSignal;
  embeddings?: EmbeddingsProvider | null;
}): Promise<void> {
  if (!embeddings) return;
  const pending = rowsOf<{ id: string; heading: string; content: string }>(
    await db.execute(sql`
      select id, heading, content from knowledge_chunks
      where document_id = ${documentId}::uuid and (embedding is null or embedding_model is distinct from ${embeddings.model})
      order by position
    `),
  );
  for (let start = 0; start < pending.length; start += EMBEDDINGS_BATCH) {
    const batch = pending.slice(start, start + EMBEDDINGS_BATCH);
    const vectors = (await embeddings.embed(batch.map((chunk) => embeddingText(chunk.heading, chunk.content)), { signal })).map(normalize);
    if (start === 0 && vectors[0]) await ensureVectorIndex(db, vectors[0].length);
    await db.execute(sql`
      update knowledge_chunks k set embedding = v.embedding::real[], embedding_model = ${embeddings.model}
      from unnest(${sql.param(batch.map((chunk) => chunk.id))}::uuid[], ${sql.param(vectors.map((vector) => `{${vector.join(',')}}`))}::text[]) as v(id, embedding)
      where k.id = v.id
    `);
    await onProgress?.(Math.min(1, (start + batch.length) / pending.length));
  }
}

export type VectorHit = { id: string; distance: number };

/**
 * The passages nearest to `vector` (cosine) among ready documents of the bases, nearest first.
 * `method: 'exact'` skips pgvector even where it exists (tests compare the two).
 */
export async function searchVectors({
  db,
  knowledgeBaseIds,
  vector,
  model,
  limit,
  exclude = '',
  method = 'auto',
}: {
  db: Database;
  knowledgeBaseIds: string[];
  vector: number[];
  model: string;
  limit: number;
  /** A tsquery (as text) whose matches are left out: the query's `-words`. */
  exclude?: string;
  method?: 'auto' | 'exact';
}): Promise<VectorHit[]> {
  const dims = vector.length;
  if (dims === 0 || knowledgeBaseIds.length === 0 || limit <= 0) return [];
  const query = normalize(vector);
  const cast = castFor(dims);
  const where = sql`
    k.knowledge_base_id = any(${sql.param(knowledgeBaseIds)}::uuid[])
    and array_length(k.embedding, 1) = ${sql.raw(String(dims))}
    and k.embedding_model = ${model}
    ${exclude ? sql`and not (k.tsv @@ ${exclude}::tsquery)` : sql``}`;
  let rows: { id: string; distance: number | string }[];
  if (method === 'auto' && cast && (await hasPgvector(db))) {
    await ensureVectorIndex(db, dims);
    const type = sql.raw(`${cast}(${dims})`);
    rows = await db.transaction(async (tx) => {
      // Filtered HNSW scans keep going until `limit` rows pass the filter (pgvector 0.8), and
      // look at enough neighbours for the depth fusion wants; relaxed order is sorted below.
      await tx.execute(sql`select set_config('hnsw.iterative_scan', 'relaxed_order', true), set_config('hnsw.ef_search', ${String(Math.max(200, limit * 4))}, true)`);
      return rowsOf<{ id: string; distance: number | string }>(
        await tx.execute(sql`
          select k.id, (k.embedding::${type} <=> ${`[${query.join(',')}]`}::${type})::float8 as distance
          from knowledge_chunks k
          -- Readiness as a condition on the row, not a join: the HNSW scan then filters as it
          -- goes and stops at \`limit\`, where a join above it would read the whole index first.
          where ${where} and (select d.status from documents d where d.id = k.document_id) = 'ready'
          order by k.embedding::${type} <=> ${`[${query.join(',')}]`}::${type}
          limit ${limit}
        `),
      );
    });
  } else {
    rows = rowsOf<{ id: string; distance: number | string }>(
      await db.execute(sql`
        select k.id, 1 - (select coalesce(sum(a::float8 * b::float8) / nullif(sqrt(sum(a::float8 * a::float8)), 0), 0) from unnest(k.embedding, ${`{${query.join(',')}}`}::real[]) as u(a, b)) as distance
        from knowledge_chunks k
        where ${where}
          and k.document_id in (select d.id from documents d where d.knowledge_base_id = any(${sql.param(knowledgeBaseIds)}::uuid[]) and d.status = 'ready')
        order by distance, k.id
        limit ${limit}
      `),
    );
  }
  return rows
    .map((row) => ({ id: row.id, distance: Number(row.distance) }))
    .sort((a, b) => a.distance - b.distance || (a.id < b.id ? -1 : 1));
}
