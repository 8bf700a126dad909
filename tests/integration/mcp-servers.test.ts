import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { decryptHeaders } from '@/lib/abilities/mcp';
import { mcpServers } from '@/lib/db/schema';
import { foreignMcpServerIds, MAX_MCP_SERVERS_PER_PERSON, mcpServerEntriesFor } from '@/lib/mcp-servers';
import type { McpServerJson } from '@/lib/contracts/abilities';
import { testDatabaseKinds } from '../helpers/database';
import { setEnv, withEnv } from '../helpers/env';
import { useHub } from '../helpers/hub';
import { startMcpServer, type McpTestServer } from '../helpers/mcp-server';
import { isIso, person, uniqueName, uuidV7 } from '../helpers/people';

/*
 * MCP servers people add, over HTTP against the real route handlers: real MCP servers built with
 * the SDK on 127.0.0.1 (let through by OUTBOUND_ALLOW_HOSTS host:port, so every other loopback
 * port stays refused like any private address), and a stdio server as the deployment's
 * MCP_SERVERS entry.
 */

const TOKEN = 'Bearer sk-live-7f3a9c1e5b2d4f60a8c7e9b1d3f5a7c9';
const STDIO_SCRIPT = path.join(process.cwd(), 'tests/helpers/mcp-stdio-server.mjs');
const DEPLOYMENT_NAME = 'Local tools';
const DEPLOYMENT_ID = `deployment:${DEPLOYMENT_NAME}`;
const deploymentPath = (suffix = '') => `/api/mcp-servers/${encodeURIComponent(DEPLOYMENT_ID)}${suffix}`;

let open: McpTestServer;
let guarded: McpTestServer;
let gone: McpTestServer;
let restoreEnv: () => void;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nc-mcp-data-'));
const keyFile = path.join(dataDir, 'mcp-secret');

beforeAll(async () => {
  [open, guarded, gone] = await Promise.all([startMcpServer(), startMcpServer({ requireHeader: { name: 'Authorization', value: TOKEN } }), startMcpServer()]);
  // A server that was there when added and is not any more: its port stays allow-listed.
  await gone.close();
  restoreEnv = setEnv({
    OUTBOUND_ALLOW_HOSTS: [open, guarded, gone].map((server) => server.hostPort).join(','),
    OUTBOUND_TIMEOUT_MS: '5000',
    FILES_DIR: path.join(dataDir, 'files'),
    MCP_SECRET_KEY: undefined,
    MCP_SERVERS: JSON.stringify([{ name: DEPLOYMENT_NAME, command: process.execPath, args: [STDIO_SCRIPT], env: { STDIO_GREETING: 'hello' } }]),
  });
});

afterAll(async () => {
  restoreEnv();
  await Promise.all([open, guarded].map((server) => server.close()));
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe.each(testDatabaseKinds())('MCP servers over HTTP (%s)', (kind) => {
  const hub = useHub(kind);

  async function add(client: Awaited<ReturnType<typeof person>>['client'], body: Record<string, unknown>) {
    return client.post('/api/mcp-servers', body);
  }

  test('adds a server with headers: 201 with header names only, sealed at rest, and its tools get the header', async () => {
    const { client, user } = await person(hub, 'Ada');
    const name = uniqueName('GitHub');
    const created = await add(client, { name, url: guarded.url, headers: { Authorization: TOKEN, 'X-Team': 'blue-team-id' } });
    expect(created.status).toBe(201);
    const server = created.json.mcpServer as McpServerJson;
    expect(server).toEqual({ id: expect.stringMatching(uuidV7), name, url: guarded.url, headerNames: ['Authorization', 'X-Team'], source: 'user', createdAt: expect.any(String) });
    expect(isIso(server.createdAt)).toBe(true);
    expect(created.text).not.toContain('sk-live');
    expect(created.text).not.toContain('blue-team-id');

    // At rest: names in clear, values sealed under the key made once for this data folder.
    const [row] = await hub.db.db.select().from(mcpServers).where(eq(mcpServers.id, server.id));
    expect(row!.ownerId).toBe(user.id);
    expect(row!.headerNames).toEqual(['Authorization', 'X-Team']);
    expect(row!.headersSealed).toMatch(/^v1\./);
    for (const secret of ['sk-live', 'blue-team-id', Buffer.from(TOKEN).toString('base64'), Buffer.from(TOKEN).toString('base64url')]) {
      expect(JSON.stringify(row)).not.toContain(secret);
    }
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    const key = fs.readFileSync(keyFile, 'utf8').trim();
    expect(key.length).toBeGreaterThanOrEqual(32);
    expect(decryptHeaders(row!.headersSealed!, key, { context: server.id })).toEqual({ Authorization: TOKEN, 'X-Team': 'blue-team-id' });
    // Bound to its row: the blob does not open as another server's.
    expect(() => decryptHeaders(row!.headersSealed!, key, { context: 'another-id' })).toThrow(/cannot be read/);

    const listed = await client.get('/api/mcp-servers');
    expect(listed.status).toBe(200);
    expect(listed.json.mcpServers).toContainEqual(server);
    expect(listed.text).not.toContain('sk-live');

    guarded.requests.length = 0;
    const tools = await client.get(`/api/mcp-servers/${server.id}/tools`);
    expect(tools.status).toBe(200);
    const echo = (tools.json.tools as { name: string; description: string; inputSchema: { properties: Record<string, unknown> } }[]).find((tool) => tool.name === 'echo');
    expect(echo).toEqual({ name: 'echo', description: expect.stringContaining('Echoes its text back'), inputSchema: expect.objectContaining({ type: 'object' }) });
    expect(Object.keys(echo!.inputSchema.properties)).toEqual(['text', 'times']);
    expect(guarded.requests.length).toBeGreaterThan(0);
    for (const request of guarded.requests) {
      expect(request.headers.authorization).toBe(TOKEN);
      expect(request.headers['x-team']).toBe('blue-team-id');
    }
    expect(tools.text).not.toContain('sk-live');
  });

  test('a server that refuses the headers, or cannot be reached, answers 503 in words', async () => {
    const { client } = await person(hub, 'Bo');
    const wrong = await add(client, { name: uniqueName('Wrong token'), url: guarded.url, headers: { Authorization: 'Bearer nope-nope-nope' } });
    expect(wrong.status).toBe(201);
    const refused = await client.get(`/api/mcp-servers/${wrong.json.mcpServer.id}/tools`);
    expect(refused.status).toBe(503);
    expect(refused.json.error).toEqual({ code: 'unavailable', message: expect.stringMatching(/refused the hub's credentials \(401\)/), details: { reason: 'auth' } });
    expect(refused.text).not.toContain('nope-nope');

    const down = await add(client, { name: 'Gone', url: gone.url });
    expect(down.status).toBe(201);
    expect(down.json.mcpServer.headerNames).toEqual([]);
    const unreachable = await client.get(`/api/mcp-servers/${down.json.mcpServer.id}/tools`);
    expect(unreachable.status).toBe(503);
    expect(unreachable.json.error.message).toBe('The MCP server "Gone" could not be reached.');
  });

  test('refuses bad names, URLs, private addresses and headers with 400, and a taken name with 409', async () => {
    const { client } = await person(hub, 'Cy');
    const refusals: [Record<string, unknown>, string, RegExp][] = [
      [{ name: '   ', url: open.url }, 'name', /Enter a name/],
      [{ name: 'x'.repeat(81), url: open.url }, 'name', /at most 80/],
      [{ name: 'No URL' }, 'url', /./],
      [{ name: 'Bad URL', url: 'not a url' }, 'url', /not a valid web address/],
      [{ name: 'FTP', url: 'ftp://files.example.com/mcp' }, 'url', /Only http:\/\/ and https:\/\//],
      [{ name: 'Creds', url: 'https://user:pw@mcp.example.com/mcp' }, 'url', /user name or password/],
      [{ name: 'Private', url: 'http://10.1.2.3/mcp' }, 'url', /not a public address/],
      [{ name: 'Metadata', url: 'http://169.254.169.254/latest/meta-data' }, 'url', /not a public address/],
      // Loopback, on a port OUTBOUND_ALLOW_HOSTS does not name: refused like any private address.
      [{ name: 'Other port', url: 'http://127.0.0.1:1/mcp' }, 'url', /not a public address/],
      [{ name: 'IPv6 loopback', url: 'http://[::1]:8080/mcp' }, 'url', /not a public address/],
      [{ name: 'Bad header name', url: open.url, headers: { 'Bad Name': 'x' } }, 'headers', /not a valid header name/],
      [{ name: 'Reserved header', url: open.url, headers: { Host: 'evil.example' } }, 'headers', /set by the hub/],
      [{ name: 'Split header', url: open.url, headers: { 'X-Token': 'a\r\nX-Admin: yes' } }, 'headers', /control characters/],
      [{ name: 'Number header', url: open.url, headers: { 'X-Token': 42 } }, 'headers', /must be a string/],
      [{ name: 'Empty header', url: open.url, headers: { 'X-Token': '  ' } }, 'headers', /has no value/],
      [{ name: 'Twice', url: open.url, headers: { 'X-Token': 'a', 'x-token': 'b' } }, 'headers', /given twice/],
      [{ name: 'Array headers', url: open.url, headers: ['Authorization: x'] }, 'headers', /./],
      [{ name: 'Extra field', url: open.url, command: 'rm -rf /' }, '(body)', /./],
    ];
    for (const [body, field, message] of refusals) {
      const res = await add(client, body);
      expect({ body, status: res.status, code: res.json?.error?.code }).toEqual({ body, status: 400, code: 'invalid_request' });
      expect(`${res.json.error.message} ${JSON.stringify(res.json.error.details)}`).toMatch(message);
      if (field !== '(body)') expect(res.json.error.details).toHaveProperty([field]);
    }
    // Nothing of these reached a socket, nor was stored.
    expect((await client.get('/api/mcp-servers')).json.mcpServers.filter((server: McpServerJson) => server.source === 'user')).toEqual([]);

    const first = await add(client, { name: 'Search', url: open.url });
    expect(first.status).toBe(201);
    const again = await add(client, { name: 'SEARCH', url: guarded.url });
    expect(again.status).toBe(409);
    expect(again.json.error).toEqual({ code: 'conflict', message: 'You already have an MCP server named "SEARCH".' });
    // Names are unique per person: someone else may use it.
    const other = await person(hub, 'Cy2');
    expect((await add(other.client, { name: 'Search', url: open.url })).status).toBe(201);
  });

  test("another person's server is 404 for tools and delete, like one that does not exist", async () => {
    const owner = await person(hub, 'Dee');
    const stranger = await person(hub, 'Eve');
    const created = await add(owner.client, { name: 'Private tools', url: guarded.url, headers: { Authorization: TOKEN } });
    const id = created.json.mcpServer.id as string;

    guarded.requests.length = 0;
    const missing = await stranger.client.get(`/api/mcp-servers/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b/tools`);
    for (const res of [await stranger.client.get(`/api/mcp-servers/${id}/tools`), await stranger.client.delete(`/api/mcp-servers/${id}`)]) {
      expect(res.status).toBe(404);
      expect(res.json).toEqual(missing.json);
    }
    expect((await stranger.client.get('/api/mcp-servers/not-an-id/tools')).status).toBe(404);
    expect((await stranger.client.get('/api/mcp-servers')).json.mcpServers.map((server: McpServerJson) => server.id)).not.toContain(id);
    expect(guarded.requests).toEqual([]);
    // Still the owner's, untouched.
    expect((await owner.client.get(`/api/mcp-servers/${id.toUpperCase()}/tools`)).status).toBe(200);
    expect((await hub.client().get('/api/mcp-servers')).status).toBe(401);
  });

  test('deletes a server: 204, then it is gone from the list and its tools', async () => {
    const { client } = await person(hub, 'Fay');
    const created = await add(client, { name: 'Short-lived', url: open.url });
    const id = created.json.mcpServer.id as string;
    expect((await client.delete(`/api/mcp-servers/${id}`)).status).toBe(204);
    expect((await client.get('/api/mcp-servers')).json.mcpServers.map((server: McpServerJson) => server.id)).not.toContain(id);
    expect((await client.get(`/api/mcp-servers/${id}/tools`)).status).toBe(404);
    expect((await client.delete(`/api/mcp-servers/${id}`)).status).toBe(404);
    // The name is free again.
    expect((await add(client, { name: 'Short-lived', url: open.url })).status).toBe(201);
  });

  test("lists the deployment's MCP_SERVERS entries, lists their tools, and refuses to delete them", async () => {
    const { client } = await person(hub, 'Gus');
    const listed = await client.get('/api/mcp-servers');
    expect(listed.json.mcpServers).toContainEqual({ id: DEPLOYMENT_ID, name: DEPLOYMENT_NAME, headerNames: [], source: 'deployment' });
    // What the entry runs, and with which variables, is the deployment's business.
    expect(listed.text).not.toContain('mcp-stdio-server');
    expect(listed.text).not.toContain('STDIO_GREETING');

    const tools = await client.get(deploymentPath('/tools'));
    expect(tools.status).toBe(200);
    expect(tools.json.tools.map((tool: { name: string }) => tool.name).sort()).toEqual(['environment', 'reverse']);

    const removed = await client.delete(deploymentPath());
    expect(removed.status).toBe(403);
    expect(removed.json.error.message).toMatch(/MCP_SERVERS/);
    expect((await client.get('/api/mcp-servers')).json.mcpServers).toContainEqual(expect.objectContaining({ id: DEPLOYMENT_ID }));
    expect((await client.get(`/api/mcp-servers/${encodeURIComponent('deployment:nope')}/tools`)).status).toBe(404);
    expect((await client.delete(`/api/mcp-servers/${encodeURIComponent('deployment:nope')}`)).status).toBe(404);
  });

  test(`holds a person to ${MAX_MCP_SERVERS_PER_PERSON} servers`, async () => {
    const { client } = await person(hub, 'Hal');
    for (let i = 0; i < MAX_MCP_SERVERS_PER_PERSON - 2; i++) expect((await add(client, { name: `Server ${i}`, url: open.url })).status).toBe(201);
    // Four adds racing for the last two places: two get in.
    const racing = await Promise.all([0, 1, 2, 3].map((i) => add(client, { name: `Racer ${i}`, url: open.url })));
    expect(racing.map((res) => res.status).sort()).toEqual([201, 201, 409, 409]);
    const over = await add(client, { name: 'One too many', url: open.url });
    expect(over.status).toBe(409);
    expect(over.json.error.message).toMatch(new RegExp(`already have ${MAX_MCP_SERVERS_PER_PERSON} MCP servers`));
    const servers = (await client.get('/api/mcp-servers')).json.mcpServers as McpServerJson[];
    expect(servers.filter((server) => server.source === 'user')).toHaveLength(MAX_MCP_SERVERS_PER_PERSON);
  });

  test('in production, headers need MCP_SECRET_KEY; with it set, they are sealed under it', async () => {
    const { client } = await person(hub, 'Ivy');
    const production = { NODE_ENV: 'production', REALTIME_SECRET: 'realtime-secret-for-this-test-0123456789', MCP_SECRET_KEY: undefined };
    await withEnv(production, async () => {
      const refused = await add(client, { name: 'Needs key', url: guarded.url, headers: { Authorization: TOKEN } });
      expect(refused.status).toBe(400);
      expect(refused.json.error.message).toMatch(/MCP_SECRET_KEY must be set/);
      const plain = await add(client, { name: 'No headers', url: open.url });
      expect(plain.status).toBe(201);
      expect((await client.get(`/api/mcp-servers/${plain.json.mcpServer.id}/tools`)).status).toBe(200);
    });

    const secret = 'deployment-key-0123456789abcdef';
    await withEnv({ ...production, MCP_SECRET_KEY: secret }, async () => {
      const created = await add(client, { name: 'Keyed', url: guarded.url, headers: { Authorization: TOKEN } });
      expect(created.status).toBe(201);
      const [row] = await hub.db.db.select().from(mcpServers).where(eq(mcpServers.id, created.json.mcpServer.id));
      expect(decryptHeaders(row!.headersSealed!, secret, { context: row!.id })).toEqual({ Authorization: TOKEN });
      expect((await client.get(`/api/mcp-servers/${row!.id}/tools`)).status).toBe(200);
    });
    // Sealed under another key than the one in use now: said in words, never sent without its header.
    guarded.requests.length = 0;
    const keyed = ((await client.get('/api/mcp-servers')).json.mcpServers as McpServerJson[]).find((server) => server.name === 'Keyed')!;
    const unreadable = await client.get(`/api/mcp-servers/${keyed.id}/tools`);
    expect(unreadable.status).toBe(503);
    expect(unreadable.json.error.message).toMatch(/headers cannot be read/);
    expect(guarded.requests).toEqual([]);
  });

  test('gives the tool loop the owner’s servers with headers in clear, plus the deployment’s, and names foreign ids', async () => {
    const owner = await person(hub, 'Jo');
    const stranger = await person(hub, 'Kai');
    const mine = (await add(owner.client, { name: 'Mine', url: guarded.url, headers: { Authorization: TOKEN } })).json.mcpServer.id as string;
    const theirs = (await add(stranger.client, { name: 'Theirs', url: open.url })).json.mcpServer.id as string;

    const entries = await mcpServerEntriesFor(hub.db.db, { ownerId: owner.user.id, mcpServerIds: [mine, theirs] });
    expect(entries).toEqual([
      { id: mine, name: 'Mine', url: guarded.url, headers: { Authorization: TOKEN } },
      { id: DEPLOYMENT_ID, name: DEPLOYMENT_NAME, stdio: { name: DEPLOYMENT_NAME, command: process.execPath, args: [STDIO_SCRIPT], env: { STDIO_GREETING: 'hello' } } },
    ]);
    expect(await foreignMcpServerIds(hub.db.db, { userId: owner.user.id, mcpServerIds: [mine, theirs, DEPLOYMENT_ID, 'deployment:nope', 'junk'] })).toEqual([theirs, 'deployment:nope', 'junk']);
    expect(await foreignMcpServerIds(hub.db.db, { userId: owner.user.id, mcpServerIds: [] })).toEqual([]);
  });
});
