import http from 'node:http';
import { testDatabaseKinds } from '../helpers/database';
import { useHub } from '../helpers/hub';

/** Sends a body with chunked transfer encoding, so no Content-Length announces its size. */
function postChunked(url: string, cookie: string, totalBytes: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked', cookie } }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.write('{"content":"');
    const chunk = 'x'.repeat(8192);
    for (let sent = 0; sent < totalBytes; sent += chunk.length) req.write(chunk);
    req.end('"}');
  });
}

describe.each(testDatabaseKinds())('input hardening (%s)', (kind) => {
  const hub = useHub(kind);

  it('answers 400, not 500, for NUL characters anywhere a text is stored or looked up', async () => {
    const nul = '\u0000';
    const signUp = await hub.client().post('/api/auth/sign-up', { name: `Eve${nul}`, email: 'eve@example.com', password: 'long enough' });
    expect(signUp.status).toBe(400);
    expect(signUp.json.error.details.name).toEqual(['Text cannot contain NUL characters.']);
    expect((await hub.client().post('/api/auth/sign-in', { email: `eve${nul}@example.com`, password: 'x' })).status).toBe(400);

    const api = hub.client();
    await api.signUp('Nora');
    expect((await api.post('/api/channels', { name: `bad${nul}name` })).status).toBe(400);
    const { json } = await api.post('/api/channels', { name: 'fine' });
    const channelId = json.channel.id;
    expect((await api.patch(`/api/channels/${channelId}`, { description: `a${nul}b` })).status).toBe(400);
    const send = await api.post(`/api/channels/${channelId}/messages`, { content: `hello${nul}` });
    expect(send.status).toBe(400);
    expect(send.json.error.code).toBe('invalid_request');
    expect((await api.post(`/api/channels/${channelId}/messages`, { content: 'hi', clientId: `c${nul}` })).status).toBe(400);
  });

  it('stops reading a chunked body at the size cap with 413', async () => {
    const api = hub.client();
    await api.signUp('Chunky');
    const { json } = await api.post('/api/channels', { name: 'big' });
    const res = await postChunked(`${hub.server.url}/api/channels/${json.channel.id}/messages`, api.cookie, 512 * 1024);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error.code).toBe('payload_too_large');
  });

  it('counts text of only zero-width or invisible characters as blank: messages, edits, channel and agent names, API questions', async () => {
    const blank = '\u200b\u200d\u2060\ufeff\u00ad\u180e\u2063\ufe0f\u202e\u2066 ';
    const api = hub.client();
    await api.signUp('Ghost');
    const { json } = await api.post('/api/channels', { name: 'visible' });
    const channelId = json.channel.id;
    const base = `/api/channels/${channelId}/messages`;

    const send = await api.post(base, { content: blank });
    expect([send.status, send.json.error.details.content]).toEqual([400, ['A message cannot be empty.']]);
    const messageId = (await api.post(base, { content: 'real words' })).json.message.id;
    const edit = await api.patch(`${base}/${messageId}`, { content: '\u200b' });
    expect([edit.status, edit.json.error.details.content]).toEqual([400, ['A message cannot be empty.']]);
    expect((await api.get(base)).json.messages.map((m: { content: string }) => m.content)).toEqual(['real words']);

    expect((await api.post('/api/channels', { name: blank })).json.error.details.name).toEqual(['Enter a channel name.']);
    expect((await api.patch(`/api/channels/${channelId}`, { name: '\u200c' })).status).toBe(400);
    expect((await api.post('/api/agents', { name: blank, handle: 'ghost', instructions: 'Boo.' })).json.error.details.name).toEqual(['Enter a name.']);
    const agent = (await api.post('/api/agents', { name: 'Casper', handle: 'casper', instructions: 'Boo.' })).json.agent;
    expect((await api.patch(`/api/agents/${agent.id}`, { name: '\ufeff' })).status).toBe(400);
    expect((await api.get(`/api/agents/${agent.id}`)).json.agent.name).toBe('Casper');

    expect((await api.post(`/api/channels/${channelId}/members`, { agentId: agent.id })).status).toBe(201);
    const secret = (await api.post('/api/keys', { name: 'ghost' })).json.secret;
    const v1 = (path: string, body: unknown) =>
      fetch(`${hub.server.url}/api/v1${path}`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await v1(`/channels/${channelId}/query`, { question: blank })).status).toBe(400);
    expect((await v1('/chat/completions', { model: `channel:${channelId}`, messages: [{ role: 'user', content: blank }] })).status).toBe(400);
  });

  it('refuses absurd whitespace padding around a message', async () => {
    const api = hub.client();
    await api.signUp('Padder');
    const { json } = await api.post('/api/channels', { name: 'pad' });
    const res = await api.post(`/api/channels/${json.channel.id}/messages`, { content: `hi${' '.repeat(30_000)}` });
    expect(res.status).toBe(400);
  });
});
