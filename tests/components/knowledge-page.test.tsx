/**
 * @jest-environment ./tests/helpers/jsdom-env.cjs
 * @jest-environment-options {"customExportConditions": ["node", "require", "default"]}
 */
// Node's export conditions, not the browser's: socket.io-client's CommonJS build opens its
// WebSocket with `ws`, and axios' build includes its Node HTTP adapter (the uploads below).
import fs from 'node:fs';
import { File as NodeFile } from 'node:buffer';
import os from 'node:os';
import path from 'node:path';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { autorun } from 'mobx';
import { KnowledgePage } from '@/components/knowledge/knowledge-page';
import { RealtimeProvider } from '@/components/realtime/realtime-provider';
import type { KnowledgeBase, KnowledgeDocument } from '@/lib/api-types';
import { UPLOAD_CONCURRENCY } from '@/stores/knowledge-store';
import { makeCorruptPdf, makePdfWithHeadings } from '../fixtures/documents';
import type { ApiClient } from '../helpers/api-client';
import { testDatabaseKinds } from '../helpers/database';
import { uniqueName } from '../helpers/people';
import { createBrowserStore, renderWithStore, settled, watchRequests, nodeFormData, withNodeFormData } from '../helpers/render-hub';
import { useSpawnedHub } from '../helpers/spawned-hub';

const MAX_FILE_BYTES = 64 * 1024;
const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nc-knowledge-ui-'));
afterAll(() => fs.rmSync(filesDir, { recursive: true, force: true }));


/** An empty FormData of Node's (the environment's global is jsdom's); Node exports no other handle on the class. */

const pngBytes = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);

describe.each(testDatabaseKinds())('the knowledge page (%s)', (kind) => {
  const hub = useSpawnedHub(kind, { realtime: true, env: () => ({ FILES_DIR: filesDir, KNOWLEDGE_MAX_FILE_BYTES: String(MAX_FILE_BYTES) }) });

  async function setup(options: { base?: boolean; adapter?: 'http' | 'fetch' } = {}) {
    const api: ApiClient = hub.client();
    const user = await api.signUp('Rosa');
    const kb: KnowledgeBase | undefined = options.base === false ? undefined : (await api.post('/api/knowledge', { name: uniqueName('handbook'), description: 'How we work' })).json.knowledgeBase;
    const store = createBrowserStore({ baseUrl: hub.url, cookie: api.cookie, user });
    if (options.adapter) store.http.defaults.adapter = options.adapter;
    const net = watchRequests(store.http);
    const view = renderWithStore(
      store,
      <RealtimeProvider url={hub.realtimeUrl}>
        <KnowledgePage selectedId={kb?.id} />
      </RealtimeProvider>,
    );
    await waitFor(() => expect(store.user.connection).toBe('online'), { timeout: 10_000 });
    await settled(store);
    return { api, user, kb, store, net, view };
  }

  /** What the server answers for one file posted on its own (the message a row must show). */
  async function refusalOf(api: ApiClient, knowledgeBaseId: string, name: string, bytes: Uint8Array, type: string) {
    const form = await nodeFormData();
    form.append('file', new NodeFile([bytes], name, { type }) as unknown as Blob, name);
    const res = await fetch(`${hub.url}/api/knowledge/${knowledgeBaseId}/documents`, { method: 'POST', headers: { cookie: api.cookie }, body: form });
    return { status: res.status, message: ((await res.json()) as { error: { message: string } }).error.message };
  }

  it('uploads many dropped files, one request each: upload progress, then indexing progress over the socket to ready (or to error for a damaged PDF), and refused files on their own rows with the server’s reason', async () => {
    const { api, kb, store, net } = await setup({ adapter: 'http' });
    const pdf = await makePdfWithHeadings([
      { heading: 'Returns', lines: ['Items can be returned within 30 days of delivery.'] },
      { heading: 'Refunds', lines: ['Refunds are paid within 14 days of the return arriving.'] },
    ]);
    const notes = new TextEncoder().encode('# Shipping\n\nShipping is free for orders above 50 EUR.\n\n## Couriers\n\nWe ship with two couriers.\n');
    const faq = new TextEncoder().encode('Opening hours: Monday to Friday, nine to five.\n');
    // Just over the cap: the server closes the connection at the cap, and a body much larger
    // than the socket's buffers would still be on its way out when it does.
    const huge = new TextEncoder().encode('x'.repeat(MAX_FILE_BYTES + 1024));
    const files = [
      new NodeFile([pdf], 'policy.pdf', { type: 'application/pdf' }),
      new NodeFile([notes], 'shipping.md', { type: 'text/markdown' }),
      new NodeFile([faq], 'faq.txt', { type: 'text/plain' }),
      new NodeFile([makeCorruptPdf()], 'broken.pdf', { type: 'application/pdf' }),
      new NodeFile([pngBytes], 'photo.png', { type: 'image/png' }),
      new NodeFile([], 'empty.txt', { type: 'text/plain' }),
      new NodeFile([huge], 'huge.txt', { type: 'text/plain' }),
    ];
    const expected = {
      'photo.png': await refusalOf(api, kb!.id, 'photo.png', pngBytes, 'image/png'),
      'empty.txt': await refusalOf(api, kb!.id, 'empty.txt', new Uint8Array(), 'text/plain'),
      'huge.txt': await refusalOf(api, kb!.id, 'huge.txt', huge, 'text/plain'),
    };
    expect(Object.values(expected).map((r) => r.status)).toEqual([415, 400, 413]);

    // The most of each file's bytes the page ever saw sent.
    const sent = new Map<string, number>();
    const stopWatching = autorun(() => {
      for (const upload of store.knowledge.uploads.values()) sent.set(upload.name, Math.max(sent.get(upload.name) ?? 0, upload.sent));
    });
    const release = net.hold(/^POST \/api\/knowledge\/.+\/documents$/);

    await withNodeFormData(async () => {
      fireEvent.drop(screen.getByTestId('drop-zone'), { dataTransfer: { files, types: ['Files'] } });
      // Every file has its row at once; a few go up at a time, the rest wait their turn.
      const rows = await screen.findAllByTestId('upload-row');
      expect(rows.map((row) => row.dataset.name)).toEqual(files.map((f) => f.name));
      expect(rows.filter((row) => row.dataset.state === 'uploading')).toHaveLength(UPLOAD_CONCURRENCY);
      // GET /api/knowledge says the file limit: the oversized file is refused here, before a byte of it goes.
      expect(rows.filter((row) => row.dataset.state === 'waiting')).toHaveLength(files.length - UPLOAD_CONCURRENCY - 1);
      expect(rows.at(-1)!.dataset.state).toBe('failed');
      expect(within(rows[0]!).getByRole('progressbar', { name: 'Uploading policy.pdf' })).toHaveAttribute('aria-valuenow', '0');
      expect(within(rows[0]!).getByTestId('upload-status')).toHaveTextContent('Uploading… 0%');
      expect(within(rows.at(-2)!).getByTestId('upload-status')).toHaveTextContent('Waiting to upload…');
      release();

      // Indexed: the three good files become documents that reach ready, told by the socket
      // (the list is fetched once, when the page opened); the damaged PDF is kept, in error.
      await waitFor(
        () => {
          const rows = screen.queryAllByTestId('document-row').map((row) => `${row.dataset.name} ${row.dataset.status}`);
          expect(rows.sort()).toEqual(['broken.pdf error', 'faq.txt ready', 'policy.pdf ready', 'shipping.md ready']);
        },
        { timeout: 20_000 },
      );
      // Every request has had its answer before the page's FormData is jsdom's again.
      await waitFor(() => expect(store.knowledge.uploadsOf(kb!.id).map((u) => u.state)).toEqual(['failed', 'failed', 'failed']));
      // The base's totals caught up (refreshed once indexing settled).
      await waitFor(() => expect(screen.getByTestId('knowledge-base-totals')).toHaveTextContent(/^4 documents · [1-9]\d* passages · /));
    });
    stopWatching();
    expect(net.count(/^GET \/api\/knowledge\/.+\/documents$/)).toBe(1);
    expect(net.count(/^POST \/api\/knowledge\/.+\/documents$/)).toBe(files.length - 1);
    for (const name of ['policy.pdf', 'shipping.md', 'faq.txt']) expect(sent.get(name)).toBe(1);

    const pdfRow = screen.getAllByTestId('document-row').find((row) => row.dataset.name === 'policy.pdf')!;
    expect(within(pdfRow).getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100');
    expect(within(pdfRow).getByTestId('document-status')).toHaveTextContent(/^Ready · \d+ passages? · 2 pages$/);
    const stored: KnowledgeDocument[] = (await api.get(`/api/knowledge/${kb!.id}/documents`)).json.documents;
    expect(stored.map((d) => [d.name, d.status]).sort()).toEqual([['broken.pdf', 'error'], ['faq.txt', 'ready'], ['policy.pdf', 'ready'], ['shipping.md', 'ready']]);
    // The damaged file's row says why, in the server's words, with no bar.
    const brokenRow = screen.getAllByTestId('document-row').find((row) => row.dataset.name === 'broken.pdf')!;
    const reason = stored.find((d) => d.name === 'broken.pdf')!.error!.message;
    expect(reason).not.toBe('');
    expect(within(brokenRow).getByTestId('document-status')).toHaveTextContent(`Could not be indexed: ${reason}`);
    expect(within(brokenRow).queryByRole('progressbar')).toBeNull();
    const totals = (await api.get(`/api/knowledge/${kb!.id}`)).json.knowledgeBase as KnowledgeBase;
    expect(screen.getByTestId('knowledge-base-totals')).toHaveTextContent(`${totals.documentCount} documents · ${totals.chunkCount} passages · `);

    // Refused files keep their rows with the server's own words (the oversized one refused here, in the same words); none is retried as is.
    const failed = screen.getAllByTestId('upload-row');
    expect(failed.map((row) => row.dataset.name)).toEqual(['photo.png', 'empty.txt', 'huge.txt']);
    for (const row of failed) {
      const name = row.dataset.name as keyof typeof expected;
      expect(within(row).getByTestId('upload-error')).toHaveTextContent(`Not uploaded: ${expected[name].message}`);
      expect(within(row).queryByTestId('retry-upload')).toBeNull();
    }
    await userEvent.click(within(failed[0]!).getByTestId('dismiss-upload'));
    expect(screen.getAllByTestId('upload-row').map((row) => row.dataset.name)).toEqual(['empty.txt', 'huge.txt']);
    await settled(store);
  });

  it('creates a knowledge base, showing the 400’s field errors first, then opens it', async () => {
    const { store, view } = await setup({ base: false });
    expect(screen.getByTestId('knowledge-empty')).toBeInTheDocument();
    expect(screen.getByTestId('retrieval-mode')).toHaveTextContent('Search is full-text (keyword) search. Set EMBEDDINGS_MODEL for semantic search.');
    await userEvent.click(screen.getByTestId('new-knowledge-base'));
    await userEvent.click(screen.getByTestId('knowledge-base-save'));
    const nameError = await screen.findByTestId('kb-error-name');
    expect(nameError.textContent).not.toBe('');
    expect(screen.getByTestId('knowledge-base-form-error')).toBeInTheDocument();

    const name = uniqueName('Product handbook');
    await userEvent.type(screen.getByLabelText('Name'), name);
    await userEvent.click(screen.getByTestId('knowledge-base-save'));
    await waitFor(() => expect(view.router.visits.find((v) => v.startsWith('push /hub/knowledge/'))).toBeDefined());
    const created = view.router.visits.find((v) => v.startsWith('push /hub/knowledge/'))!.slice('push /hub/knowledge/'.length);
    const card = await screen.findByTestId('knowledge-base-card');
    expect(card).toHaveTextContent(name);
    expect(card).toHaveTextContent('0 documents · 0 passages · 0 B');
    expect(card.dataset.knowledgeBaseId).toBe(created);
    await settled(store);
  });

  it('searches a base and marks the matching words in its passages, with document, page and heading', async () => {
    const { api, kb, store } = await setup();
    // In act: the socket may tell of the new document before the answer comes back.
    const added = await act(() => api.post(`/api/knowledge/${kb!.id}/documents`, {
      title: 'Returns policy',
      text: '# Refunds\n\nRefunds are paid within 14 days. A refund goes back to the card that paid.\n\n# Opening hours\n\nWe open at nine.',
    }));
    expect(added.status).toBe(202);
    // Added from elsewhere (another tab): the socket brings the document into the list, to ready.
    await waitFor(() => expect(screen.getByTestId('document-row')).toHaveAttribute('data-status', 'ready'), { timeout: 20_000 });
    await waitFor(() => expect(screen.getByTestId('knowledge-base-totals')).toHaveTextContent(/^1 document · \d+ passages? · /));

    await userEvent.type(screen.getByTestId('knowledge-search-input'), 'REFUND card');
    await userEvent.click(screen.getByTestId('knowledge-search-submit'));
    const result = (await screen.findAllByTestId('search-result'))[0]!;
    expect(within(result).getByTestId('search-result-document')).toHaveTextContent('Returns policy');
    expect(within(result).getByTestId('search-result-where')).toHaveTextContent('Refunds');
    const marked = Array.from(result.querySelectorAll('mark'), (m) => m.textContent);
    // Case-insensitive, and a word that starts with a term is marked whole.
    expect(marked).toEqual(expect.arrayContaining(['Refunds', 'refund', 'card']));
    expect(marked).not.toContain('paid');

    await userEvent.clear(screen.getByTestId('knowledge-search-input'));
    await userEvent.type(screen.getByTestId('knowledge-search-input'), 'zeppelin');
    await userEvent.click(screen.getByTestId('knowledge-search-submit'));
    expect(await screen.findByTestId('search-empty')).toHaveTextContent('No passage matches “zeppelin”.');
    await settled(store);
  });

  it('renames a base, deletes a document and the base behind one confirmation each, and drops a document deleted elsewhere', async () => {
    const { api, kb, store, view } = await setup();
    await act(() => api.post(`/api/knowledge/${kb!.id}/documents`, { title: 'Old notes', text: 'Nothing of note.' }));
    const other = (await act(() => api.post(`/api/knowledge/${kb!.id}/documents`, { title: 'Other tab', text: 'Deleted elsewhere.' }))).json.documents[0] as KnowledgeDocument;
    await waitFor(() => expect(screen.getAllByTestId('document-row').map((r) => r.dataset.status)).toEqual(['ready', 'ready']), { timeout: 20_000 });
    await waitFor(() => expect(screen.getByTestId('knowledge-base-totals')).toHaveTextContent(/^2 documents · /));

    // Deleted from another tab: the socket takes its row away here too.
    expect((await act(() => api.delete(`/api/knowledge/${kb!.id}/documents/${other.id}`))).status).toBe(204);
    await waitFor(() => expect(screen.getAllByTestId('document-row').map((r) => r.dataset.name)).toEqual(['Old notes']));
    await waitFor(() => expect(screen.getByTestId('knowledge-base-totals')).toHaveTextContent(/^1 document · /));
    const row = screen.getByTestId('document-row');
    await userEvent.click(within(row).getByTestId('delete-document'));
    await userEvent.click(within(row).getByTestId('confirm-delete-document'));
    await waitFor(() => expect(screen.queryByTestId('document-row')).toBeNull());
    await waitFor(() => expect(screen.getByTestId('knowledge-base-totals')).toHaveTextContent(/^0 documents · 0 passages · 0 B$/));
    await settled(store);
    expect((await api.get(`/api/knowledge/${kb!.id}/documents`)).json.documents).toEqual([]);

    await userEvent.click(screen.getByTestId('edit-knowledge-base'));
    const nameInput = screen.getByLabelText('Name');
    await userEvent.clear(nameInput);
    await userEvent.type(nameInput, 'Renamed handbook');
    await userEvent.click(screen.getByTestId('knowledge-base-save'));
    await waitFor(() => expect(screen.getByTestId('knowledge-base-title')).toHaveTextContent('Renamed handbook'));
    expect((await api.get(`/api/knowledge/${kb!.id}`)).json.knowledgeBase.name).toBe('Renamed handbook');

    await userEvent.click(screen.getByTestId('delete-knowledge-base'));
    await userEvent.click(screen.getByTestId('confirm-delete-knowledge-base'));
    await waitFor(() => expect(view.router.visits).toContain('replace /hub/knowledge'));
    expect((await api.get(`/api/knowledge/${kb!.id}`)).status).toBe(404);
    await settled(store);
  });
});
