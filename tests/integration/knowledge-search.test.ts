import { sql } from 'drizzle-orm';
import { createOpenAIEmbeddings, type EmbeddingsProvider } from '@/lib/ai/embeddings';
import type { DatabaseHandle } from '@/lib/db/client';
import { rowsOf } from '@/lib/db/rows';
import { documents, knowledgeBases, knowledgeChunks, knowledgeTerms, users, type DocumentStatus } from '@/lib/db/schema';
import { newId } from '@/lib/ids';
import { prepareQuery, searchPassages, type SearchHit } from '@/lib/knowledge/search';
import { addTerms, removeTerms } from '@/lib/knowledge/terms';
import { embedDocument, hasPgvector, searchVectors } from '@/lib/knowledge/vectors';
import { fixtureEmbedding, startOpenAIServer } from '../fixtures/openai-server';
import { openTestDatabase, testDatabaseKinds, type TestDatabaseKind } from '../helpers/database';

type Passage = { heading?: string; content: string; page?: number };
type Seeded = { knowledgeBaseId: string; documentIds: string[]; chunkIds: string[][] };

/** A person, a knowledge base and its documents' passages, inserted as the ingestion worker would, terms counted. */
async function seed(handle: DatabaseHandle, docs: { name?: string; status?: DocumentStatus; passages: (Passage | string)[] }[]): Promise<Seeded> {
  const { db } = handle;
  const ownerId = newId();
  await db.insert(users).values({ id: ownerId, name: 'Owner', email: `${ownerId}@example.com` });
  const knowledgeBaseId = newId();
  await db.insert(knowledgeBases).values({ id: knowledgeBaseId, ownerId, name: `kb-${knowledgeBaseId}` });
  const documentIds: string[] = [];
  const chunkIds: string[][] = [];
  for (const [index, doc] of docs.entries()) {
    const documentId = newId();
    await db.transaction(async (tx) => {
      await tx.insert(documents).values({ id: documentId, knowledgeBaseId, ownerId, name: doc.name ?? `doc-${index}.md`, mimeType: 'text/markdown', status: doc.status ?? 'ready' });
      const rows = doc.passages.map((passage, position) => {
        const { heading = '', content, page } = typeof passage === 'string' ? { content: passage } : passage;
        return { id: newId(), documentId, knowledgeBaseId, position, heading, content, page };
      });
      if (rows.length > 0) await tx.insert(knowledgeChunks).values(rows);
      await addTerms(tx, { knowledgeBaseId, documentId });
      chunkIds.push(rows.map((row) => row.id));
    });
    documentIds.push(documentId);
  }
  return { knowledgeBaseId, documentIds, chunkIds };
}

/** Filler that makes a word common in the base (so its idf is low) without mentioning the test's words. */
const filler = (word: string, count: number) =>
  Array.from({ length: count }, (_, i) => `Note ${i} about the ${word} and assorted unrelated subjects number ${i} of the ${word} archive.`);

const search = (handle: DatabaseHandle, knowledgeBaseIds: string[], query: string, limit = 10) =>
  searchPassages({ db: handle.db, knowledgeBaseIds, query, limit, highlight: true, embeddings: null });
const contents = (hits: SearchHit[]) => hits.map((hit) => hit.content);

/** The document frequencies as they should be: recounted from the passages themselves. */
async function recountedTerms(handle: DatabaseHandle, knowledgeBaseId: string) {
  const rows = rowsOf<{ lexeme: string; passages: number | string }>(
    await handle.db.execute(sql`
      select lexeme, count(*) as passages from knowledge_chunks k, unnest(tsvector_to_array(k.tsv)) lexeme
      where k.knowledge_base_id = ${knowledgeBaseId}::uuid group by lexeme
      union all select '', count(*) from knowledge_chunks where knowledge_base_id = ${knowledgeBaseId}::uuid having count(*) > 0
    `),
  );
  return Object.fromEntries(rows.map((row) => [row.lexeme, Number(row.passages)]));
}
async function storedTerms(handle: DatabaseHandle, knowledgeBaseId: string) {
  const rows = await handle.db.select().from(knowledgeTerms).where(sql`${knowledgeTerms.knowledgeBaseId} = ${knowledgeBaseId}`);
  return Object.fromEntries(rows.map((row) => [row.lexeme, row.passages]));
}

const VOCABULARY = 'car doctor vacation refund server garden invoice river ledger quartz lamp harbor violin copper meadow tunnel falcon pepper canyon orbit'.split(' ');
const QUESTIONS = ['automobile physician', 'holiday garden river', 'money back for the invoice', 'quartz lamp'];

/** Deterministic passages of 4 to 9 words of VOCABULARY (a small LCG), so nearest neighbours rarely tie. */
function wordBags(count: number, seedValue: number): string[] {
  let state = seedValue;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: count }, (_, i) => {
    const words = Array.from({ length: 4 + Math.floor(next() * 6) }, () => VOCABULARY[Math.floor(next() * VOCABULARY.length)]);
    return `${words.join(' ')} n${i}`;
  });
}

/**
 * A ranking as a comparable value: (distance rounded, label) pairs in order, where passages at the
 * same distance may come either way, and the last tie group may be cut at a different member.
 */
function rankingKey(hits: { distance: number; label: string }[]): string[] {
  const keyed = hits.map((hit) => ({ distance: hit.distance.toFixed(5), label: hit.label }));
  const last = keyed.at(-1)?.distance;
  return keyed
    .filter((hit) => hit.distance !== last)
    .map((hit) => `${hit.distance} ${hit.label}`)
    .sort();
}

describe('prepareQuery', () => {
  it('separates -exclusions (words and phrases) from the wanted words, cuts long text and drops NUL', () => {
    const { positive, negative } = prepareQuery('backup -tape "offsite copy" -"cold storage" e-mail');
    expect(positive.split(/\s+/)).toEqual(['backup', '"offsite', 'copy"', 'e-mail']);
    expect(negative).toBe('tape or "cold storage"');
    expect(prepareQuery('a\u0000b\ud800c').positive).toBe('a b\ufffdc');
    expect(prepareQuery('x'.repeat(10_000)).positive).toHaveLength(1000);
    expect(prepareQuery('-"unclosed phrase').negative).toBe('"unclosed phrase"');
  });
});

describe.each(testDatabaseKinds())('knowledge search (%s)', (kind: TestDatabaseKind) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openTestDatabase(kind);
  });
  afterAll(() => handle.close());

  it('ranks a passage with a rare query term above one repeating a common term', async () => {
    const { knowledgeBaseId } = await seed(handle, [
      { passages: filler('invoice', 40) },
      {
        passages: [
          'The invoice invoice invoice invoice is sent to the customer with the invoice number on the invoice.',
          'Each quarterly invoice lists the escrow account that holds the deposit.',
        ],
      },
    ]);
    const hits = await search(handle, [knowledgeBaseId], 'invoice escrow');
    expect(hits[0]!.content).toContain('escrow');
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
    expect(contents(hits)).toContain('The invoice invoice invoice invoice is sent to the customer with the invoice number on the invoice.');
  });

  it('matches words by their stem: configuration finds configure, configuring, configured', async () => {
    const { knowledgeBaseId } = await seed(handle, [
      { passages: ['To configure the proxy, set its address.', 'We keep configuring backups nightly.', 'Configured printers appear in the list.', 'Unrelated text about lunch.'] },
    ]);
    const hits = await search(handle, [knowledgeBaseId], 'configuration');
    expect(contents(hits).sort()).toEqual(['Configured printers appear in the list.', 'To configure the proxy, set its address.', 'We keep configuring backups nightly.']);
    const configured = hits.find((hit) => hit.content.startsWith('Configured'))!;
    expect(configured.highlights).toEqual([[0, 'Configured'.length]]);
    const plain = await searchPassages({ db: handle.db, knowledgeBaseIds: [knowledgeBaseId], query: 'configuration', limit: 10, embeddings: null });
    expect(plain.map((hit) => hit.chunkId)).toEqual(hits.map((hit) => hit.chunkId));
    expect(plain.every((hit) => hit.highlights === undefined)).toBe(true);
  });

  it('weighs a term in the heading path above the same term in the body', async () => {
    const body = 'Records are kept for a while and then the retention job removes them from storage.';
    const { knowledgeBaseId } = await seed(handle, [
      { passages: [{ heading: 'Operations > Cleanup', content: body }, { heading: 'Operations > Retention', content: body }, ...filler('records', 5)] },
    ]);
    const hits = await search(handle, [knowledgeBaseId], 'retention');
    expect(hits.map((hit) => hit.heading)).toEqual(['Operations > Retention', 'Operations > Cleanup']);
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
  });

  it('reads websearch syntax: a quoted phrase wins over the same words apart, -word and -"phrase" exclude', async () => {
    const { knowledgeBaseId } = await seed(handle, [
      {
        passages: [
          'The pool of workers shares one connection to the queue, and the pool grows on demand.',
          'Raise the connection pool size when requests wait for a free connection.',
          'Backups are written to tape every Friday.',
          'Backups are copied offsite every night.',
          'Backups go to cold storage after a month.',
        ],
      },
    ]);
    const phrase = await search(handle, [knowledgeBaseId], '"connection pool"');
    expect(phrase[0]!.content).toBe('Raise the connection pool size when requests wait for a free connection.');
    const excluded = await search(handle, [knowledgeBaseId], 'backups -tape -"cold storage"');
    expect(contents(excluded)).toEqual(['Backups are copied offsite every night.']);
    const either = await search(handle, [knowledgeBaseId], 'tape OR offsite');
    expect(contents(either).sort()).toEqual(['Backups are copied offsite every night.', 'Backups are written to tape every Friday.']);
  });

  it('bounds the passages it scores, keeping whole-query matches when common terms overflow the cap', async () => {
    const crowd = Array.from({ length: 1100 }, (_, i) => `The widget ${i} ships beside a gadget number ${i} for the fair.`);
    const { knowledgeBaseId } = await seed(handle, [
      { passages: crowd },
      { passages: ['Sprocket sizes: one widget, one gadget.', 'Buy the widget gadget bundle at the fair.'] },
    ]);
    const phrase = await search(handle, [knowledgeBaseId], '"widget gadget"', 5);
    expect(phrase[0]!.content).toBe('Buy the widget gadget bundle at the fair.');
    expect(phrase).toHaveLength(5);
    const rare = await search(handle, [knowledgeBaseId], 'widget gadget sprocket', 5);
    expect(rare[0]!.content).toBe('Sprocket sizes: one widget, one gadget.');
    const common = await search(handle, [knowledgeBaseId], 'widget gadget fair', 8);
    expect(common).toHaveLength(8);

    const settings = await handle.db.transaction(async (tx) => {
      await searchPassages({ db: tx, knowledgeBaseIds: [knowledgeBaseId], query: 'widget', limit: 3, embeddings: null });
      return rowsOf<{ seq: string; index: string }>(await tx.execute(sql`select current_setting('enable_seqscan') as seq, current_setting('enable_indexscan') as index`))[0];
    });
    expect(settings).toEqual({ seq: 'on', index: 'on' });
  });

  it('answers natural questions whose words no passage has all of', async () => {
    const { knowledgeBaseId } = await seed(handle, [
      {
        passages: [
          'Reset a password from the sign-in page with the link we email you.',
          'Invoices are issued monthly.',
          'Two-factor codes expire after thirty seconds.',
        ],
      },
    ]);
    const hits = await search(handle, [knowledgeBaseId], 'How can I reset my forgotten password if I lost access to my phone?');
    expect(hits[0]!.content).toBe('Reset a password from the sign-in page with the link we email you.');
  });

  it('never returns passages of another knowledge base, and counts frequencies per base', async () => {
    const text = 'The turbine manual covers blade inspection.';
    const mine = await seed(handle, [{ passages: [text] }]);
    const theirs = await seed(handle, [{ passages: [text, 'Another turbine note.'] }]);
    const hits = await search(handle, [mine.knowledgeBaseId], 'turbine blade');
    expect(hits.map((hit) => hit.chunkId)).toEqual(mine.chunkIds[0]);
    expect(hits.every((hit) => hit.knowledgeBaseId === mine.knowledgeBaseId)).toBe(true);
    const both = await search(handle, [mine.knowledgeBaseId, theirs.knowledgeBaseId], 'turbine blade');
    expect(new Set(both.map((hit) => hit.knowledgeBaseId))).toEqual(new Set([mine.knowledgeBaseId, theirs.knowledgeBaseId]));
    expect(await search(handle, [], 'turbine')).toEqual([]);
    expect((await search(handle, ['not-an-id', mine.knowledgeBaseId, mine.knowledgeBaseId], 'turbine')).map((hit) => hit.chunkId)).toEqual(mine.chunkIds[0]);
  });

  it('leaves out documents that are not ready', async () => {
    const { knowledgeBaseId } = await seed(handle, [
      { name: 'ready.md', status: 'ready', passages: ['Glacier melt rates rose.'] },
      { name: 'queued.md', status: 'queued', passages: ['Glacier ice is old.'] },
      { name: 'processing.md', status: 'processing', passages: ['Glacier tours start in May.'] },
      { name: 'failed.md', status: 'error', passages: ['Glacier photos.'] },
    ]);
    const hits = await search(handle, [knowledgeBaseId], 'glacier');
    expect(hits.map((hit) => hit.documentName)).toEqual(['ready.md']);
  });

  it('returns the passage with its document, page and heading', async () => {
    const { knowledgeBaseId, documentIds, chunkIds } = await seed(handle, [
      { name: 'handbook.pdf', passages: [{ heading: 'Benefits > Dental', content: 'Dental cover starts after three months.', page: 4 }] },
    ]);
    const [hit] = await search(handle, [knowledgeBaseId], 'dental cover');
    expect(hit).toEqual({
      chunkId: chunkIds[0]![0],
      documentId: documentIds[0],
      documentName: 'handbook.pdf',
      knowledgeBaseId,
      content: 'Dental cover starts after three months.',
      page: 4,
      heading: 'Benefits > Dental',
      score: expect.any(Number),
      highlights: [
        [0, 6],
        [7, 12],
      ],
    });
  });

  it('takes any text without a SQL error: operators, quotes, unicode, NUL, 10k characters', async () => {
    const { knowledgeBaseId } = await seed(handle, [{ passages: ["O'Reilly's guide: C:\\path\\to & back | forth! (x:*) <-> 'quoted' \"double\"", 'naïve café ünïcödé 東京 😀 text'] }]);
    const hostile = [
      '',
      '   ',
      'the of and',
      "'",
      '"',
      '\\',
      "''''",
      ':*',
      'a:*',
      '& | ! <-> <1> ( )',
      "!(foo & 'bar' | baz:*A)",
      "O'Reilly's",
      'C:\\path\\to',
      '"unclosed phrase',
      '-',
      '--',
      '-"',
      '-"unclosed',
      'OR OR OR',
      '"" "" ""',
      "'); drop table knowledge_chunks; --",
      '$1 $2 ::text',
      'a\u0000b',
      '\ud800 lone surrogate',
      'naïve café 東京 😀',
      '\u202eevil rtl\u202c',
      'x'.repeat(3000),
      Array.from({ length: 2000 }, (_, i) => `w${i}`).join(' '),
      'ab '.repeat(5000),
    ];
    for (const query of hostile) {
      const hits = await search(handle, [knowledgeBaseId], query);
      expect(Array.isArray(hits)).toBe(true);
    }
    expect(await search(handle, [knowledgeBaseId], 'the of and')).toEqual([]);
    expect(await search(handle, [knowledgeBaseId], '-guide')).toEqual([]);
    expect(contents(await search(handle, [knowledgeBaseId], "O'Reilly's"))).toHaveLength(1);
    expect(contents(await search(handle, [knowledgeBaseId], 'café 東京'))).toEqual(['naïve café ünïcödé 東京 😀 text']);
  });

  it('keeps term frequencies exact as documents come and go', async () => {
    const seeded = await seed(handle, [
      { passages: ['Alpha beta gamma.', 'Beta gamma delta.', { heading: 'Gamma', content: 'Epsilon.' }] },
      { passages: ['Alpha alpha zeta.', 'Delta epsilon.'] },
      { passages: ['Omega only here.'] },
    ]);
    const { knowledgeBaseId, documentIds } = seeded;
    expect(await storedTerms(handle, knowledgeBaseId)).toEqual(await recountedTerms(handle, knowledgeBaseId));
    expect((await storedTerms(handle, knowledgeBaseId))['']).toBe(6);
    expect((await storedTerms(handle, knowledgeBaseId))['alpha']).toBe(2);

    for (const documentId of [documentIds[0]!, documentIds[2]!]) {
      await handle.db.transaction(async (tx) => {
        await removeTerms(tx, { knowledgeBaseId, documentId });
        await tx.delete(documents).where(sql`${documents.id} = ${documentId}`);
      });
    }
    const after = await storedTerms(handle, knowledgeBaseId);
    expect(after).toEqual(await recountedTerms(handle, knowledgeBaseId));
    expect(after).toEqual({ '': 2, alpha: 1, zeta: 1, delta: 1, epsilon: 1 });
    expect(contents(await search(handle, [knowledgeBaseId], 'omega'))).toEqual([]);

    await handle.db.transaction(async (tx) => removeTerms(tx, { knowledgeBaseId, documentId: documentIds[1]! }));
    expect(await storedTerms(handle, knowledgeBaseId)).toEqual({});
  });

  it('counts terms of two documents of one base indexed at once without losing either', async () => {
    const { knowledgeBaseId } = await seed(handle, []);
    const ownerId = (await handle.db.select({ ownerId: knowledgeBases.ownerId }).from(knowledgeBases).where(sql`${knowledgeBases.id} = ${knowledgeBaseId}`))[0]!.ownerId;
    const words = Array.from({ length: 300 }, (_, i) => `term${i}`);
    await Promise.all(
      [0, 1, 2].map((n) =>
        handle.db.transaction(async (tx) => {
          const documentId = newId();
          await tx.insert(documents).values({ id: documentId, knowledgeBaseId, ownerId, name: `c${n}`, mimeType: 'text/plain', status: 'ready' });
          await tx.insert(knowledgeChunks).values({ id: newId(), documentId, knowledgeBaseId, position: 0, content: (n % 2 ? [...words].reverse() : words).join(' ') });
          await addTerms(tx, { knowledgeBaseId, documentId });
        }),
      ),
    );
    const stored = await storedTerms(handle, knowledgeBaseId);
    expect(stored).toEqual(await recountedTerms(handle, knowledgeBaseId));
    expect(stored['term7']).toBe(3);
  });
});

describe.each(testDatabaseKinds())('knowledge search with embeddings (%s)', (kind: TestDatabaseKind) => {
  let handle: DatabaseHandle;
  let server: Awaited<ReturnType<typeof startOpenAIServer>>;
  let embeddings: EmbeddingsProvider;
  beforeAll(async () => {
    handle = await openTestDatabase(kind);
    server = await startOpenAIServer({ embeddingDims: 48 });
    embeddings = createOpenAIEmbeddings({ model: 'fixture-embed', apiKey: 'test-key', baseURL: server.baseURL, timeoutMs: 5000 });
  });
  afterAll(async () => {
    await handle.close();
    await server.close();
  });

  it('embeds each passage once per model through the SDK, reporting progress', async () => {
    const { knowledgeBaseId, documentIds } = await seed(handle, [{ passages: Array.from({ length: 70 }, (_, i) => ({ heading: `Part ${i}`, content: `Passage number ${i} about topic ${i % 7}.` })) }]);
    const progress: number[] = [];
    const before = server.embeddingRequests.length;
    await embedDocument({ db: handle.db, documentId: documentIds[0]!, embeddings, onProgress: (fraction) => void progress.push(fraction) });
    expect(server.embeddingRequests.slice(before).map((request) => request.input.length)).toEqual([64, 6]);
    expect(progress).toEqual([64 / 70, 1]);
    const rows = await handle.db.select().from(knowledgeChunks).where(sql`${knowledgeChunks.knowledgeBaseId} = ${knowledgeBaseId} and ${knowledgeChunks.position} = 3`);
    expect(rows[0]!.embeddingModel).toBe('fixture-embed');
    const expected = fixtureEmbedding('Part 3\n\nPassage number 3 about topic 3.', 48);
    rows[0]!.embedding!.forEach((value, i) => expect(value).toBeCloseTo(expected[i]!, 5));

    await embedDocument({ db: handle.db, documentId: documentIds[0]!, embeddings });
    expect(server.embeddingRequests.length).toBe(before + 2);
    const other = createOpenAIEmbeddings({ model: 'fixture-embed-v2', apiKey: 'test-key', baseURL: server.baseURL, timeoutMs: 5000 });
    await embedDocument({ db: handle.db, documentId: documentIds[0]!, embeddings: other });
    expect(server.embeddingRequests.length).toBe(before + 4);
  });

  it('fuses full-text and vector rankings, so a passage that matches by meaning only comes up', async () => {
    const { knowledgeBaseId, documentIds } = await seed(handle, [
      {
        passages: [
          'Park your car in the north lot; permits are at reception.',
          'The automobile allowance is paid with the salary.',
          'Lunch is served in the canteen from noon.',
          'Visitors sign in at reception.',
        ],
      },
    ]);
    await embedDocument({ db: handle.db, documentId: documentIds[0]!, embeddings });
    const fullText = await searchPassages({ db: handle.db, knowledgeBaseIds: [knowledgeBaseId], query: 'automobile', limit: 5, embeddings: null });
    expect(contents(fullText)).toEqual(['The automobile allowance is paid with the salary.']);
    const hybrid = await searchPassages({ db: handle.db, knowledgeBaseIds: [knowledgeBaseId], query: 'automobile', limit: 5, embeddings });
    // First in both rankings, then the passage about a car, which shares no word with the query.
    expect(contents(hybrid).slice(0, 2)).toEqual(['The automobile allowance is paid with the salary.', 'Park your car in the north lot; permits are at reception.']);
    expect(hybrid[0]!.score).toBeCloseTo(2 / 61, 8);
    expect(hybrid[1]!.score).toBeCloseTo(1 / 62, 8);
  });

  it('searches full-text only when the embeddings model fails, and keeps its words out of errors', async () => {
    const { knowledgeBaseId } = await seed(handle, [{ passages: ['Solar panels need cleaning twice a year.'] }]);
    const broken = createOpenAIEmbeddings({ model: 'fixture-embed-500', apiKey: 'test-key', baseURL: server.baseURL, timeoutMs: 5000 });
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const hits = await searchPassages({ db: handle.db, knowledgeBaseIds: [knowledgeBaseId], query: 'solar panels', limit: 5, embeddings: broken });
      expect(contents(hits)).toEqual(['Solar panels need cleaning twice a year.']);
      expect(JSON.stringify(warn.mock.calls)).not.toContain('sk-upstream');
    } finally {
      warn.mockRestore();
    }
  });

  it(`answers the same nearest passages through ${kind === 'pglite' ? 'pgvector (HNSW)' : 'the exact fallback'} as by exact cosine`, async () => {
    const { knowledgeBaseId, documentIds } = await seed(handle, [{ passages: wordBags(150, 1) }, { status: 'processing', passages: ['car doctor vacation refund'] }]);
    for (const documentId of documentIds) await embedDocument({ db: handle.db, documentId, embeddings });
    const pgvector = await hasPgvector(handle.db);
    expect(pgvector).toBe(kind === 'pglite');
    for (const question of QUESTIONS) {
      const [vector] = await embeddings.embed([question]);
      const args = { db: handle.db, knowledgeBaseIds: [knowledgeBaseId], vector: vector!, model: 'fixture-embed', limit: 10 };
      const auto = await searchVectors(args);
      const exact = await searchVectors({ ...args, method: 'exact' });
      expect(auto).toHaveLength(10);
      expect(rankingKey(auto.map((hit) => ({ distance: hit.distance, label: hit.id })))).toEqual(rankingKey(exact.map((hit) => ({ distance: hit.distance, label: hit.id }))));
    }
    if (pgvector) {
      const [vector] = await embeddings.embed(['automobile']);
      const plan = await handle.db.transaction(async (tx) => {
        await tx.execute(sql`set local enable_seqscan = off`);
        const query = `explain select id from knowledge_chunks where array_length(embedding, 1) = 48 order by embedding::vector(48) <=> '[${vector!.join(',')}]'::vector(48) limit 5`;
        return rowsOf<Record<string, string>>(await tx.execute(sql.raw(query)))
          .map((row) => Object.values(row)[0])
          .join('\n');
      });
      expect(plan).toContain('knowledge_chunks_embedding_48_hnsw');
    }
  });

  if (kind === 'postgres') {
    it('answers the same nearest passages on PGlite with pgvector as here without it', async () => {
      const pglite = await openTestDatabase('pglite');
      try {
        const rankings = [];
        for (const target of [pglite, handle]) {
          const { knowledgeBaseId, documentIds } = await seed(target, [{ passages: wordBags(200, 2) }]);
          await embedDocument({ db: target.db, documentId: documentIds[0]!, embeddings });
          const content = new Map((await target.db.select().from(knowledgeChunks).where(sql`${knowledgeChunks.knowledgeBaseId} = ${knowledgeBaseId}`)).map((row) => [row.id, row.content]));
          const perQuestion = [];
          for (const question of QUESTIONS) {
            const [vector] = await embeddings.embed([question]);
            const nearest = await searchVectors({ db: target.db, knowledgeBaseIds: [knowledgeBaseId], vector: vector!, model: 'fixture-embed', limit: 8 });
            perQuestion.push(rankingKey(nearest.map((hit) => ({ distance: hit.distance, label: content.get(hit.id)! }))));
          }
          rankings.push(perQuestion);
        }
        expect(await hasPgvector(pglite.db)).toBe(true);
        expect(await hasPgvector(handle.db)).toBe(false);
        expect(rankings[0]).toEqual(rankings[1]);
      } finally {
        await pglite.close();
      }
    });
  }
});
