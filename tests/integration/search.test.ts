import { sql } from 'drizzle-orm';
import { insertInOrder } from '@/lib/messages/insert';
import type { ApiClient } from '../helpers/api-client';
import { testDatabaseKinds } from '../helpers/database';
import { useHub } from '../helpers/hub';
import { person, uniqueName } from '../helpers/people';

type Result = { message: { id: string; content: string; channelId: string; threadId?: string; author: { name: string } }; channel: { id: string; name: string }; highlight: string };

describe.each(testDatabaseKinds())('message search over HTTP (%s)', (kind) => {
  const hub = useHub(kind);
  let ada: { client: ApiClient; user: { id: string; name: string; email: string } };
  let bob: { client: ApiClient; user: { id: string; name: string; email: string } };
  let general: { id: string; name: string };
  let random: { id: string; name: string };
  let secret: { id: string; name: string };
  const sent: Record<string, string> = {};

  async function send(client: ApiClient, channelId: string, content: string) {
    const res = await client.post(`/api/channels/${channelId}/messages`, { content });
    if (res.status !== 201) throw new Error(`send failed: ${res.status} ${res.text}`);
    sent[content] = res.json.message.id;
    return res.json.message.id as string;
  }

  const search = async (client: ApiClient, query: Record<string, string | number>) => {
    const res = await client.get(`/api/search?${new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]))}`);
    return res;
  };
  const contents = async (client: ApiClient, q: string, extra: Record<string, string | number> = {}) => {
    const res = await search(client, { q, ...extra });
    expect(res.status).toBe(200);
    return (res.json.results as Result[]).map((r) => r.message.content);
  };

  beforeAll(async () => {
    ada = await person(hub, 'Ada Lovelace');
    bob = await person(hub, 'Bob');
    const make = async (client: ApiClient, prefix: string) => (await client.post('/api/channels', { name: uniqueName(prefix) })).json.channel;
    general = await make(ada.client, 'general');
    random = await make(ada.client, 'random');
    secret = await make(bob.client, 'secret');
    expect((await ada.client.post(`/api/channels/${general.id}/members`, { email: bob.user.email })).status).toBe(201);

    await send(ada.client, general.id, 'The deploy runs every night at two');
    await send(bob.client, general.id, 'I was running the migration by hand');
    await send(ada.client, random.id, 'Lunch is pizza today, the deploy can wait');
    await send(ada.client, general.id, 'An <b>bold</b> claim about the "release train"');
    await send(bob.client, secret.id, 'The deploy password is hunter2');
  });

  it('matches stems, lists newest first, and names the channel and author', async () => {
    const res = await search(ada.client, { q: 'running' });
    expect(res.status).toBe(200);
    const results = res.json.results as Result[];
    // "running" finds "runs" and "running": both stem to "run".
    expect(results.map((r) => r.message.content)).toEqual(['I was running the migration by hand', 'The deploy runs every night at two']);
    expect(results[0]!.channel).toEqual({ id: general.id, name: general.name });
    expect(results[0]!.message.author.name).toBe('Bob');
    expect(results[0]!.highlight).toContain('<mark>running</mark>');
    expect(results[1]!.highlight).toContain('<mark>runs</mark>');
  });

  it("never returns a message of a channel the caller is not in, and stops at once when they are removed", async () => {
    expect(await contents(ada.client, 'deploy')).toEqual(['Lunch is pizza today, the deploy can wait', 'The deploy runs every night at two']);
    expect(await contents(bob.client, 'deploy')).toEqual(['The deploy password is hunter2', 'The deploy runs every night at two']);
    // A channel of someone else's, named or by id, is as unknown as one that does not exist.
    expect(await contents(ada.client, `deploy in:#${secret.name}`)).toEqual([]);
    expect((await search(ada.client, { q: 'deploy', channelId: secret.id })).status).toBe(404);

    expect((await ada.client.delete(`/api/channels/${general.id}/members/${bob.user.id}`)).status).toBe(204);
    expect(await contents(bob.client, 'deploy')).toEqual(['The deploy password is hunter2']);
    expect(await contents(bob.client, 'running')).toEqual([]);
    expect((await search(bob.client, { q: 'deploy', channelId: general.id })).status).toBe(404);
    expect((await ada.client.post(`/api/channels/${general.id}/members`, { email: bob.user.email })).status).toBe(201);
    expect(await contents(bob.client, 'running')).toEqual(['I was running the migration by hand', 'The deploy runs every night at two']);
  });

  it('narrows by in:#channel, channelId, from:@name and from:@handle', async () => {
    expect(await contents(ada.client, `deploy in:#${random.name}`)).toEqual(['Lunch is pizza today, the deploy can wait']);
    expect(await contents(ada.client, `deploy in:${general.name.toUpperCase()}`)).toEqual(['The deploy runs every night at two']);
    expect(await contents(ada.client, 'deploy', { channelId: random.id })).toEqual(['Lunch is pizza today, the deploy can wait']);
    expect(await contents(ada.client, 'in:#no-such-channel deploy')).toEqual([]);

    expect(await contents(ada.client, 'from:@bob')).toEqual(['I was running the migration by hand']);
    expect(await contents(ada.client, 'run from:@ada')).toEqual(['The deploy runs every night at two']);
    expect(await contents(ada.client, 'run from:@adalovelace')).toEqual(['The deploy runs every night at two']);
    expect(await contents(ada.client, 'run from:@"Ada Lovelace"')).toEqual(['The deploy runs every night at two']);
    expect(await contents(ada.client, 'from:@nobody')).toEqual([]);

    const agent = (await ada.client.post('/api/agents', { name: 'Scribe', handle: 'scribe', instructions: '', model: 'offline' })).json.agent;
    await insertInOrder(hub.db.db, general.id, { authorKind: 'agent', authorAgentId: agent.id, content: 'Minutes: the deploy moved to Friday' });
    expect(await contents(ada.client, 'deploy from:@scribe')).toEqual(['Minutes: the deploy moved to Friday']);
    expect(await contents(ada.client, 'deploy from:@Scribe in:#' + general.name)).toEqual(['Minutes: the deploy moved to Friday']);
  });

  it('matches quoted phrases in order and excludes -words', async () => {
    expect(await contents(ada.client, '"release train"')).toEqual(['An <b>bold</b> claim about the "release train"']);
    expect(await contents(ada.client, '"train release"')).toEqual([]);
    expect(await contents(ada.client, 'deploy -pizza', { channelId: random.id })).toEqual([]);
  });

  it('filters by before:, after: and on: (UTC days)', async () => {
    const channel = (await ada.client.post('/api/channels', { name: uniqueName('dates') })).json.channel;
    const days = ['2026-03-01', '2026-03-02', '2026-03-03'];
    for (const day of days) {
      const id = await send(ada.client, channel.id, `standup notes for ${day}`);
      await hub.db.db.execute(sql`update messages set created_at = ${`${day}T12:00:00Z`}::timestamptz where id = ${id}`);
    }
    const q = (filter: string) => contents(ada.client, `standup ${filter}`, { channelId: channel.id });
    expect(await q('on:2026-03-02')).toEqual(['standup notes for 2026-03-02']);
    expect(await q('before:2026-03-02')).toEqual(['standup notes for 2026-03-01']);
    expect(await q('after:2026-03-02')).toEqual(['standup notes for 2026-03-03']);
    expect(await q('after:2026-03-01 before:2026-03-03')).toEqual(['standup notes for 2026-03-02']);
    expect(await q('after:2026-02-01')).toEqual(days.map((d) => `standup notes for ${d}`).reverse());
  });

  it('highlights with <mark> only, the message text escaped', async () => {
    const [result] = (await search(ada.client, { q: 'bold claim' })).json.results as Result[];
    expect(result!.highlight).toBe('An &lt;b&gt;<mark>bold</mark>&lt;/b&gt; <mark>claim</mark> about the &quot;release train&quot;');
    // A long message is cut to a snippet around its first match.
    await send(ada.client, random.id, `${'filler words here '.repeat(40)}the needle is <script>here</script> ${'and more text '.repeat(40)}`);
    const [long] = (await search(ada.client, { q: 'needle' })).json.results as Result[];
    expect(long!.highlight).toMatch(/^… \w+ .* the <mark>needle<\/mark> is &lt;script&gt;here&lt;\/script&gt; and more .* …$/);
    expect(long!.highlight.replace(/<\/?mark>|&\w+;/g, '').length).toBeLessThan(260);
  });

  it('says which thread a reply is in', async () => {
    const parent = await send(ada.client, random.id, 'Thread about the quarterly budget');
    const [reply] = await insertInOrder(hub.db.db, random.id, { authorKind: 'user', authorUserId: ada.user.id, content: 'The budget spreadsheet is attached', threadId: parent });
    const results = (await search(ada.client, { q: 'budget spreadsheet' })).json.results as Result[];
    expect(results.map((r) => [r.message.id, r.message.threadId])).toEqual([[reply!.id, parent]]);
  });

  it('answers 400 invalid_request with details for bad input', async () => {
    const cases: Record<string, string | number>[] = [
      { q: '' },
      { q: '   ' },
      {},
      { q: 'x'.repeat(501) },
      { q: 'deploy', limit: 0 },
      { q: 'deploy', limit: 51 },
      { q: 'deploy', limit: 'ten' },
      { q: 'deploy', channelId: 'not-an-id' },
      { q: 'deploy before:2026-13-01' },
      { q: 'deploy on:2026-02-30' },
      { q: 'deploy after:yesterday' },
      { q: 'deploy from:' },
      { q: 'deploy from:@' },
    ];
    for (const query of cases) {
      const res = await search(ada.client, query);
      expect([JSON.stringify(query), res.status, res.json?.error?.code]).toEqual([JSON.stringify(query), 400, 'invalid_request']);
      expect(res.json.error.details).toBeDefined();
    }
    const dated = await search(ada.client, { q: 'deploy on:2026-02-30' });
    expect(dated.json.error.details.q[0]).toContain('on: needs a date as YYYY-MM-DD');
    expect((await hub.client().get('/api/search?q=deploy')).status).toBe(401);
  });

  it('keeps to the limit', async () => {
    const channel = (await ada.client.post('/api/channels', { name: uniqueName('many') })).json.channel;
    for (let i = 0; i < 5; i++) await send(ada.client, channel.id, `ticket number ${i}`);
    expect(await contents(ada.client, 'ticket', { channelId: channel.id, limit: 2 })).toEqual(['ticket number 4', 'ticket number 3']);
  });

  it('finds people who share a channel, by part of their name', async () => {
    const res = await ada.client.get('/api/search/people?q=bo');
    expect(res.status).toBe(200);
    expect(res.json.people).toEqual([{ id: bob.user.id, name: 'Bob' }]);
    const stranger = await person(hub, 'Boris');
    expect((await ada.client.get('/api/search/people?q=bo')).json.people.map((p: { name: string }) => p.name)).toEqual(['Bob']);
    expect((await stranger.client.get('/api/search/people?q=ada')).json.people).toEqual([]);
    expect((await ada.client.get('/api/search/people?q=')).status).toBe(400);
  });
});

describe.each(testDatabaseKinds())('history around a message (%s)', (kind) => {
  const hub = useHub(kind);
  let owner: { client: ApiClient; user: { id: string } };
  let channelId: string;
  const ids: string[] = [];

  beforeAll(async () => {
    owner = await person(hub, 'Olive');
    channelId = (await owner.client.post('/api/channels', { name: uniqueName('around') })).json.channel.id;
    for (let i = 0; i < 30; i++) ids.push((await owner.client.post(`/api/channels/${channelId}/messages`, { content: `line ${i}` })).json.message.id);
  }, 60_000);

  const around = (id: string, limit?: number) => owner.client.get(`/api/channels/${channelId}/messages?around=${id}${limit ? `&limit=${limit}` : ''}`);

  it('centres the page on the message, with a cursor each way that continues it', async () => {
    const res = await around(ids[15]!, 9);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-cache')).toBe('BYPASS');
    expect(res.json.messages.map((m: { content: string }) => m.content)).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19].map((i) => `line ${i}`));
    expect(res.json.targetId).toBe(ids[15]);
    expect(res.json.nextCursor).toBe(ids[11]);
    expect(res.json.prevCursor).toBe(ids[19]);

    const older = await owner.client.get(`/api/channels/${channelId}/messages?before=${res.json.nextCursor}&limit=3`);
    expect(older.json.messages.map((m: { id: string }) => m.id)).toEqual(ids.slice(8, 11));
    const newer = await owner.client.get(`/api/channels/${channelId}/messages?after=${res.json.prevCursor}&limit=3`);
    expect(newer.json.messages.map((m: { id: string }) => m.id)).toEqual(ids.slice(20, 23));
  });

  it('has null cursors at either end of the channel', async () => {
    const first = await around(ids[0]!, 9);
    expect(first.json.messages.map((m: { id: string }) => m.id)).toEqual(ids.slice(0, 5));
    expect(first.json.nextCursor).toBeNull();
    expect(first.json.prevCursor).toBe(ids[4]);
    const last = await around(ids[29]!, 9);
    expect(last.json.messages.map((m: { id: string }) => m.id)).toEqual(ids.slice(25, 30));
    expect(last.json.nextCursor).toBe(ids[25]);
    expect(last.json.prevCursor).toBeNull();
    const whole = await around(ids[10]!, 200);
    expect(whole.json.messages).toHaveLength(30);
    expect([whole.json.nextCursor, whole.json.prevCursor]).toEqual([null, null]);
  });

  it("finds a thread reply at its parent's place, and says which thread", async () => {
    const [reply] = await insertInOrder(hub.db.db, channelId, { authorKind: 'user', authorUserId: owner.user.id, content: 'a reply', threadId: ids[5] });
    const res = await around(reply!.id, 5);
    expect(res.status).toBe(200);
    expect(res.json.targetId).toBe(ids[5]);
    expect(res.json.threadId).toBe(ids[5]);
    // Top-level messages only: the reply is not among them.
    expect(res.json.messages.map((m: { id: string }) => m.id)).toEqual(ids.slice(3, 8));
  });

  it('answers 404 for a message of another channel and to a non-member, 400 for a malformed id', async () => {
    const other = (await owner.client.post('/api/channels', { name: uniqueName('other') })).json.channel.id;
    const foreign = (await owner.client.post(`/api/channels/${other}/messages`, { content: 'elsewhere' })).json.message.id;
    expect((await around(foreign)).status).toBe(404);
    expect((await around('0190a5c4-0000-7000-8000-000000000000')).status).toBe(404);
    const stranger = await person(hub, 'Stranger');
    expect((await stranger.client.get(`/api/channels/${channelId}/messages?around=${ids[3]}`)).status).toBe(404);
    const bad = await around('nope');
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('invalid_request');
  });
});
