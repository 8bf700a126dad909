import type { ApiClient } from '../helpers/api-client';
import { testDatabaseKinds } from '../helpers/database';
import { useHub } from '../helpers/hub';

type Message = { id: string; content: string };
type Page = { messages: Message[]; nextCursor: string | null };

describe.each(testDatabaseKinds())('message history over HTTP (%s)', (kind) => {
  const hub = useHub(kind);
  const TOTAL = 125;
  let client: ApiClient;
  let base: string;
  /** Everything sent to the channel, in send order. */
  const sent: Message[] = [];

  beforeAll(async () => {
    client = hub.client();
    await client.signUp('Hester');
    const channel = await client.post('/api/channels', { name: 'history' });
    base = `/api/channels/${channel.json.channel.id}`;
    for (let i = 1; i <= TOTAL; i++) {
      const res = await client.post(`${base}/messages`, { content: `message ${i}` });
      if (res.status !== 201) throw new Error(`send failed: ${res.status} ${res.text}`);
      sent.push(res.json.message);
    }
  }, 120_000);

  async function page(query: string): Promise<Page> {
    const res = await client.get(`${base}/messages${query}`);
    expect(res.status).toBe(200);
    return res.json;
  }

  /** Pages back in time from the newest message until nextCursor is null. */
  async function walkBack(limit: number) {
    const pages: Page[] = [];
    let cursor: string | null = null;
    do {
      const current: Page = await page(`?limit=${limit}${cursor ? `&before=${cursor}` : ''}`);
      pages.push(current);
      cursor = current.nextCursor;
      if (pages.length > 20) throw new Error('paging does not terminate');
    } while (cursor);
    return pages;
  }

  it('pages back with before=nextCursor over all messages, oldest first, without gaps or duplicates', async () => {
    const pages = await walkBack(50);
    expect(pages.map((p) => p.messages.length)).toEqual([50, 50, 25]);
    for (const p of pages) {
      const ids = p.messages.map((m) => m.id);
      expect([...ids].sort()).toEqual(ids);
      if (p.nextCursor) expect(p.nextCursor).toBe(ids[0]);
    }
    expect(pages.at(-1)!.nextCursor).toBeNull();
    const all = pages.reverse().flatMap((p) => p.messages);
    expect(all.map((m) => m.id)).toEqual(sent.map((m) => m.id));
    expect(all.map((m) => m.content)).toEqual(sent.map((_, i) => `message ${i + 1}`));
  });

  it('ends with nextCursor null when the last page is exactly full', async () => {
    const pages = await walkBack(25);
    expect(pages.map((p) => p.messages.length)).toEqual([25, 25, 25, 25, 25]);
    expect(pages.reverse().flatMap((p) => p.messages.map((m) => m.id))).toEqual(sent.map((m) => m.id));
  });

  it('answers the newest 50 by default, and up to 200 when asked', async () => {
    const first = await page('');
    expect(first.messages.map((m) => m.id)).toEqual(sent.slice(-50).map((m) => m.id));
    expect(first.nextCursor).toBe(sent[TOTAL - 50]!.id);

    const everything = await page('?limit=200');
    expect(everything.messages.map((m) => m.id)).toEqual(sent.map((m) => m.id));
    expect(everything.nextCursor).toBeNull();

    const one = await page('?limit=1');
    expect(one.messages.map((m) => m.id)).toEqual([sent.at(-1)!.id]);
    expect(one.nextCursor).toBe(sent.at(-1)!.id);
  });

  it('returns what came after a message with after=<id>, oldest first, continuing with nextCursor', async () => {
    const start = 99; // sent[99] is "message 100"
    const collected: Message[] = [];
    let cursor: string | null = sent[start]!.id;
    let pages = 0;
    while (cursor) {
      const current: Page = await page(`?after=${cursor}&limit=10`);
      collected.push(...current.messages);
      if (current.nextCursor) expect(current.nextCursor).toBe(current.messages.at(-1)!.id);
      cursor = current.nextCursor;
      if (++pages > 10) throw new Error('catch-up does not terminate');
    }
    expect(pages).toBe(3);
    expect(collected.map((m) => m.id)).toEqual(sent.slice(start + 1).map((m) => m.id));

    const firstAfter = await page(`?after=${sent[0]!.id}&limit=3`);
    expect(firstAfter.messages.map((m) => m.content)).toEqual(['message 2', 'message 3', 'message 4']);
    expect(firstAfter.nextCursor).toBe(sent[3]!.id);

    const afterNewest = await page(`?after=${sent.at(-1)!.id}`);
    expect(afterNewest).toEqual({ messages: [], nextCursor: null });
  });

  it('walks back from and catches up after a message that was deleted since', async () => {
    const extra = await client.post(`${base}/messages`, { content: 'to be deleted' });
    const later = await client.post(`${base}/messages`, { content: 'after the deleted one' });
    expect((await client.delete(`${base}/messages/${extra.json.message.id}`)).status).toBe(204);

    const caughtUp = await page(`?after=${extra.json.message.id}`);
    expect(caughtUp.messages.map((m) => m.id)).toEqual([later.json.message.id]);
    const back = await page(`?before=${extra.json.message.id}&limit=2`);
    expect(back.messages.map((m) => m.id)).toEqual(sent.slice(-2).map((m) => m.id));

    // Tidy up so the other tests see exactly the 125 messages.
    expect((await client.delete(`${base}/messages/${later.json.message.id}`)).status).toBe(204);
    expect((await page('?limit=200')).messages).toHaveLength(TOTAL);
  });

  it('answers 400 for bad limits, malformed cursors and before with after', async () => {
    const bad = [
      ['?limit=0', 'limit'],
      ['?limit=201', 'limit'],
      ['?limit=abc', 'limit'],
      ['?limit=-5', 'limit'],
      ['?limit=2.5', 'limit'],
      ['?limit=', 'limit'],
      ['?before=not-a-uuid', 'before'],
      ['?after=123', 'after'],
      [`?before=${sent[10]!.id}&after=${sent[5]!.id}`, 'after'],
    ] as const;
    for (const [query, field] of bad) {
      const res = await client.get(`${base}/messages${query}`);
      expect([query, res.status]).toEqual([query, 400]);
      expect(res.json.error.code).toBe('invalid_request');
      expect(Object.keys(res.json.error.details)).toContain(field);
    }
  });

  it('does not leak history across channels', async () => {
    const other = await client.post('/api/channels', { name: 'quiet' });
    const quiet = `/api/channels/${other.json.channel.id}/messages`;
    expect((await client.get(quiet)).json).toEqual({ messages: [], nextCursor: null });
    // A cursor from another channel only marks a position; it never pulls that channel's messages in.
    const res = await client.get(`${quiet}?before=${sent.at(-1)!.id}`);
    expect(res.json).toEqual({ messages: [], nextCursor: null });
  });
});
