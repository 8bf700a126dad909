import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import sharp from 'sharp';
import { deleteChannelWithAttachments, sweepAttachments } from '@/lib/attachments';
import type { AttachmentJson } from '@/lib/contracts/abilities';
import type { MessageJson } from '@/lib/contracts/messages';
import { getDb } from '@/lib/db';
import { attachments } from '@/lib/db/schema';
import { resetEnv } from '@/lib/env';
import { ingestionSettled } from '@/lib/knowledge/ingest';
import { runMaintenance } from '@/lib/messages/retention';
import { setFileStore } from '@/lib/storage';
import { makePdf } from '../fixtures/documents';
import { makeVideo, solidPng, stripes, tempDir } from '../fixtures/media';
import type { ApiClient } from '../helpers/api-client';
import { testDatabaseKinds } from '../helpers/database';
import { setEnv } from '../helpers/env';
import { policyPages } from '../helpers/knowledge';
import { uniqueName, uuidV7 } from '../helpers/people';
import { emitAck, record, realtimeSuite, until } from '../helpers/realtime';
import { useStorageBridge } from '../helpers/storage-bridge';

type File = { name: string; type: string; bytes: Uint8Array };

const MAX_BYTES = 300 * 1024;
const MAX_VIDEO_BYTES = 3 * 1024 * 1024;
const PER_MESSAGE = 3;

/** One multipart `file`, as the composer's FormData sends it. */
async function upload(baseUrl: string, client: ApiClient, channelId: string, file: File) {
  const form = new FormData();
  form.append('file', new Blob([Buffer.from(file.bytes)], { type: file.type }), file.name);
  const response = await fetch(`${baseUrl}/api/channels/${channelId}/attachments`, { method: 'POST', body: form, headers: { cookie: client.cookie } });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

const fetchAs = (baseUrl: string, client: ApiClient, url: string, headers: Record<string, string> = {}) => fetch(`${baseUrl}${url}`, { headers: { cookie: client.cookie, ...headers } });

/** Random pixels: a PNG that does not compress below its raw size. */
const noisePng = (width: number, height: number) => sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } }).png().toBuffer();

describe.each(testDatabaseKinds())('attachments in channels (%s)', (kind) => {
  const rt = realtimeSuite(kind);
  const hub = rt.hub;
  const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nc-attachments-'));
  let media: Awaited<ReturnType<typeof tempDir>>;
  let mp4: Buffer;
  let restoreEnv: () => void;

  beforeAll(async () => {
    restoreEnv = setEnv({ FILES_DIR: filesDir, ATTACHMENT_MAX_BYTES: String(MAX_BYTES), ATTACHMENT_MAX_VIDEO_BYTES: String(MAX_VIDEO_BYTES), ATTACHMENTS_PER_MESSAGE: String(PER_MESSAGE) });
    resetEnv();
    setFileStore(undefined);
    media = await tempDir();
    mp4 = fs.readFileSync(await makeVideo(media.file('clip.mp4'), 'mp4', { seconds: 2, width: 320, height: 240 }));
  });
  afterAll(async () => {
    restoreEnv();
    resetEnv();
    setFileStore(undefined);
    await media?.remove();
    fs.rmSync(filesDir, { recursive: true, force: true });
  });
  afterEach(() => ingestionSettled());

  const stored = (key: string) => fs.existsSync(path.join(filesDir, ...key.split('/')));
  const rowOf = async (id: string) => (await (await getDb()).select().from(attachments).where(eq(attachments.id, id)))[0];

  /** Ada's channel with Bob in it (both joined to its room), and Cy, who is in no channel of theirs. */
  async function room() {
    const { ada, bob, channelId } = await rt.sharedChannel();
    const cy = await rt.member('Cy');
    return { ada, bob, cy, channelId, send: (file: File) => upload(hub.server.url, ada.api, channelId, file) };
  }

  test('uploads images, a video and a document, measured, with thumbnails, served inline or as downloads', async () => {
    const { ada, channelId, send } = await room();

    const png = await stripes(640, 480, [{ hex: '#ff0000', share: 0.5 }, { hex: '#0000ff', share: 0.5 }]);
    const image = await send({ name: 'chart.png', type: 'image/png', bytes: png });
    expect(image.status).toBe(201);
    const attachment: AttachmentJson = image.json.attachment;
    expect(attachment).toEqual({
      id: expect.stringMatching(uuidV7),
      name: 'chart.png',
      mimeType: 'image/png',
      bytes: png.length,
      width: 640,
      height: 480,
      url: `/api/attachments/${attachment.id}`,
      thumbnailUrl: `/api/attachments/${attachment.id}?thumbnail=1`,
    });
    const file = await fetchAs(hub.server.url, ada.api, attachment.url);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(file.headers.get('content-length')).toBe(String(png.length));
    expect(file.headers.get('content-disposition')).toBe(`inline; filename="chart.png"; filename*=UTF-8''chart.png`);
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
    expect(file.headers.get('cache-control')).toMatch(/^private/);
    expect(Buffer.from(await file.arrayBuffer()).equals(png)).toBe(true);
    const thumb = await fetchAs(hub.server.url, ada.api, attachment.thumbnailUrl!);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    const thumbMeta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
    expect([thumbMeta.format, thumbMeta.width, thumbMeta.height]).toEqual(['webp', 320, 240]);

    // A JPEG declared as nothing in particular: its bytes decide.
    const jpeg = await sharp({ create: { width: 200, height: 400, channels: 3, background: '#22aa55' } }).jpeg().toBuffer();
    const photo = await send({ name: 'photo.jpg', type: 'application/octet-stream', bytes: jpeg });
    expect(photo.status).toBe(201);
    expect(photo.json.attachment).toEqual(expect.objectContaining({ mimeType: 'image/jpeg', width: 200, height: 400, thumbnailUrl: expect.any(String) }));

    const clip = await send({ name: 'demo.mp4', type: 'video/mp4', bytes: mp4 });
    expect(clip.status).toBe(201);
    const video: AttachmentJson = clip.json.attachment;
    expect(video).toEqual(expect.objectContaining({ mimeType: 'video/mp4', bytes: mp4.length, width: 320, height: 240, thumbnailUrl: expect.any(String) }));
    expect(video.durationMs).toBeGreaterThanOrEqual(1900);
    expect(video.durationMs).toBeLessThanOrEqual(2100);
    const poster = await fetchAs(hub.server.url, ada.api, video.thumbnailUrl!);
    expect(poster.status).toBe(200);
    expect((await sharp(Buffer.from(await poster.arrayBuffer())).metadata()).width).toBe(320);
    // Players seek with byte ranges.
    const part = await fetchAs(hub.server.url, ada.api, video.url, { range: 'bytes=0-99' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 0-99/${mp4.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(mp4.subarray(0, 100))).toBe(true);
    expect((await fetchAs(hub.server.url, ada.api, video.url)).headers.get('content-disposition')).toMatch(/^inline;/);

    const pdf = Buffer.from(await makePdf(policyPages));
    const doc = await send({ name: 'Travel policy — 2025.pdf', type: 'application/pdf', bytes: pdf });
    expect(doc.status).toBe(201);
    expect(doc.json.attachment).toEqual({ id: expect.any(String), name: 'Travel policy — 2025.pdf', mimeType: 'application/pdf', bytes: pdf.length, url: expect.any(String) });
    const download = await fetchAs(hub.server.url, ada.api, doc.json.attachment.url);
    expect(download.headers.get('content-type')).toBe('application/pdf');
    expect(download.headers.get('content-disposition')).toBe(`attachment; filename="Travel policy _ 2025.pdf"; filename*=UTF-8''Travel%20policy%20%E2%80%94%202025.pdf`);
    expect(Buffer.from(await download.arrayBuffer()).equals(pdf)).toBe(true);
    const noThumb = await fetchAs(hub.server.url, ada.api, `${doc.json.attachment.url}?thumbnail=1`);
    expect(noThumb.status).toBe(404);

    // The files are in the store under the channel.
    expect(stored(`attachments/${channelId}/${attachment.id}`)).toBe(true);
    expect(stored(`attachments/${channelId}/${attachment.id}.thumb`)).toBe(true);

    // An HTML page is a document: a download in a sandbox, never a page of the hub.
    const html = await send({ name: 'notes.html', type: 'text/html', bytes: Buffer.from('<!doctype html><p>Meeting notes</p><script>alert(1)</script>') });
    expect(html.status).toBe(201);
    const page = await fetchAs(hub.server.url, ada.api, html.json.attachment.url);
    expect([page.headers.get('content-type'), page.headers.get('content-disposition')?.split(';')[0], page.headers.get('content-security-policy')]).toEqual([
      'application/octet-stream',
      'attachment',
      "default-src 'none'; sandbox",
    ]);
  });

  test('refuses types it does not accept (415), files over their limit (413), empty files and non-multipart bodies', async () => {
    const { send } = await room();
    const exe = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), randomBytes(2048)]);
    const program = await send({ name: 'setup.exe', type: 'application/octet-stream', bytes: exe });
    expect(program.status).toBe(415);
    expect(program.json.error).toEqual({ code: 'unsupported_media_type', message: expect.stringContaining('setup.exe is not a type the hub accepts; attach PNG, JPEG, WebP or GIF images, MP4, WebM or MOV videos') });
    // HTML claiming to be an image, and an SVG (a script carrier) are not images.
    const disguised = await send({ name: 'cat.png', type: 'image/png', bytes: Buffer.from('<html><script>alert(document.cookie)</script></html>') });
    expect([disguised.status, disguised.json.error.code]).toEqual([415, 'unsupported_media_type']);
    const svg = await send({ name: 'logo.svg', type: 'image/svg+xml', bytes: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>') });
    expect(svg.status).toBe(415);

    const big = await noisePng(400, 400);
    expect(big.length).toBeGreaterThan(MAX_BYTES);
    const tooBig = await send({ name: 'huge.png', type: 'image/png', bytes: big });
    expect(tooBig.status).toBe(413);
    expect(tooBig.json.error).toEqual({ code: 'payload_too_large', message: 'huge.png is larger than 300 KB, the limit for an image or a document (videos may be up to 3 MB).' });
    // Past the largest limit, refused while it streams in.
    const endless = await send({ name: 'endless.mp4', type: 'video/mp4', bytes: Buffer.concat([mp4.subarray(0, 16), randomBytes(MAX_VIDEO_BYTES + 1024)]) });
    expect(endless.status).toBe(413);
    expect(endless.json.error.message).toContain('3 MB');

    const empty = await send({ name: 'empty.txt', type: 'text/plain', bytes: new Uint8Array() });
    expect([empty.status, empty.json.error.message]).toEqual([400, 'empty.txt is empty.']);
    // A damaged image by its signature: a clear 400, never a 5xx.
    const png = await solidPng(64, 64, '#123456');
    const damaged = await send({ name: 'cut.png', type: 'image/png', bytes: png.subarray(0, 40) });
    expect(damaged.status).toBe(400);
    expect(damaged.json.error.message).toMatch(/^cut\.png: /);

    const { ada, channelId } = await room();
    const json = await ada.api.post(`/api/channels/${channelId}/attachments`, { file: 'x' });
    expect([json.status, json.json.error.code]).toEqual([415, 'unsupported_media_type']);
    expect(await (await getDb()).select().from(attachments).where(eq(attachments.channelId, channelId))).toEqual([]);
  });

  test('only members upload and see files; an unsent upload is its uploader\'s alone', async () => {
    const { ada, bob, cy, channelId, send } = await room();
    const png = await solidPng(32, 32, '#ff8800');
    const outsider = await upload(hub.server.url, cy.api, channelId, { name: 'x.png', type: 'image/png', bytes: png });
    expect([outsider.status, outsider.json.error.code]).toEqual([404, 'not_found']);
    const anonymous = await fetch(`${hub.server.url}/api/channels/${channelId}/attachments`, { method: 'POST', body: new FormData() });
    expect(anonymous.status).toBe(401);
    // The composer's limits, to members only.
    expect((await ada.api.get(`/api/channels/${channelId}/attachments`)).json).toEqual({ limits: { maxBytes: MAX_BYTES, maxVideoBytes: MAX_VIDEO_BYTES, perMessage: PER_MESSAGE } });
    expect((await cy.api.get(`/api/channels/${channelId}/attachments`)).status).toBe(404);

    const { json } = await send({ name: 'a.png', type: 'image/png', bytes: png });
    const { url, thumbnailUrl } = json.attachment as AttachmentJson;
    expect((await fetchAs(hub.server.url, bob.api, url)).status).toBe(404);
    const sent = await ada.api.post(`/api/channels/${channelId}/messages`, { content: 'look', attachmentIds: [json.attachment.id] });
    expect(sent.status).toBe(201);
    expect((await fetchAs(hub.server.url, bob.api, url)).status).toBe(200);
    expect((await fetchAs(hub.server.url, bob.api, thumbnailUrl!)).status).toBe(200);
    for (const path of [url, thumbnailUrl!, '/api/attachments/not-an-id']) {
      const res = await fetchAs(hub.server.url, cy.api, path);
      expect(res.status).toBe(404);
      expect((await res.json()).error.code).toBe('not_found');
    }
    // Removed from the channel, Bob no longer sees it.
    const members = (await ada.api.get(`/api/channels/${channelId}`)).json.members as { id: string; name: string }[];
    const bobMember = members.find((m) => m.name === 'Bob')!;
    expect((await ada.api.delete(`/api/channels/${channelId}/members/${bobMember.id}`)).status).toBe(204);
    expect((await fetchAs(hub.server.url, bob.api, url)).status).toBe(404);
  });

  test('a message carries its attachments in the answer, the realtime event and history (cached or not); wrong ids are refused', async () => {
    const { ada, bob, channelId, send } = await room();
    const seen = record(bob.socket, 'message:created');
    const png = (await send({ name: 'one.png', type: 'image/png', bytes: await solidPng(40, 30, '#00ff00') })).json.attachment as AttachmentJson;
    const pdf = (await send({ name: 'two.pdf', type: 'application/pdf', bytes: await makePdf([['Hello']]) })).json.attachment as AttachmentJson;

    // Attachments alone make a message.
    const sent = await ada.api.post(`/api/channels/${channelId}/messages`, { content: '', clientId: 'c-1', attachmentIds: [pdf.id, png.id] });
    expect(sent.status).toBe(201);
    const message: MessageJson = sent.json.message;
    expect(message.content).toBe('');
    expect(message.attachments).toEqual([png, pdf]);
    await until(() => seen.length === 1, 5000, 'message:created');
    expect(seen[0]!.message.attachments).toEqual([png, pdf]);

    const first = await ada.api.get(`/api/channels/${channelId}/messages`);
    const second = await bob.api.get(`/api/channels/${channelId}/messages`);
    expect(first.json.messages).toEqual([message]);
    expect(second.json.messages).toEqual([message]);
    expect(second.headers.get('x-cache')).toBe('HIT');
    // A retry answers the stored copy, attachments and all, and claims nothing again.
    const retry = await ada.api.post(`/api/channels/${channelId}/messages`, { content: '', clientId: 'c-1', attachmentIds: [pdf.id, png.id] });
    expect([retry.status, retry.json.message]).toEqual([200, message]);
    // An edit keeps them.
    const edited = await ada.api.patch(`/api/channels/${channelId}/messages/${message.id}`, { content: 'Files for Monday' });
    expect(edited.json.message.attachments).toEqual([png, pdf]);

    // The same attachment cannot go out twice.
    const twice = await ada.api.post(`/api/channels/${channelId}/messages`, { content: 'again', attachmentIds: [png.id] });
    expect(twice.status).toBe(400);
    expect(twice.json.error.message).toMatch(/not an upload of yours to this channel waiting to be sent/);
    expect(twice.json.error.details).toEqual({ attachmentIds: [png.id] });
    // Nor can someone else send Ada's upload.
    const adas = (await send({ name: 'three.png', type: 'image/png', bytes: await solidPng(8, 8, '#000000') })).json.attachment as AttachmentJson;
    const stolen = await bob.api.post(`/api/channels/${channelId}/messages`, { content: 'mine now', attachmentIds: [adas.id] });
    expect(stolen.status).toBe(400);
    expect((await rowOf(adas.id))!.messageId).toBeNull();
    // Nor in another channel of hers.
    const other = (await ada.api.post('/api/channels', { name: uniqueName('other') })).json.channel.id as string;
    expect((await ada.api.post(`/api/channels/${other}/messages`, { content: 'x', attachmentIds: [adas.id] })).status).toBe(400);
    // Unknown ids, too many, and a message of nothing.
    const unknown = '0190c8a4-7b2e-7c3d-8e4f-a1b2c3d4e5f6';
    expect((await ada.api.post(`/api/channels/${channelId}/messages`, { content: 'x', attachmentIds: [adas.id, unknown] })).json.error.details).toEqual({ attachmentIds: [unknown] });
    expect((await rowOf(adas.id))!.messageId).toBeNull();
    const many = await ada.api.post(`/api/channels/${channelId}/messages`, { content: 'x', attachmentIds: [adas.id, unknown, '0190c8a4-7b2e-7c3d-8e4f-a1b2c3d4e5f7', '0190c8a4-7b2e-7c3d-8e4f-a1b2c3d4e5f8'] });
    expect([many.status, many.json.error.message]).toEqual([400, `A message can carry at most ${PER_MESSAGE} attachments.`]);
    expect((await ada.api.post(`/api/channels/${channelId}/messages`, { content: '  ', attachmentIds: [] })).json.error.details).toEqual({ content: ['A message cannot be empty.'] });
    expect((await ada.api.post(`/api/channels/${channelId}/messages`, { content: 'x', attachmentIds: ['nope'] })).status).toBe(400);
    // None of the refused sends left a message behind.
    expect((await ada.api.get(`/api/channels/${channelId}/messages`)).json.messages.map((m: MessageJson) => m.id)).toEqual([message.id]);
    expect(seen).toHaveLength(1);
  });

  test('deleting a message removes its files; deleting a channel removes all of them', async () => {
    const { ada, bob, channelId, send } = await room();
    const deleted = record(bob.socket, 'message:deleted');
    const png = (await send({ name: 'gone.png', type: 'image/png', bytes: await solidPng(50, 50, '#abcdef') })).json.attachment as AttachmentJson;
    const clip = (await send({ name: 'gone.mp4', type: 'video/mp4', bytes: mp4 })).json.attachment as AttachmentJson;
    const message = (await ada.api.post(`/api/channels/${channelId}/messages`, { content: 'bye', attachmentIds: [png.id, clip.id] })).json.message as MessageJson;
    const keys = [png, clip].flatMap((a) => [`attachments/${channelId}/${a.id}`, `attachments/${channelId}/${a.id}.thumb`]);
    expect(keys.map(stored)).toEqual([true, true, true, true]);
    // The owner sees them in the history first (fills the cached window).
    expect((await bob.api.get(`/api/channels/${channelId}/messages`)).json.messages[0].attachments).toHaveLength(2);

    expect((await ada.api.delete(`/api/channels/${channelId}/messages/${message.id}`)).status).toBe(204);
    expect(keys.map(stored)).toEqual([false, false, false, false]);
    expect(await rowOf(png.id)).toBeUndefined();
    expect((await fetchAs(hub.server.url, ada.api, png.url)).status).toBe(404);
    await until(() => deleted.length === 1, 5000, 'message:deleted');
    expect((await bob.api.get(`/api/channels/${channelId}/messages`)).json.messages).toEqual([]);

    // A channel: its sent and unsent files go with it.
    const kept = (await send({ name: 'kept.png', type: 'image/png', bytes: await solidPng(20, 20, '#111111') })).json.attachment as AttachmentJson;
    await ada.api.post(`/api/channels/${channelId}/messages`, { content: 'stays', attachmentIds: [kept.id] });
    const unsent = (await send({ name: 'draft.pdf', type: 'application/pdf', bytes: await makePdf([['Draft']]) })).json.attachment as AttachmentJson;
    expect([stored(`attachments/${channelId}/${kept.id}`), stored(`attachments/${channelId}/${unsent.id}`)]).toEqual([true, true]);
    await expect(deleteChannelWithAttachments({ userId: bob.user.id, channelId })).rejects.toMatchObject({ code: 'forbidden' });
    expect(stored(`attachments/${channelId}/${kept.id}`)).toBe(true);
    await deleteChannelWithAttachments({ userId: ada.user.id, channelId });
    expect([stored(`attachments/${channelId}/${kept.id}`), stored(`attachments/${channelId}/${kept.id}.thumb`), stored(`attachments/${channelId}/${unsent.id}`)]).toEqual([false, false, false]);
  });

  test('uploads never sent are swept after a day, and their uploader can take one back', async () => {
    const { ada, bob, channelId, send } = await room();
    const old = (await send({ name: 'old.png', type: 'image/png', bytes: await solidPng(10, 10, '#ff0000') })).json.attachment as AttachmentJson;
    const fresh = (await send({ name: 'fresh.png', type: 'image/png', bytes: await solidPng(10, 10, '#00ff00') })).json.attachment as AttachmentJson;
    const db = await getDb();
    await db.update(attachments).set({ createdAt: sql`now() - interval '25 hours'` }).where(eq(attachments.id, old.id));
    // Expired: no longer sendable, even by its uploader.
    expect((await ada.api.post(`/api/channels/${channelId}/messages`, { content: 'late', attachmentIds: [old.id] })).status).toBe(400);
    const result = await runMaintenance();
    expect(result.attachmentsRemoved).toBeGreaterThanOrEqual(1);
    expect(await rowOf(old.id)).toBeUndefined();
    expect(stored(`attachments/${channelId}/${old.id}`)).toBe(false);
    expect(stored(`attachments/${channelId}/${fresh.id}`)).toBe(true);
    expect(await sweepAttachments(db)).toBe(0);

    // The chip's ×: only the uploader, only while unsent.
    expect((await bob.api.delete(fresh.url)).status).toBe(404);
    expect((await ada.api.delete(fresh.url)).status).toBe(204);
    expect(stored(`attachments/${channelId}/${fresh.id}`)).toBe(false);
    expect((await fetchAs(hub.server.url, ada.api, fresh.url)).status).toBe(404);
    const sentOne = (await send({ name: 'sent.png', type: 'image/png', bytes: await solidPng(10, 10, '#0000ff') })).json.attachment as AttachmentJson;
    await ada.api.post(`/api/channels/${channelId}/messages`, { content: 'sent', attachmentIds: [sentOne.id] });
    expect((await ada.api.delete(sentOne.url)).status).toBe(409);
    expect(stored(`attachments/${channelId}/${sentOne.id}`)).toBe(true);
  });

  test('a document attached to a message is added to a knowledge base in one call', async () => {
    const { ada, bob, cy, channelId, send } = await room();
    const pdf = (await send({ name: 'policy.pdf', type: 'application/pdf', bytes: await makePdf(policyPages) })).json.attachment as AttachmentJson;
    const png = (await send({ name: 'pic.png', type: 'image/png', bytes: await solidPng(10, 10, '#ff00ff') })).json.attachment as AttachmentJson;
    await ada.api.post(`/api/channels/${channelId}/messages`, { content: 'policy', attachmentIds: [pdf.id, png.id] });
    const bobBase = (await bob.api.post('/api/knowledge', { name: uniqueName('Bob docs') })).json.knowledgeBase.id as string;

    const added = await bob.api.post(`/api/attachments/${pdf.id}/knowledge`, { knowledgeBaseId: bobBase });
    expect(added.status).toBe(202);
    expect(added.json.documents).toEqual([expect.objectContaining({ name: 'policy.pdf', mimeType: 'application/pdf', knowledgeBaseId: bobBase })]);
    await ingestionSettled();
    const [doc] = (await bob.api.get(`/api/knowledge/${bobBase}/documents`)).json.documents;
    expect(doc).toEqual(expect.objectContaining({ status: 'ready', pageCount: 3 }));
    const search = await bob.api.post(`/api/knowledge/${bobBase}/search`, { query: 'refund window' });
    expect(search.json.results[0].content).toContain('30 days');

    const image = await bob.api.post(`/api/attachments/${png.id}/knowledge`, { knowledgeBaseId: bobBase });
    expect([image.status, image.json.error.code]).toEqual([415, 'unsupported_media_type']);
    // Someone else's base, and someone who cannot see the attachment: 404.
    const cyBase = (await cy.api.post('/api/knowledge', { name: uniqueName('Cy docs') })).json.knowledgeBase.id as string;
    expect((await bob.api.post(`/api/attachments/${pdf.id}/knowledge`, { knowledgeBaseId: cyBase })).status).toBe(404);
    expect((await cy.api.post(`/api/attachments/${pdf.id}/knowledge`, { knowledgeBaseId: cyBase })).status).toBe(404);
    expect((await bob.api.post(`/api/attachments/${pdf.id}/knowledge`, {})).status).toBe(400);
    // The copy outlives the message.
    const [message] = (await ada.api.get(`/api/channels/${channelId}/messages`)).json.messages;
    expect((await ada.api.delete(`/api/channels/${channelId}/messages/${message.id}`)).status).toBe(204);
    expect((await bob.api.get(`/api/knowledge/${bobBase}/documents/${doc.id}`)).json.document.status).toBe('ready');
    expect(await emitAck(bob.socket, 'channel:leave', channelId)).toEqual({ ok: true });
  });
});

describe('attachments in Supabase Storage (through supabase-js and the local Storage bridge)', () => {
  const rt = realtimeSuite('pglite');
  const storage = useStorageBridge('nc-attachments-supabase-');

  test('stores, serves and removes an attachment and its thumbnail through the Storage API', async () => {
    const { ada, bob, channelId } = await rt.sharedChannel();
    const png = await solidPng(100, 50, '#336699');
    const res = await upload(rt.hub.server.url, ada.api, channelId, { name: 'cloud.png', type: 'image/png', bytes: png });
    expect(res.status).toBe(201);
    const attachment = res.json.attachment as AttachmentJson;
    const puts = storage.current().requests.filter((r) => (r.method === 'POST' || r.method === 'PUT') && r.path.startsWith(`/storage/v1/object/hub-files/attachments/${channelId}/`));
    expect(puts.map((r) => r.path.split('/').pop())).toEqual([attachment.id, `${attachment.id}.thumb`]);
    const message = (await ada.api.post(`/api/channels/${channelId}/messages`, { content: 'cloud', attachmentIds: [attachment.id] })).json.message as MessageJson;
    const file = await fetchAs(rt.hub.server.url, bob.api, attachment.url);
    expect(Buffer.from(await file.arrayBuffer()).equals(png)).toBe(true);

    expect((await ada.api.delete(`/api/channels/${channelId}/messages/${message.id}`)).status).toBe(204);
    expect(storage.current().requests.some((r) => r.method === 'DELETE' && r.path === '/storage/v1/object/hub-files')).toBe(true);
    expect((await fetchAs(rt.hub.server.url, ada.api, attachment.url)).status).toBe(404);
    expect(fs.readdirSync(storage.dir, { recursive: true }).filter((name) => String(name).includes(attachment.id))).toEqual([]);
  });
});
