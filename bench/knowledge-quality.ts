/*
 * tsx bench/knowledge-quality.ts — retrieval quality of searchPassages on real documentation:
 * the Markdown of packages installed under node_modules, parsed and chunked as uploads are
 * (parseDocument + chunkDocument), indexed in PGlite, and asked the hand-written questions of
 * bench/eval/questions.json. Reports recall@5 and MRR@10 against MiniSearch (BM25, default
 * options) over the very same passages, in the same run. With EMBEDDINGS_MODEL configured it
 * also reports the hybrid ranking. Prints JSON lines.
 */
import fs from 'node:fs';
import path from 'node:path';
import MiniSearch from 'minisearch';
import { getEmbeddingsProvider } from '@/lib/ai/embeddings';
import { documents, knowledgeBases, knowledgeChunks, users } from '@/lib/db/schema';
import { newId } from '@/lib/ids';
import { chunkDocument } from '@/lib/knowledge/chunk';
import { parseDocument } from '@/lib/knowledge/parse';
import { searchPassages } from '@/lib/knowledge/search';
import { addTerms } from '@/lib/knowledge/terms';
import { embedDocument } from '@/lib/knowledge/vectors';
import { openTestDatabase } from '../tests/helpers/database';
import { report, runBench } from './stats';

type Question = { id: number; question: string; file: string; expect: string };
type EvalSet = { corpus: string[]; questions: Question[] };
type Indexed = { id: string; file: string; heading: string; content: string };

const CUTOFF = 5;
const DEPTH = 10;

/** What an expected substring is compared on: markdown emphasis and code marks gone, whitespace collapsed, any case. */
const normalize = (text: string) =>
  text
    .replace(/[*_`\\]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();

async function indexCorpus(files: string[]) {
  const handle = await openTestDatabase('pglite');
  const ownerId = newId();
  await handle.db.insert(users).values({ id: ownerId, name: 'Eval', email: `${ownerId}@example.com` });
  const knowledgeBaseId = newId();
  await handle.db.insert(knowledgeBases).values({ id: knowledgeBaseId, ownerId, name: 'documentation' });
  const passages: Indexed[] = [];
  const documentIds: string[] = [];
  for (const file of files) {
    const bytes = new Uint8Array(fs.readFileSync(path.join(process.cwd(), 'node_modules', file)));
    const chunks = chunkDocument(await parseDocument({ kind: 'markdown', bytes }));
    const documentId = newId();
    const rows = chunks.map((chunk) => ({ id: newId(), documentId, knowledgeBaseId, position: chunk.position, page: chunk.page ?? null, heading: chunk.heading, content: chunk.content }));
    await handle.db.transaction(async (tx) => {
      await tx.insert(documents).values({ id: documentId, knowledgeBaseId, ownerId, name: file, mimeType: 'text/markdown', status: 'ready', chunkCount: rows.length });
      for (let start = 0; start < rows.length; start += 500) await tx.insert(knowledgeChunks).values(rows.slice(start, start + 500));
      await addTerms(tx, { knowledgeBaseId, documentId });
    });
    documentIds.push(documentId);
    passages.push(...rows.map((row) => ({ id: row.id, file, heading: row.heading, content: row.content })));
  }
  return { handle, knowledgeBaseId, passages, documentIds };
}

/** 1-based rank of the first relevant id within the first DEPTH, or undefined. */
function rankOf(ids: string[], relevant: Set<string>): number | undefined {
  const index = ids.slice(0, DEPTH).findIndex((id) => relevant.has(id));
  return index < 0 ? undefined : index + 1;
}

function figures(ranks: (number | undefined)[]) {
  const recall = ranks.filter((rank) => rank !== undefined && rank <= CUTOFF).length / ranks.length;
  const mrr = ranks.reduce<number>((sum, rank) => sum + (rank ? 1 / rank : 0), 0) / ranks.length;
  return { [`recall_at_${CUTOFF}`]: Math.round(recall * 1000) / 10, [`mrr_at_${DEPTH}`]: Math.round(mrr * 1000) / 1000 };
}

export async function benchQuality(): Promise<void> {
  const evalSet = JSON.parse(fs.readFileSync(path.join(process.cwd(), 'bench', 'eval', 'questions.json'), 'utf8')) as EvalSet;
  const { handle, knowledgeBaseId, passages, documentIds } = await indexCorpus(evalSet.corpus);
  try {
    // The baseline: MiniSearch's BM25 with its defaults, over the same passages and fields.
    const baseline = new MiniSearch<Indexed>({ fields: ['heading', 'content'], storeFields: [] });
    baseline.addAll(passages);

    const embeddings = getEmbeddingsProvider();
    if (embeddings) for (const documentId of documentIds) await embedDocument({ db: handle.db, documentId, embeddings });
    report({ bench: 'knowledge-quality', setup: { files: evalSet.corpus.length, passages: passages.length, questions: evalSet.questions.length, embeddings: embeddings?.model ?? null } });

    const ranks = { hub: [] as (number | undefined)[], bm25: [] as (number | undefined)[], hybrid: [] as (number | undefined)[] };
    for (const question of evalSet.questions) {
      const wanted = normalize(question.expect);
      const relevant = new Set(passages.filter((p) => p.file === question.file && normalize(`${p.heading} ${p.content}`).includes(wanted)).map((p) => p.id));
      if (relevant.size === 0) {
        report({ bench: 'knowledge-quality', question: question.id, skipped: `no passage of ${question.file} contains the expected text (did the package change?)` });
        continue;
      }
      const hubIds = (await searchPassages({ db: handle.db, knowledgeBaseIds: [knowledgeBaseId], query: question.question, limit: DEPTH, embeddings: null })).map((hit) => hit.chunkId);
      const bm25Ids = baseline.search(question.question).map((result) => String(result.id));
      const hub = rankOf(hubIds, relevant);
      const bm25 = rankOf(bm25Ids, relevant);
      ranks.hub.push(hub);
      ranks.bm25.push(bm25);
      const line: Record<string, unknown> = { bench: 'knowledge-quality', question: question.id, hub_rank: hub ?? null, bm25_rank: bm25 ?? null };
      if (embeddings) {
        const hybridIds = (await searchPassages({ db: handle.db, knowledgeBaseIds: [knowledgeBaseId], query: question.question, limit: DEPTH, embeddings })).map((hit) => hit.chunkId);
        const hybrid = rankOf(hybridIds, relevant);
        ranks.hybrid.push(hybrid);
        line.hybrid_rank = hybrid ?? null;
      }
      report(line);
    }
    const hub = figures(ranks.hub);
    const bm25 = figures(ranks.bm25);
    report({ bench: 'knowledge-quality', ranking: 'hub full-text', questions: ranks.hub.length, ...hub });
    report({ bench: 'knowledge-quality', ranking: 'minisearch bm25 (defaults)', questions: ranks.bm25.length, ...bm25 });
    if (embeddings) report({ bench: 'knowledge-quality', ranking: `hub hybrid (${embeddings.model})`, questions: ranks.hybrid.length, ...figures(ranks.hybrid) });
    const margin = Math.round((Number(hub[`recall_at_${CUTOFF}`]) - Number(bm25[`recall_at_${CUTOFF}`])) * 10) / 10;
    report({ bench: 'knowledge-quality', goal: `hub recall@${CUTOFF} at least 5 points above BM25`, value: margin, met: margin >= 5 });
  } finally {
    await handle.close();
  }
}

if (/knowledge-quality\.ts$/.test(process.argv[1] ?? '')) runBench(benchQuality);
