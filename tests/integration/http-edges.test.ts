import http from 'node:http';
import { resetEnv } from '@/lib/env';
import { MAX_BODY_BYTES } from '@/lib/http/route';
import type { ApiClient } from '../helpers/api-client';
import { testDatabaseKinds } from '../helpers/database';
import { useHub } from '../helpers/hub';
import { person, uniqueName } from '../helpers/people';

type Raw = { status: number; headers: http.IncomingHttpHeaders; text: string; json: any };

/** One request over a raw socket: any method (fetch refuses TRACE), any headers, any body. */
function raw(url: string, method: string, headers: Record<string, string> = {}, body?: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Sends only the headers of a request that declares `declared` bytes of body, and waits for the
 * answer with the body still unsent. A server that reads the body first never answers: the
 * deadline turns that into a failure instead of a hung test.
 */
function headersOnly(url: string, headers: Record<string, string>, declared: number): Promise<Raw | 'no answer while the body was unsent'> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { ...headers, 'content-length': String(declared) } });
    const deadline = setTimeout(() => {
      req.destroy();
      resolve('no answer while the body was unsent');
    }, 15_000);
    req.on('response', (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => {
        clearTimeout(deadline);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: JSON.parse(text) });
      });
    });
    req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
    req.flushHeaders();
  });
}

/** A body sent in chunks with no Content-Length, so only reading it can tell its size. */
function chunked(url: string, headers: Record<string, string>, prefix: string, padding: number, suffix: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' } }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.write(prefix);
    const piece = 'x'.repeat(16 * 1024);
    for (let sent = 0; sent < padding; sent += piece.length) req.write(piece);
    req.end(suffix);
  });
}

const API_CAP = 256 * 1024;
const saved = { API_MAX_BODY_BYTES: process.env.API_MAX_BODY_BYTES, REALTIME_ALLOWED_ORIGINS: process.env.REALTIME_ALLOWED_ORIGINS };

describe.each(testDatabaseKinds())('HTTP edges (%s)', (kind) => {
  // A small API cap (the default is 8 MiB) and one extra origin of the hub's own, both set for this suite.
  beforeAll(() => {
    process.env.API_MAX_BODY_BYTES = String(API_CAP);
    process.env.REALTIME_ALLOWED_ORIGINS = 'https://app.neurocache.test';
    resetEnv();
  });
  afterAll(() => {
    for (const [name, value] of Object.entries(saved)) if (value === undefined) delete process.env[name];
    else process.env[name] = value;
    resetEnv();
  });
  const hub = useHub(kind);

  async function signedIn() {
    const { client, user } = await person(hub, 'Edge');
    const channelId: string = (await client.post('/api/channels', { name: uniqueName('edge') })).json.channel.id;
    return { client, user, channelId, cookie: { cookie: client.cookie } };
  }
  const channelNames = async (client: ApiClient) => (await client.get('/api/channels')).json.channels.map((c: { name: string }) => c.name);
  const contents = async (client: ApiClient, channelId: string) => (await client.get(`/api/channels/${channelId}/messages`)).json.messages.map((m: { content: string }) => m.content);

  async function keyed() {
    const { client } = await person(hub, 'Keyed');
    const agent = (await client.post('/api/agents', { name: 'Echo', handle: 'echo', instructions: 'Echo.' })).json.agent;
    const secret: string = (await client.post('/api/keys', { name: 'edge' })).json.secret;
    return { agent, auth: { authorization: `Bearer ${secret}` } };
  }

  it('refuses bodies that are not JSON with 415 unsupported_media_type; JSON in any spelling passes; bodiless requests need no type', async () => {
    const { client, channelId, cookie } = await signedIn();
    const url = `${hub.server.url}/api/channels`;
    for (const type of ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp', 'text/json']) {
      const res = await raw(url, 'POST', { ...cookie, 'content-type': type }, JSON.stringify({ name: 'not json' }));
      expect([type, res.status, res.json?.error?.code]).toEqual([type, 415, 'unsupported_media_type']);
    }
    expect((await raw(url, 'POST', cookie, JSON.stringify({ name: 'untyped' }))).status).toBe(415);
    for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON', 'application/vnd.api+json']) {
      expect([type, (await raw(url, 'POST', { ...cookie, 'content-type': type }, JSON.stringify({ name: uniqueName('typed') }))).status]).toEqual([type, 201]);
    }
    expect(await channelNames(client)).not.toContain('not json');

    // A chunked body is held to the same rule once read.
    const chunkedText = await chunked(url, { ...cookie, 'content-type': 'text/plain' }, '{"name":"', 10, '"}');
    expect([chunkedText.status, chunkedText.json.error.code]).toEqual([415, 'unsupported_media_type']);
    expect(await channelNames(client)).not.toContain('x'.repeat(16 * 1024));

    // No body, no type: deletes, stop and retry (a bare POST, chunked or of length 0), the realtime token, sign-out.
    const messageId: string = (await client.post(`/api/channels/${channelId}/messages`, { content: 'hi' })).json.message.id;
    expect((await raw(`${hub.server.url}/api/channels/${channelId}/messages/${messageId}/stop`, 'POST', cookie)).status).toBe(409);
    expect((await raw(`${hub.server.url}/api/channels/${channelId}/messages/${messageId}/retry`, 'POST', { ...cookie, 'content-length': '0' })).status).toBe(409);
    expect((await raw(`${hub.server.url}/api/realtime/token`, 'POST', cookie)).status).toBe(200);
    expect((await raw(`${hub.server.url}/api/channels/${channelId}/messages/${messageId}`, 'DELETE', cookie)).status).toBe(204);
    expect((await raw(`${hub.server.url}/api/auth/sign-out`, 'POST', cookie)).status).toBe(204);
  });

  it('refuses a cookie mutation from another origin (403); own origins and clients without Origin pass; the keyed API needs no Origin', async () => {
    const { client, channelId, cookie } = await signedIn();
    const json = { ...cookie, 'content-type': 'application/json' };
    const post = (path: string, headers: Record<string, string>, body: unknown) => raw(`${hub.server.url}${path}`, 'POST', { ...json, ...headers }, JSON.stringify(body));
    const own = new URL(hub.server.url);

    const foreigners: Record<string, string>[] = [{ origin: 'https://evil.example' }, { origin: `http://evil.${own.host}` }, { origin: 'null' }, { 'sec-fetch-site': 'cross-site' }];
    for (const foreign of foreigners) {
      const res = await post('/api/channels', foreign, { name: 'forged channel' });
      expect([foreign, res.status, res.json.error.code]).toEqual([foreign, 403, 'forbidden']);
      // Refused with its body unread: the connection closes rather than meet the rest of the upload.
      expect(res.headers.connection).toBe('close');
      expect((await post(`/api/channels/${channelId}/messages`, foreign, { content: 'forged message' })).status).toBe(403);
      const del = await raw(`${hub.server.url}/api/channels/${channelId}`, 'DELETE', { ...cookie, ...foreign });
      expect(del.status).toBe(403);
    }
    expect(await channelNames(client)).not.toContain('forged channel');
    expect(await contents(client, channelId)).toEqual([]);

    const ours: Record<string, string>[] = [{ origin: hub.server.url }, { origin: 'https://app.neurocache.test' }, { origin: hub.server.url, 'sec-fetch-site': 'same-origin' }, {}];
    for (const mine of ours) {
      const res = await post('/api/channels', mine, { name: uniqueName('mine') });
      expect([mine, res.status, res.headers.connection]).toEqual([mine, 201, 'keep-alive']);
    }
    // Reads are not forgeries (and cross-origin pages cannot read the answers anyway).
    expect((await raw(`${hub.server.url}/api/channels`, 'GET', { ...cookie, origin: 'https://evil.example' })).status).toBe(200);

    const { agent, auth } = await keyed();
    const body = JSON.stringify({ model: `agent:${agent.id}`, messages: [{ role: 'user', content: 'hi' }] });
    const api = await raw(`${hub.server.url}/api/v1/chat/completions`, 'POST', { ...auth, 'content-type': 'application/json', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }, body);
    expect(api.status).toBe(200);
  });

  it('lets no cross-site <form> create a channel or a message', async () => {
    const { client, channelId, cookie } = await signedIn();
    // What a browser sends for a form on another site posting to the hub: that site's Origin, a
    // form encoding (text/plain can carry a JSON-looking body), and the cookie if it is the same site.
    const forms = [
      ['text/plain', '{"name":"pwned","content":"pwned","x":"=y"}'],
      ['application/x-www-form-urlencoded', 'name=pwned&content=pwned'],
      ['multipart/form-data; boundary=b', '--b\r\nContent-Disposition: form-data; name="name"\r\n\r\npwned\r\n--b\r\nContent-Disposition: form-data; name="content"\r\n\r\npwned\r\n--b--\r\n'],
    ];
    for (const [type, body] of forms) {
      for (const path of ['/api/channels', `/api/channels/${channelId}/messages`]) {
        const headers = { ...cookie, 'content-type': type! };
        const forged = await raw(`${hub.server.url}${path}`, 'POST', { ...headers, origin: 'https://sibling.example', 'sec-fetch-site': 'same-site' }, body);
        expect([path, type, forged.status]).toEqual([path, type, 403]);
        // Even from a browser that sent no Origin, the content type alone refuses it.
        expect([path, type, (await raw(`${hub.server.url}${path}`, 'POST', headers, body)).status]).toEqual([path, type, 415]);
      }
    }
    expect(await channelNames(client)).not.toContain('pwned');
    expect(await contents(client, channelId)).toEqual([]);
  });

  it('answers a method a route does not have with 405, the JSON error body and Allow; HEAD and OPTIONS as HTTP says', async () => {
    const { channelId, cookie } = await signedIn();
    const cases: [string, string, string][] = [
      ['PUT', '/api/channels', 'GET, HEAD, OPTIONS, POST'],
      ['DELETE', '/api/me', 'GET, HEAD, OPTIONS'],
      ['GET', `/api/channels/${channelId}/members/${channelId}`, 'OPTIONS, DELETE'],
      ['PATCH', '/api/v1/chat/completions', 'OPTIONS, POST'],
      ['HEAD', '/api/realtime/token', 'OPTIONS, POST'],
    ];
    for (const [method, path, allow] of cases) {
      const res = await raw(`${hub.server.url}${path}`, method, cookie);
      expect([method, path, res.status, res.headers.allow]).toEqual([method, path, 405, allow]);
      if (method !== 'HEAD') expect(res.json).toEqual({ error: { code: 'method_not_allowed', message: expect.stringContaining(allow) } });
      const options = await raw(`${hub.server.url}${path}`, 'OPTIONS');
      expect([path, options.status, options.headers.allow]).toEqual([path, 204, allow]);
    }
    const head = await raw(`${hub.server.url}/api/channels/${channelId}/messages`, 'HEAD', cookie);
    expect([head.status, head.text, head.headers['content-type'], head.headers['x-cache']]).toEqual([200, '', 'application/json', expect.stringMatching(/^(HIT|MISS)$/)]);
    expect((await raw(`${hub.server.url}/api/me`, 'HEAD')).status).toBe(401);
    // A path that does not exist is 404 for every method, never a 405.
    for (const method of ['GET', 'PUT', 'OPTIONS']) expect((await raw(`${hub.server.url}/api/no-such-thing`, method)).status).toBe(404);
  });

  it('answers TRACE, PROPFIND and other methods no route implements with the JSON error (501), never a 500 page', async () => {
    const { cookie } = await signedIn();
    for (const method of ['TRACE', 'PROPFIND', 'MKCOL', 'PURGE', 'LINK']) {
      for (const path of ['/api/channels', '/api/v1/models', '/hub']) {
        const res = await raw(`${hub.server.url}${path}`, method, cookie);
        expect([method, path, res.status, res.headers['content-type']]).toEqual([method, path, 501, 'application/json']);
        expect(res.json.error).toEqual({ code: 'not_implemented', message: expect.stringContaining(method) });
      }
    }
  });

  it('answers 413 to a declared Content-Length over the route cap before any of the body is sent', async () => {
    const { channelId, cookie } = await signedIn();
    const { auth } = await keyed();
    const json = { 'content-type': 'application/json' };
    const over = [
      [`/api/channels/${channelId}/messages`, { ...cookie, ...json }, MAX_BODY_BYTES + 1],
      ['/api/channels', { ...cookie, ...json }, 50 * 1024 * 1024],
      ['/api/v1/chat/completions', { ...auth, ...json }, API_CAP + 1],
      ['/api/v1/agents/00000000-0000-7000-8000-000000000000/chat', { ...auth, ...json }, API_CAP + 1],
      ['/api/v1/channels/00000000-0000-7000-8000-000000000000/query', { ...auth, ...json }, MAX_BODY_BYTES + 1],
    ] as const;
    for (const [path, headers, declared] of over) {
      const answer = await headersOnly(`${hub.server.url}${path}`, headers, declared);
      expect([path, answer === 'no answer while the body was unsent' ? answer : answer.status]).toEqual([path, 413]);
      if (answer !== 'no answer while the body was unsent') expect(answer.json.error.code).toBe('payload_too_large');
    }
  });

  it('gives the public chat routes API_MAX_BODY_BYTES and keeps hub routes at 64 KiB, counted as the body streams in', async () => {
    const { channelId, cookie } = await signedIn();
    const { agent, auth } = await keyed();
    const json = { 'content-type': 'application/json' };
    const conversation = (bytes: number) => JSON.stringify({ model: `agent:${agent.id}`, messages: [{ role: 'user', content: 'x'.repeat(bytes) }] });

    // Between the caps: the public route takes it, a hub route does not.
    expect((await raw(`${hub.server.url}/api/v1/chat/completions`, 'POST', { ...auth, ...json }, conversation(200 * 1024))).status).toBe(200);
    const hubSized = await raw(`${hub.server.url}/api/channels/${channelId}/messages`, 'POST', { ...cookie, ...json }, JSON.stringify({ content: 'x'.repeat(200 * 1024) }));
    expect([hubSized.status, hubSized.json.error.code]).toEqual([413, 'payload_too_large']);

    // Over the API cap without announcing it (announced, it is refused unread: see above).
    const streamed = await chunked(`${hub.server.url}/api/v1/agents/${agent.id}/chat`, { ...auth, ...json }, '{"messages":[{"role":"user","content":"', API_CAP, '"}]}');
    expect([streamed.status, streamed.json.error.code]).toEqual([413, 'payload_too_large']);
    const small = await chunked(`${hub.server.url}/api/v1/agents/${agent.id}/chat`, { ...auth, ...json }, '{"messages":[{"role":"user","content":"', 100 * 1024, '"}]}');
    expect(small.status).toBe(200);
  });
});
