/**
 * @jest-environment ./tests/helpers/jsdom-env.cjs
 * @jest-environment-options {"customExportConditions": ["node", "require", "default"]}
 */
// Node's export conditions: axios' build then includes its Node HTTP adapter (the uploads below).
import { File as NodeFile } from 'node:buffer';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import sharp from 'sharp';
import { Composer } from '@/components/chat/composer';
import { MessageList } from '@/components/chat/message-list';
import { makePdf } from '../fixtures/documents';
import type { ApiClient } from '../helpers/api-client';
import { testDatabaseKinds } from '../helpers/database';
import { uniqueName } from '../helpers/people';
import { createBrowserStore, renderWithStore, settled, watchRequests, withNodeFormData } from '../helpers/render-hub';
import { useSpawnedHub } from '../helpers/spawned-hub';

const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nc-attachments-ui-'));
afterAll(() => fs.rmSync(filesDir, { recursive: true, force: true }));


const file = (bytes: Uint8Array, name: string, type: string) => new NodeFile([bytes], name, { type }) as unknown as File;

describe.each(testDatabaseKinds())('attachments in the chat (%s)', (kind) => {
  const hub = useSpawnedHub(kind, { env: () => ({ FILES_DIR: filesDir }) });

  async function setup() {
    const api: ApiClient = hub.client();
    const user = await api.signUp('Rosa');
    const channelId: string = (await api.post('/api/channels', { name: uniqueName('files') })).json.channel.id;
    const store = createBrowserStore({ baseUrl: hub.url, cookie: api.cookie, user });
    store.http.defaults.adapter = 'http';
    const net = watchRequests(store.http);
    renderWithStore(
      store,
      <div data-testid="channel">
        <MessageList channelId={channelId} isOwner />
        <Composer channelId={channelId} channelName="files" />
      </div>,
    );
    await settled(store);
    return { api, store, net, channelId };
  }

  it('drops files on the channel, shows each upload, sends them with the text, and shows them in the message', async () => {
    const { api, store, net, channelId } = await setup();
    const png = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#3366cc' } }).png().toBuffer();
    const pdf = await makePdf([['Quarterly numbers', 'Revenue grew by a third.']]);
    const exe = Buffer.concat([Buffer.from('MZ', 'latin1'), Buffer.alloc(64)]);

    await withNodeFormData(async () => {
      fireEvent.drop(screen.getByTestId('channel'), { dataTransfer: { files: [file(png, 'chart.png', 'image/png'), file(pdf, 'report.pdf', 'application/pdf'), file(exe, 'setup.exe', 'application/octet-stream')], types: ['Files'] } });
      const chips = await screen.findAllByTestId('attachment-chip');
      expect(chips).toHaveLength(3);
      // The hub process loads the attachment modules (sharp among them) on its first upload.
      await waitFor(() => expect(screen.getAllByTestId('attachment-chip').map((chip) => chip.dataset.state)).toEqual(['done', 'done', 'failed']), { timeout: 20_000 });
    });
    const refused = screen.getAllByTestId('attachment-chip')[2]!;
    expect(within(refused).getByRole('alert')).toHaveTextContent('setup.exe is not a type the hub accepts');
    await userEvent.click(within(refused).getByTestId('attachment-chip-remove'));
    expect(screen.getAllByTestId('attachment-chip')).toHaveLength(2);

    await userEvent.type(screen.getByTestId('composer-input'), 'numbers for Monday{Enter}');
    const message = await screen.findByTestId('message');
    await waitFor(() => expect(screen.queryAllByTestId('attachment-chip')).toHaveLength(0));
    expect(within(message).getByRole('button', { name: 'Open image chart.png' })).toBeInTheDocument();
    const doc = within(message).getByTestId('attachment-document');
    expect(doc).toHaveTextContent('report.pdf');
    expect(within(doc).getByRole('link')).toHaveAttribute('href', expect.stringMatching(/^\/api\/attachments\/[0-9a-f-]{36}$/));
    expect((screen.getByTestId('composer-input') as HTMLTextAreaElement).value).toBe('');
    const [stored] = (await api.get(`/api/channels/${channelId}/messages`)).json.messages;
    // In the order the server stored them (the two went up side by side).
    expect(stored.content).toBe('numbers for Monday');
    expect(stored.attachments).toHaveLength(2);
    expect(stored.attachments).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'chart.png', width: 400 }), expect.objectContaining({ name: 'report.pdf' })]));
    const image = stored.attachments.find((a: { name: string }) => a.name === 'chart.png');
    expect(net.count(/^POST \/api\/channels\/.+\/messages$/)).toBe(1);

    // The lightbox: the full image, closed by Esc, focus back where it was.
    const open = within(message).getByRole('button', { name: 'Open image chart.png' });
    await userEvent.click(open);
    const dialog = screen.getByRole('dialog', { name: 'chart.png' });
    expect(within(dialog).getByTestId('lightbox-image')).toHaveAttribute('src', image.url);
    expect(within(dialog).getByRole('button', { name: 'Close' })).toHaveFocus();
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(open).toHaveFocus();
    // A click outside the image closes it too.
    await userEvent.click(open);
    fireEvent.click(screen.getByTestId('lightbox'));
    expect(screen.queryByRole('dialog')).toBeNull();

    // Add to knowledge base, from the document's menu.
    const baseName = uniqueName('Finance');
    await api.post('/api/knowledge', { name: baseName });
    await userEvent.click(within(doc).getByTestId('attachment-menu'));
    await userEvent.click(await within(doc).findByRole('menuitem', { name: baseName }));
    expect(await within(doc).findByRole('status')).toHaveTextContent(`Added to ${baseName}`);
    await settled(store);
  });

  it('pastes an image into the composer and takes an upload back with its ×', async () => {
    const { store, net } = await setup();
    const png = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#00aa00' } }).png().toBuffer();
    await withNodeFormData(async () => {
      fireEvent.paste(screen.getByTestId('composer-input'), { clipboardData: { files: [file(png, 'image.png', 'image/png')], types: ['Files'] } });
      await waitFor(() => expect(screen.getByTestId('attachment-chip')).toHaveAttribute('data-state', 'done'), { timeout: 20_000 });
    });
    // Files alone can be sent; here the upload is taken back instead.
    expect(screen.getByTestId('composer-send')).toBeEnabled();
    await userEvent.click(screen.getByRole('button', { name: 'Remove image.png' }));
    expect(screen.queryAllByTestId('attachment-chip')).toHaveLength(0);
    await waitFor(() => expect(net.count(/^DELETE \/api\/attachments\/[0-9a-f-]{36}$/)).toBe(1));
    expect(screen.getByTestId('composer-send')).toBeDisabled();
    await settled(store);
  });
});
