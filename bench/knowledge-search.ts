/*
 * tsx bench/knowledge-search.ts — searchPassages latency (p50/p99) at 10k and 100k passages in
 * one knowledge base, on PGlite and, when DATABASE_URL is set, on that Postgres too. Passages are
 * generated from the real vocabulary of the documentation installed under node_modules, words
 * drawn with a Zipf distribution (a few words everywhere, most words rare, as in real text), so
 * idf and the candidate budget face what they would in production. At the first size it also
 * measures hybrid search (the fixture's embeddings, BENCH_EMBEDDING_DIMS long, through the real
 * SDK): pgvector's HNSW index on PGlite, the exact fallback on a Postgres without pgvector.
 * BENCH_TSV_STORAGE=main stores the tsvector inline (ALTER TABLE ... SET STORAGE MAIN) to
 * measure that layout against the migrations' default. Prints JSON lines.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { DatabaseHandle } from '@/lib/db/client';
import { documents, knowledgeBases, knowledgeChunks, users } from '@/lib/db/schema';
import { newId } from '@/lib/ids';
import { createOpenAIEmbeddings, type EmbeddingsProvider } from '@/lib/ai/embeddings';
import { searchPassages } from '@/lib/knowledge/search';
import { addTerms } from '@/lib/knowledge/terms';
import { embedDocument } from '@/lib/knowledge/vectors';
import { startOpenAIServer } from '../tests/fixtures/openai-server';
import { openTestDatabase, type TestDatabaseKind } from '../tests/helpers/database';
import { report, runBench, summarize, time } from './stats';
import { random } from '../tests/helpers/random';

const SIZES = (process.env.BENCH_PASSAGES ?? '10000,100000').split(',').map(Number);
const PASSAGES_PER_DOCUMENT = 50;
const QUERIES = Number(process.env.BENCH_QUERIES ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP = 50;
const LIMIT = 8;
const EMBEDDING_DIMS = Number(process.env.BENCH_EMBEDDING_DIMS ?? 256);
const TSV_STORAGE = process.env.BENCH_TSV_STORAGE === 'main' ? 'main' : 'default';

/** Words of the Markdown shipped in node_modules, most frequent first: a real vocabulary to sample from. */
function vocabulary(max = 30_000): string[] {
  const counts = new Map<string, number>();
  const visit = (dir: string, depth: number) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && depth < 4) visit(full, depth + 1);
      else if (entry.isFile() && /\.md$/i.test(entry.name) && counts.size < 400_000) {
        const text = fs.readFileSync(full, 'utf8').slice(0, 200_000).toLowerCase();
        for (const word of text.match(/[a-z][a-z'-]{1,20}/g) ?? []) counts.set(word, (counts.get(word) ?? 0) + 1);
      }
    }
  };
  visit(path.join(process.cwd(), 'node_modules', '.pnpm'), 0);
  return [...counts.entries()]
    .filter(([, count]) => count > 1)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, max)
    .map(([word]) => word);
}

/** Draws ranks 0..n-1 with probability ∝ 1/(rank+1)^s, by inverting the cumulative sum. */
function zipf(n: number, s: number, next: () => number) {
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) cumulative[i] = total += 1 / Math.pow(i + 1, s);
  return () => {
    const target = next() * total;
    let low = 0;
    let high = n - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (cumulative[mid]! < target) low = mid + 1;
      else high = mid;
    }
    return low;
  };
}

type Corpus = { words: string[]; next: () => number; rank: () => number };

export function makeCorpus(): Corpus {
  const words = vocabulary();
  const next = random(42);
  return { words, next, rank: zipf(words.length, 1.05, next) };
}

/** About 900 characters, like the chunker's passages; a heading path of two to four words. */
function passage(corpus: Corpus): { heading: string; content: string } {
  const sentence = () => {
    const length = 8 + Math.floor(corpus.next() * 14);
    const words = Array.from({ length }, () => corpus.words[corpus.rank()]!);
    return `${words.join(' ')}.`;
  };
  let content = '';
  while (content.length < 850) content += `${sentence()} `;
  const heading = Array.from({ length: 2 + Math.floor(corpus.next() * 3) }, () => corpus.words[50 + Math.floor(corpus.next() * 5000)]).join(' ');
  return { heading, content: content.trim() };
}

export async function fill(handle: DatabaseHandle, corpus: Corpus, knowledgeBaseId: string, ownerId: string, passages: number, sample: string[], documentIds: string[] = []) {
  for (let done = 0; done < passages; done += PASSAGES_PER_DOCUMENT) {
    const documentId = newId();
    documentIds.push(documentId);
    const rows = Array.from({ length: PASSAGES_PER_DOCUMENT }, (_, position) => ({ id: newId(), documentId, knowledgeBaseId, position, ...passage(corpus) }));
    if (sample.length < 2000 && corpus.next() < 0.2) sample.push(rows[Math.floor(corpus.next() * rows.length)]!.content);
    await handle.db.transaction(async (tx) => {
      await tx.insert(documents).values({ id: documentId, knowledgeBaseId, ownerId, name: `generated-${done}.md`, mimeType: 'text/markdown', status: 'ready', chunkCount: rows.length });
      await tx.insert(knowledgeChunks).values(rows);
      await addTerms(tx, { knowledgeBaseId, documentId });
    });
  }
}

const STOP = new Set(['the', 'a', 'an', 'of', 'to', 'and', 'or', 'in', 'is', 'it', 'for', 'on', 'be', 'as', 'with', 'by', 'this', 'that']);

/**
 * Questions as people ask them, built from sampled passages so most have answers: a natural
 * question with three to five of the passage's words and a stray one, bare keywords, a quoted
 * phrase, and keywords with an exclusion. People ask about topics: three in four words picked
 * are not among the 300 most frequent of the vocabulary, the rest are any of the passage's.
 */
export function queries(corpus: Corpus, sample: string[]): string[] {
  const rank = new Map(corpus.words.map((word, i) => [word, i]));
  return Array.from({ length: QUERIES }, (_, i) => {
    const words = sample[Math.floor(corpus.next() * sample.length)]!.replace(/\./g, '').split(' ');
    const content = words.filter((word) => !STOP.has(word));
    const topical = content.filter((word) => (rank.get(word) ?? 0) >= 300);
    const one = () => {
      const from = topical.length > 0 && corpus.next() < 0.75 ? topical : content;
      return from[Math.floor(corpus.next() * from.length)]!;
    };
    const pick = (n: number) => Array.from({ length: n }, one);
    const kind = i % 10;
    if (kind < 6) return `how do I ${pick(3 + Math.floor(corpus.next() * 3)).join(' ')} with ${corpus.words[corpus.rank()]}?`;
    if (kind < 8) return pick(2 + Math.floor(corpus.next() * 2)).join(' ');
    if (kind < 9) {
      const at = Math.floor(corpus.next() * (words.length - 2));
      return `"${words[at]} ${words[at + 1]}" ${one()}`;
    }
    return `${pick(2).join(' ')} -${one()}`;
  });
}

async function measure(handle: DatabaseHandle, kind: TestDatabaseKind, knowledgeBaseId: string, passages: number, asked: string[], embeddings: EmbeddingsProvider | null = null, rounds = ROUNDS) {
  const run = (query: string) => searchPassages({ db: handle.db, knowledgeBaseIds: [knowledgeBaseId], query, limit: LIMIT, embeddings });
  for (const query of asked.slice(0, WARMUP)) await run(query);
  const samples: number[] = [];
  let answered = 0;
  for (let round = 0; round < rounds; round++) {
    for (const query of asked) {
      let hits = 0;
      samples.push(await time(async () => void (hits = (await run(query)).length)));
      if (round === 0 && hits > 0) answered++;
    }
  }
  const figures = summarize(samples);
  const mode = embeddings ? { mode: 'hybrid', vectors: kind === 'pglite' ? 'pgvector hnsw' : 'exact fallback', dims: EMBEDDING_DIMS } : { mode: 'full-text' };
  report({ bench: 'knowledge-search', database: kind, tsvStorage: TSV_STORAGE, passages, ...mode, limit: LIMIT, queries: asked.length, answered, ...figures });
  return figures;
}

async function benchOne(kind: TestDatabaseKind, corpus: Corpus) {
  const handle = await openTestDatabase(kind);
  try {
    const ownerId = newId();
    await handle.db.insert(users).values({ id: ownerId, name: 'Bench', email: `${ownerId}@example.com` });
    const knowledgeBaseId = newId();
    await handle.db.insert(knowledgeBases).values({ id: knowledgeBaseId, ownerId, name: 'bench' });
    if (TSV_STORAGE === 'main') await handle.db.execute(sql`alter table knowledge_chunks alter column tsv set storage main`);
    const sample: string[] = [];
    const documentIds: string[] = [];
    let filled = 0;
    for (const [index, size] of SIZES.entries()) {
      const start = performance.now();
      await fill(handle, corpus, knowledgeBaseId, ownerId, size - filled, sample, documentIds);
      const seconds = (performance.now() - start) / 1000;
      report({ bench: 'knowledge-search', database: kind, ingest: { passages: size - filled, seconds: Math.round(seconds * 10) / 10, passagesPerSecond: Math.round((size - filled) / seconds) } });
      filled = size;
      await handle.db.execute(sql`analyze`);
      const asked = queries(corpus, sample);
      const figures = await measure(handle, kind, knowledgeBaseId, size, asked);
      if (index === 0 && process.env.BENCH_HYBRID !== '0') await measureHybrid(handle, kind, knowledgeBaseId, size, asked, documentIds);
      if (size >= 100_000) report({ bench: 'knowledge-search', database: kind, goal: 'p50 under 20 ms at 100k passages', value: figures.p50_ms, met: figures.p50_ms < 20 });
    }
  } finally {
    await handle.close();
  }
}

/** Embeds every passage so far with the fixture model, then times hybrid searches (one round: each also embeds its query over HTTP). */
async function measureHybrid(handle: DatabaseHandle, kind: TestDatabaseKind, knowledgeBaseId: string, passages: number, asked: string[], documentIds: string[]) {
  const server = await startOpenAIServer({ embeddingDims: EMBEDDING_DIMS });
  try {
    const embeddings = createOpenAIEmbeddings({ model: 'fixture-embed', apiKey: 'bench', baseURL: server.baseURL, timeoutMs: 60_000 });
    const start = performance.now();
    for (const documentId of documentIds) await embedDocument({ db: handle.db, documentId, embeddings });
    report({ bench: 'knowledge-search', database: kind, embed: { passages, dims: EMBEDDING_DIMS, seconds: Math.round((performance.now() - start) / 100) / 10 } });
    await measure(handle, kind, knowledgeBaseId, passages, asked, embeddings, 1);
  } finally {
    await server.close();
  }
}

export async function benchSearch(): Promise<void> {
  const corpus = makeCorpus();
  report({ bench: 'knowledge-search', setup: { sizes: SIZES, vocabulary: corpus.words.length, zipf: 1.05, passagesPerDocument: PASSAGES_PER_DOCUMENT, queries: QUERIES, rounds: ROUNDS } });
  const kinds: TestDatabaseKind[] = process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
  for (const kind of kinds) await benchOne(kind, corpus);
}

if (/knowledge-search\.ts$/.test(process.argv[1] ?? '')) runBench(benchSearch);
