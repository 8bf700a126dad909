import { cacheKeys } from '@/lib/cache/channel-cache';
import type { ApiClient } from '../helpers/api-client';
import { testDatabaseKinds } from '../helpers/database';
import { useHub } from '../helpers/hub';
import { person as makePerson, uniqueName } from '../helpers/people';

/** Some letters of the id upper-cased: `first` of them, or every other one. Postgres reads all as the same UUID. */
const recase = (id: string, upperIf: (letter: number) => boolean) => {
  let letter = 0;
  return [...id].map((c) => (/[a-f]/.test(c) && upperIf(letter++) ? c.toUpperCase() : c)).join('');
};
const upper = (id: string) => id.toUpperCase();
const mixed = (id: string) => recase(id, (letter) => letter % 2 === 0);
const spellings = (id: string) => [id, upper(id), mixed(id)];

type Person = Awaited<ReturnType<typeof makePerson>>;
const ids = (res: { json: { messages: { id: string }[] } }) => res.json.messages.map((m) => m.id);

describe.each(testDatabaseKinds())('ids in any case (%s)', (kind) => {
  const hub = useHub(kind);
  const person = (name: string) => makePerson(hub, name);

  /** Ada's channel with Bob in it, two messages from Ada, and Eve who belongs to nothing. */
  async function room() {
    const [ada, bob, eve] = [await person('Ada'), await person('Bob'), await person('Eve')];
    const channelId: string = (await ada.client.post('/api/channels', { name: uniqueName('case') })).json.channel.id;
    expect((await ada.client.post(`/api/channels/${channelId}/members`, { email: bob.user.email })).status).toBe(201);
    const first: string = (await ada.client.post(`/api/channels/${channelId}/messages`, { content: 'first, soon deleted' })).json.message.id;
    const second: string = (await ada.client.post(`/api/channels/${channelId}/messages`, { content: 'second' })).json.message.id;
    return { ada, bob, eve, channelId, first, second };
  }

  it('lets a member read and send through any spelling, and refuses every spelling once they are removed', async () => {
    const { ada, bob, eve, channelId, first, second } = await room();
    const loud = `/api/channels/${upper(channelId)}`;

    // The reads that filled the cache under the spelling as typed, in the hole this closes.
    for (const path of spellings(channelId).map((id) => `/api/channels/${id}/messages`)) {
      const read = await bob.client.get(path);
      expect([path, read.status]).toEqual([path, 200]);
      expect(ids(read)).toEqual([first, second]);
    }
    expect((await bob.client.get(`${loud}/messages`)).headers.get('x-cache')).toBe('HIT');
    const detail = await bob.client.get(loud);
    expect(detail.status).toBe(200);
    expect(detail.json.channel.id).toBe(channelId);
    const sent = await bob.client.post(`${loud}/messages`, { content: 'from Bob, loudly' });
    expect(sent.status).toBe(201);
    expect(sent.json.message.channelId).toBe(channelId);

    // The owner deletes a message (as the app does, in lowercase): gone from every spelling.
    expect((await ada.client.delete(`/api/channels/${channelId}/messages/${first}`)).status).toBe(204);
    for (const id of spellings(channelId)) {
      const read = await bob.client.get(`/api/channels/${id}/messages`);
      expect(read.status).toBe(200);
      expect(ids(read)).toEqual([second, sent.json.message.id]);
    }

    // Removed: no spelling answers, neither from the cache (never a HIT) nor for a send.
    expect((await ada.client.delete(`/api/channels/${channelId}/members/${bob.user.id}`)).status).toBe(204);
    for (const id of spellings(channelId)) {
      const read = await bob.client.get(`/api/channels/${id}/messages`);
      expect([id, read.status, read.headers.get('x-cache')]).toEqual([id, 404, null]);
      expect((await bob.client.post(`/api/channels/${id}/messages`, { content: 'still here?' })).status).toBe(404);
      expect((await bob.client.get(`/api/channels/${id}`)).status).toBe(404);
      expect((await eve.client.get(`/api/channels/${id}/messages`)).status).toBe(404);
      expect((await eve.client.post(`/api/channels/${id}/messages`, { content: 'let me in' })).status).toBe(404);
    }
    expect(ids(await ada.client.get(`/api/channels/${channelId}/messages`))).toEqual([second, sent.json.message.id]);
  });

  it('pages the same with a capitalized cursor as with the lowercase one, from the cache and after it was dropped', async () => {
    const { ada, channelId } = await room();
    for (let i = 0; i < 10; i++) await ada.client.post(`/api/channels/${channelId}/messages`, { content: `m${i}` });
    const base = `/api/channels/${channelId}/messages`;
    const newest = await ada.client.get(`${base}?limit=4`);
    const cursor: string = newest.json.nextCursor;
    const middle: string = newest.json.messages[1].id;
    const read = async (query: string, cold: boolean) => {
      if (cold) await hub.cache.backend.deleteByPrefix(`channel:${channelId}:`);
      return ada.client.get(`${base}?${query}`);
    };
    for (const [query, cold] of [`before=${cursor}&limit=3`, `after=${middle}&limit=2`, `after=${cursor}`].flatMap((q) => [[q, false], [q, true]] as const)) {
      const expected = await read(query, cold);
      expect([query, expected.status, expected.headers.get('x-cache')]).toEqual([query, 200, cold ? 'MISS' : 'HIT']);
      for (const spelled of [upper, mixed]) {
        const page = await read(query.replace(/=([0-9a-f-]{36})/, (_, id: string) => `=${spelled(id)}`), cold);
        expect([query, page.status, page.headers.get('x-cache')]).toEqual([query, 200, expected.headers.get('x-cache')]);
        expect(ids(page)).toEqual(ids(expected));
        expect(page.json.nextCursor).toBe(expected.json.nextCursor);
      }
    }
  });

  it('keeps one history cache entry per channel, whatever the spellings read', async () => {
    const { bob, channelId } = await room();
    const variants = Array.from({ length: 12 }, (_, n) => recase(channelId, (letter) => letter < n));
    for (const id of variants) expect((await bob.client.get(`/api/channels/${id}/messages`)).status).toBe(200);
    for (const id of [...new Set(variants)].filter((v) => v !== channelId)) {
      expect(await hub.cache.backend.get(cacheKeys.windowVersion(id))).toBeNull();
      expect(await hub.cache.backend.deleteByPrefix(`channel:${id}:`)).toBe(0);
    }
    expect(await hub.cache.backend.deleteByPrefix(`channel:${channelId}:`)).toBeGreaterThan(0);
  });

  it('resolves every id of every hub route in any case, and 404s them all for a stranger', async () => {
    const { ada, eve, channelId, second } = await room();
    const agent = (await ada.client.post('/api/agents', { name: 'Helper', handle: 'helper', instructions: 'Help.' })).json.agent;
    const key = (await ada.client.post('/api/keys', { name: 'case' })).json.key;

    // Every route with an id in its path or body, with the ids spelled loudly: what the owner gets.
    const calls: [string, string, unknown?][] = [
      ['GET', `/api/channels/${mixed(channelId)}`],
      ['POST', `/api/channels/${upper(channelId)}/members`, { agentId: upper(agent.id) }],
      ['PATCH', `/api/channels/${mixed(channelId)}`, { answerMode: 'lead', leadAgentId: mixed(agent.id) }],
      ['PATCH', `/api/channels/${upper(channelId)}/messages/${mixed(second)}`, { content: 'second, edited' }],
      ['POST', `/api/channels/${upper(channelId)}/messages/${upper(second)}/stop`],
      ['POST', `/api/channels/${mixed(channelId)}/messages/${upper(second)}/retry`],
      ['GET', `/api/agents/${upper(agent.id)}`],
      ['PATCH', `/api/agents/${mixed(agent.id)}`, { description: 'helps' }],
    ];
    const answer = (client: ApiClient, [method, path, body]: [string, string, unknown?]) => client.request(method, path, body);
    const statuses: number[] = [];
    for (const call of calls) {
      const res = await answer(eve.client, call);
      expect([call[1], res.status]).toEqual([call[1], 404]);
      statuses.push((await answer(ada.client, call)).status);
    }
    // A human message is no reply to stop or retry (409): found, in the canonical spelling.
    expect(statuses).toEqual([200, 201, 200, 200, 409, 409, 200, 200]);
    const channel = (await ada.client.get(`/api/channels/${channelId}`)).json;
    expect(channel.channel).toMatchObject({ answerMode: 'lead', leadAgentId: agent.id });
    expect(channel.members.map((m: { id: string }) => m.id)).toContain(agent.id);
    expect((await ada.client.get(`/api/channels/${channelId}/messages`)).json.messages.at(-1).content).toBe('second, edited');

    // And the deletes, each followed by a lowercase read that proves it happened.
    for (const path of [`/api/keys/${upper(key.id)}`, `/api/channels/${upper(channelId)}/members/${mixed(agent.id)}`, `/api/agents/${upper(agent.id)}`, `/api/channels/${mixed(channelId)}/messages/${upper(second)}`]) {
      expect([path, (await eve.client.delete(path)).status]).toEqual([path, 404]);
      expect([path, (await ada.client.delete(path)).status]).toEqual([path, 204]);
    }
    expect((await ada.client.get('/api/keys')).json.keys.find((k: { id: string }) => k.id === key.id)).toBeUndefined();
    expect((await ada.client.get(`/api/agents/${agent.id}`)).status).toBe(404);
    expect((await ada.client.get(`/api/channels/${channelId}/messages`)).json.messages.map((m: { id: string }) => m.id)).not.toContain(second);
    expect((await eve.client.delete(`/api/channels/${upper(channelId)}`)).status).toBe(404);
    expect((await ada.client.delete(`/api/channels/${upper(channelId)}`)).status).toBe(204);
    expect((await ada.client.get(`/api/channels/${channelId}`)).status).toBe(404);
  });

  it('resolves ids in any case in the public API, for its owner and for a member until they are removed', async () => {
    const { ada, bob, eve, channelId } = await room();
    const agent = (await ada.client.post('/api/agents', { name: 'Oracle', handle: 'oracle', instructions: 'Answer.' })).json.agent;
    expect((await ada.client.post(`/api/channels/${channelId}/members`, { agentId: agent.id })).status).toBe(201);
    const keyOf = async (someone: Person) => (await someone.client.post('/api/keys', { name: 'case' })).json.secret as string;
    const [adaKey, bobKey, eveKey] = [await keyOf(ada), await keyOf(bob), await keyOf(eve)];
    const v1 = (key: string, path: string, body: unknown) =>
      fetch(`${hub.server.url}/api/v1${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const ask = { messages: [{ role: 'user', content: 'Hello?' }] };
    const agentCalls = [
      [`/agents/${upper(agent.id)}/chat`, ask],
      ['/chat/completions', { model: `agent:${upper(agent.id)}`, ...ask }],
      ['/chat/completions', { model: `AGENT:${mixed(agent.id)}`, ...ask }],
    ] as const;
    const channelCalls = [
      [`/channels/${upper(channelId)}/query`, { question: 'Hello?' }],
      ['/chat/completions', { model: `channel:${mixed(channelId)}`, ...ask }],
    ] as const;

    for (const [path, body] of agentCalls) {
      expect([path, (await v1(adaKey, path, body)).status]).toEqual([path, 200]);
      expect([path, (await v1(eveKey, path, body)).status]).toEqual([path, 404]);
    }
    for (const [path, body] of channelCalls) {
      expect([path, (await v1(bobKey, path, body)).status]).toEqual([path, 200]);
      expect([path, (await v1(eveKey, path, body)).status]).toEqual([path, 404]);
    }
    expect((await ada.client.delete(`/api/channels/${channelId}/members/${bob.user.id}`)).status).toBe(204);
    for (const [path, body] of channelCalls) expect([path, (await v1(bobKey, path, body)).status]).toEqual([path, 404]);
  });
});
