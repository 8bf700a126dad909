import 'server-only';
import { sql } from 'drizzle-orm';
import { getEmbeddingsProvider, type EmbeddingsProvider } from '@/lib/ai/embeddings';
import type { RetrievalMode } from '@/lib/contracts/knowledge';
import type { Database } from '@/lib/db';
import { rowsOf } from '@/lib/db/rows';
import { isUuid } from '@/lib/ids';
import { PASSAGE_COUNT_LEXEME } from './terms';
import { searchVectors } from './vectors';

export type SearchHit = {
  chunkId: string;
  documentId: string;
  documentName: string;
  knowledgeBaseId: string;
  content: string;
  page?: number;
  heading?: string;
  /** Higher is better. Full-text: the BM25-style score; hybrid: the reciprocal-rank-fusion score. */
  score: number;
  /**
   * With `highlight: true`: [start, end) offsets into `content` (UTF-16, as JavaScript slices) of
   * the words that matched the query, found by the same parser and stemmer as the index.
   */
  highlights?: [number, number][];
};

/** Longer queries are cut here: a pasted page is still searched by its beginning, and stays cheap. */
export const MAX_QUERY_CHARS = 1000;
/** The rarest this many query terms are scored; the rest add little (low idf) and cost a rank each. */
const MAX_TERMS = 24;
/**
 * Candidate generation stops adding terms (rarest first) once their passage counts sum past this:
 * the common terms of a question would pull in most of a large base and still score low. They
 * are scored for every candidate all the same.
 */
const CANDIDATE_BUDGET = 1000;
/** Hard bound on the passages one search scores, whatever the query and the base. */
const CANDIDATE_CAP = 1000;
/**
 * Cover density (ts_rank_cd) costs several times a per-term rank, so it is computed for the
 * best this many by the per-term score, among all candidates and among whole-query matches.
 */
const PROXIMITY_RERANK = 100;
/** How many of each ranking reciprocal rank fusion sees. */
const FUSION_DEPTH = 50;
const RRF_K = 60;
/**
 * Weight of the whole-query match (all terms, phrases in order, close together) against the
 * per-term sum: at 1, a passage matching the query as written outranks one with the same words
 * scattered, yet a passage missing a rare term is not rescued by proximity among common ones.
 */
const PROXIMITY_WEIGHT = 1;

export type PreparedQuery = { positive: string; negative: string };

/**
 * Splits what a person typed into the words wanted and the words excluded (`-word`, `-"a phrase"`,
 * as websearch_to_tsquery reads them), after cutting it to MAX_QUERY_CHARS and dropping what
 * Postgres text cannot hold (NUL, lone surrogates).
 */
export function prepareQuery(query: string): PreparedQuery {
  const clean = String(query ?? '')
    .toWellFormed()
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, ' ')
    .slice(0, MAX_QUERY_CHARS)
    .toWellFormed();
  const excluded: string[] = [];
  const positive = clean.replace(/(^|\s)-("[^"]*"?|[^\s"]+)/g, (_, space: string, term: string) => {
    excluded.push(term.startsWith('"') && !term.endsWith('"') ? `${term}"` : term);
    return `${space} `;
  });
  return { positive: positive.trim(), negative: excluded.join(' or ') };
}

/** A lexeme as a one-term tsquery, written in tsquery syntax so that no character of it is read as an operator. */
const lexemeQuery = (lexeme: string) => `'${lexeme.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

type Term = { lexeme: string; df: number; idf: number; query: string };
type Analysis = { terms: Term[]; passages: number; websearch: string; exclude: string };

/** The query's lexemes with their frequencies in the bases searched, and its websearch form. One round trip. */
async function analyze(db: Database, knowledgeBaseIds: string[], { positive, negative }: PreparedQuery): Promise<Analysis | undefined> {
  const rows = rowsOf<{ lexeme: string; df: number | string; n: number | string; websearch: string; exclude: string }>(
    await db.execute(sql`
      with q as (select unnest(tsvector_to_array(to_tsvector('english', ${positive}))) as lexeme)
      select q.lexeme,
        coalesce((select sum(t.passages) from knowledge_terms t where t.knowledge_base_id = any(${sql.param(knowledgeBaseIds)}::uuid[]) and t.lexeme = q.lexeme), 0)::float8 as df,
        coalesce((select sum(t.passages) from knowledge_terms t where t.knowledge_base_id = any(${sql.param(knowledgeBaseIds)}::uuid[]) and t.lexeme = ${PASSAGE_COUNT_LEXEME}), 0)::float8 as n,
        websearch_to_tsquery('english', ${positive})::text as websearch,
        websearch_to_tsquery('english', ${negative})::text as exclude
      from q
    `),
  );
  if (rows.length === 0) return undefined;
  const passages = Number(rows[0]!.n);
  const terms = rows
    .map((row) => ({ lexeme: row.lexeme, df: Number(row.df) }))
    .filter((term) => term.df > 0)
    .sort((a, b) => a.df - b.df || (a.lexeme < b.lexeme ? -1 : 1))
    .slice(0, MAX_TERMS)
    // BM25's idf, in the form that never goes negative for a term in most passages.
    .map((term) => ({ ...term, idf: Math.log(1 + (passages - term.df + 0.5) / (term.df + 0.5)), query: lexemeQuery(term.lexeme) }));
  return { terms, passages, websearch: rows[0]!.websearch, exclude: rows[0]!.exclude };
}

function combinations<T>(items: T[], size: number): T[][] {
  if (size === 0) return [[]];
  return items.flatMap((item, i) => combinations(items.slice(i + 1), size - 1).map((rest) => [item, ...rest]));
}

/**
 * Which passages to score, besides those matching the whole query: those with any of the rarest
 * terms, while their passage counts sum within CANDIDATE_BUDGET. When even the rarest term is
 * that common, those with at least two (or three, or all) of the four rarest terms, the fewest
 * that the independence estimate N·Π(df/N) expects to fit the budget.
 */
function candidateQuery(terms: Term[], passages: number): string {
  const chosen: Term[] = [];
  let total = 0;
  for (const term of terms) {
    if (total + term.df > CANDIDATE_BUDGET) break;
    chosen.push(term);
    total += term.df;
  }
  if (chosen.length > 0) return chosen.map((term) => term.query).join(' | ');
  const rarest = terms.slice(0, 4);
  for (let size = 2; size <= rarest.length; size++) {
    const groups = combinations(rarest, size);
    const expected = groups.reduce((sum, group) => sum + passages * group.reduce((p, term) => p * (term.df / passages), 1), 0);
    if (expected <= CANDIDATE_BUDGET || size === rarest.length) return groups.map((group) => `(${group.map((term) => term.query).join(' & ')})`).join(' | ');
  }
  return rarest[0]!.query;
}

type Ranked = { id: string; score: number };

/**
 * Full-text ranking: score = Σ idf(t) · ts_rank(passage, t) (ts_rank saturates repeated terms and,
 * with normalization 1, divides by the log of the passage's length), plus, for passages matching
 * the whole query as websearch_to_tsquery reads it, PROXIMITY_WEIGHT · Σ idf · ts_rank_cd (cover
 * density: phrases and nearby words). Candidates are the whole-query matches and candidateQuery's,
 * at most CANDIDATE_CAP of them, so the work is bounded whatever the base's size.
 */
async function rankFullText(db: Database, knowledgeBaseIds: string[], analysis: Analysis, depth: number): Promise<Ranked[]> {
  const { terms, websearch, exclude } = analysis;
  if (terms.length === 0) return [];
  const idfSum = terms.reduce((sum, term) => sum + term.idf, 0);
  // c.v is the passage's vector read once: a tsvector of a passage this size is usually stored
  // out of line (TOAST), and each function given the column would fetch it again.
  const termScore = sql.join(
    terms.map((term) => sql`ts_rank(c.v, ${term.query}::tsquery, 1) * ${term.idf}::float8`),
    sql` + `,
  );
  const proximity = websearch ? sql`case when s.whole then ${PROXIMITY_WEIGHT * idfSum}::float8 * ts_rank_cd(s.v, ${websearch}::tsquery, 1) else 0 end` : sql`0`;
  const inBases = sql`k.knowledge_base_id = any(${sql.param(knowledgeBaseIds)}::uuid[])`;
  const notExcluded = exclude ? sql`and not (k.tsv @@ ${exclude}::tsquery)` : sql``;
  // Whole-query matches first: when the candidates overflow CANDIDATE_CAP, what is cut is
  // passages with only some of the terms.
  const wholeMatches = websearch
    ? sql`w as (
        select k.id, k.document_id, k.tsv || ''::tsvector as v, true as whole
        from knowledge_chunks k
        where ${inBases} and k.tsv @@ ${websearch}::tsquery ${notExcluded}
        limit ${CANDIDATE_CAP}
      ),`
    : sql``;
  const candidates = candidateQuery(terms, analysis.passages);
  // A one-word query's candidates are its whole-query matches: no second scan for none.
  const others = !websearch || candidates !== websearch;
  const query = sql`
    with ${wholeMatches} g as (
      select k.id, k.document_id, k.tsv || ''::tsvector as v, false as whole
      from knowledge_chunks k
      where ${inBases} and k.tsv @@ ${candidates}::tsquery ${notExcluded}
        ${websearch ? sql`and k.id not in (select w.id from w)` : sql``}
        ${others ? sql`` : sql`and false`}
      limit ${CANDIDATE_CAP}
    ), c as (
      ${websearch ? sql`select * from w union all` : sql``} select * from g
      limit ${CANDIDATE_CAP}
    ), s as (
      select c.id, c.v, c.whole, ${termScore} as terms
      from c
      -- One hash of the bases' ready documents, not an index probe per candidate.
      where c.document_id in (select d.id from documents d where d.knowledge_base_id = any(${sql.param(knowledgeBaseIds)}::uuid[]) and d.status = 'ready')
    ), r as (
      select s.*, row_number() over (order by s.terms desc, s.id) as overall, row_number() over (partition by s.whole order by s.terms desc, s.id) as within
      from s
    )
    select s.id, s.terms + ${proximity} as score
    from r s
    where s.overall <= ${PROXIMITY_RERANK} or (s.whole and s.within <= ${PROXIMITY_RERANK})
    order by score desc, s.id
    limit ${depth}
  `;
  // The planner, seeing common terms (or, with no statistics yet, as on PGlite which has no
  // autovacuum, seeing nothing), would read the table in order and filter, which reads every
  // passage when few match; the GIN index over (base, words) finds the matches for the cost of
  // their posting lists, which the candidate budget keeps short. And guessing one row
  // everywhere, it would run the candidate scans once per ready document of the base in a nested
  // loop: hashing the documents is right at every size. Set for this statement only (put back
  // after it, for a caller that searches inside its own transaction).
  const rows = await db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', 'off', true), set_config('enable_nestloop', 'off', true)`);
    const ranked = rowsOf<{ id: string; score: number | string }>(await tx.execute(query));
    await tx.execute(sql`select set_config('enable_seqscan', 'on', true), set_config('enable_indexscan', 'on', true), set_config('enable_nestloop', 'on', true)`);
    return ranked;
  });
  return rows.map((row) => ({ id: row.id, score: Number(row.score) }));
}

/** Reciprocal rank fusion: each ranking contributes 1/(k + rank) for every passage it holds. */
export function fuseRankings(rankings: { id: string }[][], k = RRF_K): Ranked[] {
  const scores = new Map<string, number>();
  for (const ranking of rankings) ranking.forEach(({ id }, index) => scores.set(id, (scores.get(id) ?? 0) + 1 / (k + index + 1)));
  return [...scores.entries()].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
}

// ts_headline marks every matching word (same parser and stemmer as the index, so what is marked
// is what matched) between two control characters that passages do not contain.
const START = '\u0001';
const STOP = '\u0002';
const HEADLINE_OPTIONS = `HighlightAll=true, StartSel=${START}, StopSel=${STOP}`;

/** Offsets of the marked words of a headline in the original text; none if the two disagree. */
export function highlightRanges(content: string, headline: string): [number, number][] {
  if (content.includes(START) || content.includes(STOP)) return [];
  const ranges: [number, number][] = [];
  let plain = '';
  let open = -1;
  for (const char of headline) {
    if (char === START) open = plain.length;
    else if (char === STOP) {
      if (open >= 0 && plain.length > open) ranges.push([open, plain.length]);
      open = -1;
    } else plain += char;
  }
  return plain === content ? ranges : [];
}

/** The passages of `ranked`, in that order, with what a result shows and where the query's words are in it. */
async function hydrate(db: Database, ranked: Ranked[], terms: Term[], highlight: boolean): Promise<SearchHit[]> {
  if (ranked.length === 0) return [];
  const anyTerm = highlight ? terms.map((term) => term.query).join(' | ') : '';
  const rows = rowsOf<{
    id: string;
    document_id: string;
    knowledge_base_id: string;
    name: string;
    content: string;
    page: number | null;
    heading: string;
    headline: string | null;
  }>(
    await db.execute(sql`
      select k.id, k.document_id, k.knowledge_base_id, d.name, k.content, k.page, k.heading,
        ${anyTerm ? sql`ts_headline('english', k.content, ${anyTerm}::tsquery, ${HEADLINE_OPTIONS})` : sql`null`} as headline
      from knowledge_chunks k
      -- The few passages first, then each one's document by key: never the base's documents
      -- scanned for them (the plan a planner without statistics picks for a plain join).
      cross join lateral (select d.name from documents d where d.id = k.document_id and d.status = 'ready' limit 1) d
      where k.id = any(${sql.param(ranked.map((hit) => hit.id))}::uuid[])
    `),
  );
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ranked.flatMap(({ id, score }) => {
    const row = byId.get(id);
    if (!row) return [];
    return [
      {
        chunkId: row.id,
        documentId: row.document_id,
        documentName: row.name,
        knowledgeBaseId: row.knowledge_base_id,
        content: row.content,
        ...(row.page !== null && row.page !== undefined ? { page: Number(row.page) } : {}),
        ...(row.heading ? { heading: row.heading } : {}),
        score,
        ...(highlight ? { highlights: row.headline === null ? [] : highlightRanges(row.content, row.headline) } : {}),
      },
    ];
  });
}

/**
 * Passages of the given knowledge bases (ready documents only) for what a person or an agent
 * typed, best first. Full-text always; fused with vector search when an embeddings model is set.
 * The caller has already checked that the bases may be read.
 */
export async function searchPassages({
  db,
  knowledgeBaseIds,
  query,
  limit,
  highlight = false,
  embeddings = getEmbeddingsProvider(),
}: {
  db: Database;
  knowledgeBaseIds: string[];
  query: string;
  limit: number;
  /** Also say where the query's words are in each passage (for the search UI; agents need not pay for it). */
  highlight?: boolean;
  /** Defaults to the configured model; tests and benchmarks pass one (or null for full-text only). */
  embeddings?: EmbeddingsProvider | null;
}): Promise<SearchHit[]> {
  const take = Math.max(0, Math.min(Math.floor(limit), 100));
  // Not an id, not a base: a malformed one would otherwise fail the uuid[] cast for all of them.
  const bases = [...new Set(knowledgeBaseIds)].filter(isUuid);
  if (!(take > 0) || bases.length === 0) return [];
  const prepared = prepareQuery(query);
  const analysis = await analyze(db, bases, prepared);
  if (!analysis) return [];
  if (!embeddings) return hydrate(db, await rankFullText(db, bases, analysis, take), analysis.terms, highlight);

  const depth = Math.max(take, FUSION_DEPTH);
  const [fullText, vector] = await Promise.all([
    rankFullText(db, bases, analysis, depth),
    embedQuery(embeddings, prepared.positive).then((vector) =>
      vector ? searchVectors({ db, knowledgeBaseIds: bases, vector, model: embeddings.model, limit: depth, exclude: analysis.exclude }) : [],
    ),
  ]);
  return hydrate(db, fuseRankings([fullText, vector]).slice(0, take), analysis.terms, highlight);
}

/** The query's vector, or undefined when the model cannot answer now: search then stays full-text rather than fail. */
async function embedQuery(embeddings: EmbeddingsProvider, text: string): Promise<number[] | undefined> {
  try {
    const [vector] = await embeddings.embed([text]);
    return vector;
  } catch (error) {
    console.warn('[knowledge] query embedding failed; searching full-text only:', error instanceof Error ? error.message : error);
    return undefined;
  }
}

/** What the UI says about search: keywords only, or keywords and the embeddings model's vectors. */
export function retrievalMode(): RetrievalMode {
  const embeddings = getEmbeddingsProvider();
  return embeddings ? { kind: 'hybrid', model: embeddings.model } : { kind: 'full-text' };
}
