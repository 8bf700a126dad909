import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { getDb } from '@/lib/db';
import { documents } from '@/lib/db/schema';
import { resetEnv } from '@/lib/env';
import { ingestionSettled, resumeIngestion } from '@/lib/knowledge/ingest';
import { setFileStore } from '@/lib/storage';
import type { DocumentJson } from '@/lib/contracts/knowledge';
import { makeCorruptPdf, makeDocx, makeEncryptedPdf, makePdf } from '../fixtures/documents';
import type { ApiClient } from '../helpers/api-client';
import { testDatabaseKinds } from '../helpers/database';
import { setEnv } from '../helpers/env';
import { useHub } from '../helpers/hub';
import { policyPages, upload } from '../helpers/knowledge';
import { person, uniqueName, uuidV7 } from '../helpers/people';
import { useStorageBridge } from '../helpers/storage-bridge';

describe.each(testDatabaseKinds())('knowledge bases and documents (%s)', (kind) => {
  const hub = useHub(kind);
  const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nc-files-'));
  let restoreEnv: () => void;

  beforeAll(() => {
    restoreEnv = setEnv({ FILES_DIR: filesDir, KNOWLEDGE_INGEST_CONCURRENCY: '2' });
    resetEnv();
    setFileStore(undefined);
  });
  afterAll(() => {
    restoreEnv();
    resetEnv();
    setFileStore(undefined);
    fs.rmSync(filesDir, { recursive: true, force: true });
  });
  afterEach(() => ingestionSettled());

  async function owner(name = 'Kim') {
    const { client, user } = await person(hub, name);
    const base = await client.post('/api/knowledge', { name: uniqueName('Handbook'), description: 'Company rules' });
    expect(base.status).toBe(201);
    return { client, user, baseId: base.json.knowledgeBase.id as string };
  }

  async function documentsOf(client: ApiClient, baseId: string): Promise<DocumentJson[]> {
    await ingestionSettled();
    const res = await client.get(`/api/knowledge/${baseId}/documents`);
    expect(res.status).toBe(200);
    return res.json.documents;
  }

  test('creates, lists, renames and deletes knowledge bases with their totals', async () => {
    const { client, baseId } = await owner();
    const listed = await client.get('/api/knowledge');
    expect(listed.status).toBe(200);
    expect(listed.json.retrieval).toEqual({ kind: 'full-text' });
    expect(listed.json.limits).toEqual({ maxFileBytes: 25 * 1024 * 1024, maxFilesPerUpload: 20, maxBytesPerUser: 500 * 1024 * 1024 });
    expect(listed.json.knowledgeBases).toEqual([
      expect.objectContaining({ id: baseId, description: 'Company rules', documentCount: 0, chunkCount: 0, bytes: 0 }),
    ]);
    expect(listed.json.knowledgeBases[0].id).toMatch(uuidV7);

    const renamed = await client.patch(`/api/knowledge/${baseId}`, { name: 'Policies' });
    expect(renamed.json.knowledgeBase.name).toBe('Policies');
    const second = await client.post('/api/knowledge', { name: 'policies' });
    expect(second.status).toBe(409);
    expect(second.json.error.message).toMatch(/already have a knowledge base named/);
    expect((await client.post('/api/knowledge', { name: '   ' })).status).toBe(400);
    expect((await client.patch(`/api/knowledge/${baseId}`, {})).status).toBe(400);

    expect((await client.delete(`/api/knowledge/${baseId}`)).status).toBe(204);
    expect((await client.get(`/api/knowledge/${baseId}`)).status).toBe(404);
  });

  test('indexes a PDF page by page, and search finds the passage with its page', async () => {
    const { client, baseId } = await owner();
    const pdf = await makePdf(policyPages);
    const res = await upload(hub.server.url, client, baseId, [{ name: 'policy.pdf', type: 'application/pdf', bytes: pdf }]);
    expect(res.status).toBe(202);
    expect(res.json.documents).toEqual([expect.objectContaining({ name: 'policy.pdf', mimeType: 'application/pdf', bytes: pdf.length, status: 'queued', progress: 0 })]);

    const [doc] = await documentsOf(client, baseId);
    expect(doc).toEqual(expect.objectContaining({ status: 'ready', progress: 1, pageCount: 3 }));
    expect(doc!.chunkCount).toBeGreaterThanOrEqual(1);

    const search = await client.post(`/api/knowledge/${baseId}/search`, { query: 'How long is the refund window?' });
    expect(search.status).toBe(200);
    expect(search.json.results[0]).toEqual(expect.objectContaining({ documentId: doc!.id, documentName: 'policy.pdf', page: 2 }));
    expect(search.json.results[0].content).toContain('30 days');

    const base = (await client.get(`/api/knowledge/${baseId}`)).json.knowledgeBase;
    expect(base).toEqual(expect.objectContaining({ documentCount: 1, chunkCount: doc!.chunkCount, bytes: pdf.length }));

    // The original opens inline, for the hub to show the cited page.
    const file = await fetch(`${hub.server.url}/api/knowledge/${baseId}/documents/${doc!.id}/file`, { headers: { cookie: client.cookie } });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await file.arrayBuffer()).equals(Buffer.from(pdf))).toBe(true);
  });

  test('indexes DOCX, HTML, Markdown, plain text and pasted text, with heading paths', async () => {
    const { client, baseId } = await owner();
    const docx = await makeDocx([
      { heading: 'Onboarding', level: 1 },
      { heading: 'Laptops', level: 2 },
      { paragraph: 'New hires receive a laptop with an encrypted disk on their first morning.' },
    ]);
    const html = Buffer.from(
      '<!doctype html><html><head><title>Office guide</title></head><body><nav>Home | About | Careers</nav><main><h1>Office</h1><h2>Parking</h2><p>Visitors park in the north garage, level two, and sign in at reception.</p></main><script>alert(1)</script></body></html>',
    );
    const markdown = Buffer.from('# Security\n\n## Passwords\n\nPasswords rotate every ninety days and must be at least sixteen characters long.\n');
    const text = Buffer.from('The cafeteria serves breakfast from seven until half past nine.');
    const res = await upload(hub.server.url, client, baseId, [
      { name: 'onboarding.docx', type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', bytes: docx },
      { name: 'office.html', type: 'text/html', bytes: html },
      // Browsers often send Markdown as octet-stream: the extension decides.
      { name: 'security.md', type: 'application/octet-stream', bytes: markdown },
      { name: 'food.txt', type: 'text/plain', bytes: text },
    ]);
    expect(res.status).toBe(202);
    expect(res.json.documents).toHaveLength(4);
    const pasted = await client.post(`/api/knowledge/${baseId}/documents`, { title: 'Holidays', text: 'The office closes between Christmas and New Year.' });
    expect(pasted.status).toBe(202);

    const docs = await documentsOf(client, baseId);
    expect(docs.map((d) => [d.name, d.status])).toEqual([
      ['onboarding.docx', 'ready'],
      ['office.html', 'ready'],
      ['security.md', 'ready'],
      ['food.txt', 'ready'],
      ['Holidays', 'ready'],
    ]);
    const find = async (query: string) => (await client.post(`/api/knowledge/${baseId}/search`, { query })).json.results[0];
    expect(await find('laptop encrypted disk')).toEqual(expect.objectContaining({ documentName: 'onboarding.docx', heading: expect.stringContaining('Laptops') }));
    expect(await find('where do visitors park')).toEqual(expect.objectContaining({ documentName: 'office.html', heading: expect.stringContaining('Parking') }));
    expect(await find('password rotation')).toEqual(expect.objectContaining({ documentName: 'security.md', heading: 'Security › Passwords' }));
    expect(await find('breakfast')).toEqual(expect.objectContaining({ documentName: 'food.txt' }));
    expect(await find('Christmas')).toEqual(expect.objectContaining({ documentName: 'Holidays' }));
    // The page's navigation and script are not part of its content.
    expect(await find('Careers')).toBeUndefined();
  });

  test('a corrupt or password-protected PDF ends in error with a reason, never a 5xx', async () => {
    const { client, baseId } = await owner();
    const res = await upload(hub.server.url, client, baseId, [
      { name: 'broken.pdf', type: 'application/pdf', bytes: makeCorruptPdf() },
      { name: 'locked.pdf', type: 'application/pdf', bytes: makeEncryptedPdf() },
    ]);
    expect(res.status).toBe(202);
    const docs = await documentsOf(client, baseId);
    expect(docs.map((d) => d.status)).toEqual(['error', 'error']);
    expect(docs[0]!.error).toEqual({ code: 'corrupt', message: expect.stringMatching(/damaged|could not be read/i) });
    expect(docs[1]!.error).toEqual({ code: 'encrypted', message: expect.stringMatching(/password/i) });
  });

  test('refuses what it cannot take, naming the file and the limit', async () => {
    const { client, baseId } = await owner();
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const unsupported = await upload(hub.server.url, client, baseId, [{ name: 'photo.png', type: 'image/png', bytes: png }]);
    expect(unsupported.status).toBe(415);
    expect(unsupported.json.error).toEqual({ code: 'unsupported_media_type', message: expect.stringContaining('photo.png') });

    const empty = await upload(hub.server.url, client, baseId, [{ name: 'empty.txt', type: 'text/plain', bytes: new Uint8Array() }]);
    expect(empty.status).toBe(400);
    expect(empty.json.error.message).toBe('empty.txt is empty.');

    const restore = setEnv({ KNOWLEDGE_MAX_FILE_BYTES: '2048', KNOWLEDGE_MAX_FILES_PER_UPLOAD: '2', KNOWLEDGE_MAX_BYTES_PER_USER: '5000' });
    resetEnv();
    try {
      const big = await upload(hub.server.url, client, baseId, [{ name: 'big.txt', type: 'text/plain', bytes: Buffer.alloc(4096, 'a') }]);
      expect(big.status).toBe(413);
      expect(big.json.error.message).toBe('big.txt is larger than 2 KB, the limit for one file.');
      const oneOver = await upload(hub.server.url, client, baseId, [{ name: 'over.txt', type: 'text/plain', bytes: Buffer.alloc(2049, 'a') }]);
      expect(oneOver.status).toBe(413);

      const many = await upload(
        hub.server.url,
        client,
        baseId,
        [1, 2, 3].map((n) => ({ name: `n${n}.txt`, type: 'text/plain', bytes: Buffer.from('text') })),
      );
      expect(many.status).toBe(400);
      expect(many.json.error.message).toBe('Upload at most 2 files at once.');

      // A file of exactly the limit is within it.
      const fill = await upload(hub.server.url, client, baseId, [
        { name: 'a.txt', type: 'text/plain', bytes: Buffer.alloc(2048, 'a') },
        { name: 'b.txt', type: 'text/plain', bytes: Buffer.alloc(2000, 'b') },
      ]);
      expect(fill.status).toBe(202);
      const over = await upload(hub.server.url, client, baseId, [{ name: 'c.txt', type: 'text/plain', bytes: Buffer.alloc(2000, 'c') }]);
      expect(over.status).toBe(413);
      expect(over.json.error.message).toMatch(/over your storage limit of 4.9 KB/);
      // A body that declares more than the room left is refused before it is read.
      const declared = await upload(hub.server.url, client, baseId, [{ name: 'huge.txt', type: 'text/plain', bytes: Buffer.alloc(100_000, 'h') }]);
      expect(declared.status).toBe(413);
    } finally {
      restore();
      resetEnv();
    }
    // A body cut off mid-file is a 400, and the server goes on.
    const cut = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${hub.server.url}/api/knowledge/${baseId}/documents`, {
        method: 'POST',
        headers: { cookie: client.cookie, 'content-type': 'multipart/form-data; boundary=XyZ', 'transfer-encoding': 'chunked' },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end('--XyZ\r\nContent-Disposition: form-data; name="file"; filename="cut.txt"\r\nContent-Type: text/plain\r\n\r\nthe beginning of a file and no end');
    });
    expect(cut).toBe(400);

    const pending = setEnv({ KNOWLEDGE_MAX_PENDING_PER_USER: '1' });
    resetEnv();
    try {
      const queued = await upload(hub.server.url, client, baseId, [
        { name: 'p1.txt', type: 'text/plain', bytes: Buffer.from('one') },
        { name: 'p2.txt', type: 'text/plain', bytes: Buffer.from('two') },
      ]);
      expect(queued.status).toBe(429);
      expect(queued.json.error.message).toMatch(/documents waiting to be indexed/);
    } finally {
      pending();
      resetEnv();
    }
    // Nothing refused was stored.
    expect((await documentsOf(client, baseId)).map((d) => d.name)).toEqual(['a.txt', 'b.txt']);
    expect((await client.request('POST', `/api/knowledge/${baseId}/documents`, 'plain words', { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await client.post(`/api/knowledge/${baseId}/documents`, { url: 'ftp://example.com/x' })).status).toBe(400);
  });

  test('fetches a public web page by URL (a local server allowed by OUTBOUND_ALLOW_HOSTS), and refuses private ones', async () => {
    const site = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      if (req.url === '/again') return void res.end(`<html><body><p>${'Long page. '.repeat(300)}</p></body></html>`);
      res.end('<html><head><title>Release notes</title></head><body><article><h1>Version 2</h1><p>Version two adds offline sync for field teams.</p></article></body></html>');
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    const host = `127.0.0.1:${(site.address() as AddressInfo).port}`;
    const { client, baseId } = await owner();
    try {
      const refused = await client.post(`/api/knowledge/${baseId}/documents`, { url: `http://${host}/notes` });
      expect(refused.status).toBe(400);
      expect(refused.json.error.message).toMatch(/public/);

      const restore = setEnv({ OUTBOUND_ALLOW_HOSTS: host });
      resetEnv();
      try {
        const added = await client.post(`/api/knowledge/${baseId}/documents`, { url: `http://${host}/notes` });
        expect(added.status).toBe(202);
        expect(added.json.documents[0]).toEqual(expect.objectContaining({ sourceUrl: `http://${host}/notes`, status: 'queued' }));
        const [doc] = await documentsOf(client, baseId);
        expect(doc).toEqual(expect.objectContaining({ status: 'ready', name: 'Release notes', mimeType: 'text/html' }));
        expect((await client.post(`/api/knowledge/${baseId}/search`, { query: 'offline sync' })).json.results[0].documentId).toBe(doc!.id);

        // A page counts against its owner's storage like an upload.
        const small = setEnv({ OUTBOUND_ALLOW_HOSTS: host, KNOWLEDGE_MAX_BYTES_PER_USER: '2048' });
        resetEnv();
        try {
          await client.post(`/api/knowledge/${baseId}/documents`, { url: `http://${host}/again` });
          const again = (await documentsOf(client, baseId)).find((d) => d.sourceUrl?.endsWith('/again'))!;
          expect(again.status).toBe('error');
          expect(again.error).toEqual({ code: 'too_large', message: expect.stringMatching(/over your storage limit/) });
          expect(again.bytes).toBe(0);
        } finally {
          small();
          resetEnv();
        }
      } finally {
        restore();
        resetEnv();
      }
    } finally {
      site.close();
    }
  });

  test('deleting a document takes its passages out of search and its file out of the store', async () => {
    const { client, baseId } = await owner();
    await upload(hub.server.url, client, baseId, [
      { name: 'keep.md', type: 'text/markdown', bytes: Buffer.from('# Keep\n\nThe blue folder holds contracts.') },
      { name: 'drop.md', type: 'text/markdown', bytes: Buffer.from('# Drop\n\nThe green folder holds invoices.') },
    ]);
    const [, drop] = await documentsOf(client, baseId);
    const db = await getDb();
    const [row] = await db.select().from(documents).where(eq(documents.id, drop!.id));
    expect(fs.existsSync(path.join(filesDir, row!.storageKey!))).toBe(true);
    expect((await client.post(`/api/knowledge/${baseId}/search`, { query: 'green invoices' })).json.results).toHaveLength(1);

    expect((await client.delete(`/api/knowledge/${baseId}/documents/${drop!.id}`)).status).toBe(204);
    expect((await client.post(`/api/knowledge/${baseId}/search`, { query: 'green invoices' })).json.results).toEqual([]);
    expect((await client.get(`/api/knowledge/${baseId}/documents/${drop!.id}`)).status).toBe(404);
    expect(fs.existsSync(path.join(filesDir, row!.storageKey!))).toBe(false);
    expect((await client.post(`/api/knowledge/${baseId}/search`, { query: 'blue contracts' })).json.results).toHaveLength(1);
  });

  test("another person's base answers 404 everywhere, and agents may only be given their owner's bases", async () => {
    const kim = await owner('Kim');
    const lee = await person(hub, 'Lee');
    for (const res of [
      await lee.client.get(`/api/knowledge/${kim.baseId}`),
      await lee.client.patch(`/api/knowledge/${kim.baseId}`, { name: 'Mine' }),
      await lee.client.get(`/api/knowledge/${kim.baseId}/documents`),
      await lee.client.post(`/api/knowledge/${kim.baseId}/search`, { query: 'refund' }),
      await lee.client.post(`/api/knowledge/${kim.baseId}/documents`, { title: 'Sneaky', text: 'words' }),
      await upload(hub.server.url, lee.client, kim.baseId, [{ name: 'x.txt', type: 'text/plain', bytes: Buffer.from('x') }]),
      await lee.client.delete(`/api/knowledge/${kim.baseId}`),
    ]) {
      expect(res.status).toBe(404);
    }
    const foreign = await lee.client.post('/api/agents', { name: 'Thief', handle: 'thief', instructions: '', knowledgeBaseIds: [kim.baseId] });
    expect(foreign.status).toBe(404);
    expect(foreign.json.error.message).toBe('Knowledge base not found.');

    const agent = await kim.client.post('/api/agents', { name: 'Clerk', handle: 'clerk', instructions: '', knowledgeBaseIds: [kim.baseId.toUpperCase()] });
    expect(agent.status).toBe(201);
    expect(agent.json.agent.knowledgeBaseIds).toEqual([kim.baseId]);
    const leeBase = (await lee.client.post('/api/knowledge', { name: 'Lee notes' })).json.knowledgeBase;
    expect((await kim.client.patch(`/api/agents/${agent.json.agent.id}`, { knowledgeBaseIds: [kim.baseId, leeBase.id] })).status).toBe(404);
    expect((await kim.client.get(`/api/agents/${agent.json.agent.id}`)).json.agent.knowledgeBaseIds).toEqual([kim.baseId]);

    // A deleted base leaves every agent that used it.
    expect((await kim.client.delete(`/api/knowledge/${kim.baseId}`)).status).toBe(204);
    expect((await kim.client.get(`/api/agents/${agent.json.agent.id}`)).json.agent.knowledgeBaseIds).toEqual([]);
  });

  test('indexes a document of thousands of passages (progress keeps moving while they are written), and refuses one over the passage limit', async () => {
    const { client, baseId } = await owner();
    const sections = Array.from({ length: 3000 }, (_, i) => `## Item ${i}\n\nPart number ${i} ships from warehouse ${i % 17} within ${(i % 9) + 1} days.`);
    const big = Buffer.from(`# Catalogue\n\n${sections.join('\n\n')}\n`);
    expect((await upload(hub.server.url, client, baseId, [{ name: 'catalogue.md', type: 'text/markdown', bytes: big }])).status).toBe(202);
    const [doc] = await documentsOf(client, baseId);
    expect(doc).toEqual(expect.objectContaining({ status: 'ready', chunkCount: expect.any(Number) }));
    expect(doc!.chunkCount).toBeGreaterThan(1000);
    expect((await client.post(`/api/knowledge/${baseId}/search`, { query: '"Part number 2718"' })).json.results[0].heading).toBe('Catalogue › Item 2718');

    const restore = setEnv({ KNOWLEDGE_MAX_PASSAGES_PER_DOCUMENT: '100' });
    resetEnv();
    try {
      await upload(hub.server.url, client, baseId, [{ name: 'again.md', type: 'text/markdown', bytes: big }]);
      const again = (await documentsOf(client, baseId)).find((d) => d.name === 'again.md')!;
      expect(again.status).toBe('error');
      expect(again.error).toEqual({ code: 'too_large', message: expect.stringMatching(/over the limit of 100 for one document; split it/) });
    } finally {
      restore();
      resetEnv();
    }
  }, 60_000);

  test('a document left processing by a stopped process is indexed again at start', async () => {
    const { client, baseId } = await owner();
    await upload(hub.server.url, client, baseId, [{ name: 'notes.txt', type: 'text/plain', bytes: Buffer.from('The spare key is under the third plant pot.') }]);
    const [doc] = await documentsOf(client, baseId);
    const db = await getDb();
    // As a crash mid-indexing leaves it: claimed, passages half-written, lease still running.
    await db
      .update(documents)
      .set({ status: 'processing', progress: 0.4, attempts: 1, leaseUntil: new Date(Date.now() + 60_000) })
      .where(eq(documents.id, doc!.id));
    expect((await client.get(`/api/knowledge/${baseId}/documents/${doc!.id}`)).json.document.status).toBe('processing');

    expect(await resumeIngestion({ exclusive: true })).toBe(1);
    await ingestionSettled();
    const after = (await client.get(`/api/knowledge/${baseId}/documents/${doc!.id}`)).json.document;
    expect(after).toEqual(expect.objectContaining({ status: 'ready', progress: 1 }));
    // Taken up again from the start: its passages replaced, not doubled.
    expect((await client.post(`/api/knowledge/${baseId}/search`, { query: 'spare key' })).json.results).toHaveLength(1);
  });
  test('on a shared database, a job whose lease ran out is taken by whoever drains next; a live lease is left alone', async () => {
    const { client, baseId } = await owner();
    await upload(hub.server.url, client, baseId, [
      { name: 'lapsed.txt', type: 'text/plain', bytes: Buffer.from('The generator is tested every first Monday.') },
      { name: 'held.txt', type: 'text/plain', bytes: Buffer.from('The roof is inspected every spring.') },
    ]);
    const [lapsed, held] = await documentsOf(client, baseId);
    const db = await getDb();
    // Another process claimed both; one of them died (its lease ran out), the other is still working.
    await db.update(documents).set({ status: 'processing', attempts: 1, leaseUntil: new Date(Date.now() - 1000) }).where(eq(documents.id, lapsed!.id));
    await db.update(documents).set({ status: 'processing', attempts: 1, leaseUntil: new Date(Date.now() + 60_000) }).where(eq(documents.id, held!.id));

    expect(await resumeIngestion({ exclusive: false })).toBe(2);
    await ingestionSettled();
    const byName = Object.fromEntries((await documentsOf(client, baseId)).map((d) => [d.name, d]));
    expect(byName['lapsed.txt']).toEqual(expect.objectContaining({ status: 'ready' }));
    expect(byName['held.txt']).toEqual(expect.objectContaining({ status: 'processing' }));
    const [row] = await db.select({ attempts: documents.attempts }).from(documents).where(eq(documents.id, lapsed!.id));
    expect(row!.attempts).toBe(2);
    await db.update(documents).set({ status: 'ready', leaseUntil: null }).where(eq(documents.id, held!.id));
  });
});

describe('knowledge files in Supabase Storage (through supabase-js and the local Storage bridge)', () => {
  const hub = useHub('pglite');
  const storage = useStorageBridge('nc-supabase-');

  test('uploads, indexes, serves and deletes documents through the Storage API', async () => {
    const { client } = await person(hub, 'Sam');
    const baseId = (await client.post('/api/knowledge', { name: 'Cloud' })).json.knowledgeBase.id as string;
    const pdf = await makePdf(policyPages);
    expect((await upload(hub.server.url, client, baseId, [{ name: 'policy.pdf', type: 'application/pdf', bytes: pdf }])).status).toBe(202);
    await ingestionSettled();
    const [doc] = (await client.get(`/api/knowledge/${baseId}/documents`)).json.documents as DocumentJson[];
    expect(doc).toEqual(expect.objectContaining({ status: 'ready', pageCount: 3 }));
    const storageCalls = storage.current().requests.map((r) => `${r.method} ${r.path}`);
    expect(storageCalls).toEqual(expect.arrayContaining([expect.stringMatching(/^POST \/storage\/v1\/bucket$/), expect.stringMatching(/^(POST|PUT) \/storage\/v1\/object\/hub-files\/knowledge\//)]));

    const file = await fetch(`${hub.server.url}/api/knowledge/${baseId}/documents/${doc!.id}/file`, { headers: { cookie: client.cookie } });
    expect(Buffer.from(await file.arrayBuffer()).equals(Buffer.from(pdf))).toBe(true);
    expect((await client.post(`/api/knowledge/${baseId}/search`, { query: 'meal expenses' })).json.results[0].page).toBe(3);

    expect((await client.delete(`/api/knowledge/${baseId}/documents/${doc!.id}`)).status).toBe(204);
    expect(storage.current().requests.some((r) => r.method === 'DELETE' && r.path === '/storage/v1/object/hub-files')).toBe(true);
    const refetch = await fetch(`${hub.server.url}/api/knowledge/${baseId}/documents/${doc!.id}/file`, { headers: { cookie: client.cookie } });
    expect(refetch.status).toBe(404);
  });
});
