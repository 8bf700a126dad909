/*
 * pnpm bench:knowledge — ingestion throughput and peak memory (a 200-page PDF, 500 HTML pages),
 * search latency at 10k and 100k passages (PGlite, and Postgres when DATABASE_URL is set), and
 * retrieval quality (recall@5, MRR) against a BM25 baseline. Prints JSON lines.
 * BENCH_ONLY=ingest|search|quality runs one part.
 */
import { benchIngest } from './knowledge-ingest';
import { benchQuality } from './knowledge-quality';
import { benchSearch } from './knowledge-search';
import { runBench } from './stats';

const parts = { ingest: benchIngest, search: benchSearch, quality: benchQuality };

runBench(async () => {
  const only = process.env.BENCH_ONLY as keyof typeof parts | undefined;
  for (const [name, run] of Object.entries(parts)) {
    if (!only || only === name) await run();
  }
});
