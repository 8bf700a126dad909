import path from 'node:path';
import { ToolError } from '@/lib/ai/tools';
import {
  assignToolNames,
  callTool,
  connectMcp,
  connectStdio,
  decryptHeaders,
  encryptHeaders,
  listTools,
  mcpToolName,
  mcpToolSet,
  McpToolError,
  normalizeMcpHeaders,
  parseMcpServersConfig,
  redactHeaders,
  sanitizeInputSchema,
  type StdioServerConfig,
} from '@/lib/abilities/mcp';
import { setEnv } from '../helpers/env';
import { MCP_INJECTION_TEXT, startMcpServer, type McpTestServer } from '../helpers/mcp-server';

/*
 * MCP clients against real MCP servers built with the SDK: Streamable HTTP on 127.0.0.1 port 0
 * (let through by OUTBOUND_ALLOW_HOSTS host:port, so any other loopback port stays refused like
 * every private address), and a stdio server started as a child process.
 */

const OPENAI_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const SECRET = 'test-secret-key-0123456789abcdef';
const started: McpTestServer[] = [];
let server: McpTestServer;
let restoreEnv: () => void;

async function start(options: Parameters<typeof startMcpServer>[0] = {}) {
  const created = await startMcpServer(options);
  started.push(created);
  return created;
}

/** Allows exactly these servers (and the main one) for the rest of the test. */
function allow(...servers: McpTestServer[]) {
  const restore = setEnv({ OUTBOUND_ALLOW_HOSTS: [server, ...servers].map((entry) => entry.hostPort).join(',') });
  restores.push(restore);
}
const restores: (() => void)[] = [];

const rpcMethods = (target: McpTestServer) => target.requests.map((request) => (request.body as { method?: string } | undefined)?.method ?? `${request.method} -`);

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

beforeAll(async () => {
  server = await start();
  restoreEnv = setEnv({ OUTBOUND_ALLOW_HOSTS: server.hostPort, OUTBOUND_TIMEOUT_MS: '5000' });
});

afterEach(() => {
  while (restores.length > 0) restores.pop()!();
});

afterAll(async () => {
  restoreEnv();
  await Promise.all(started.map((entry) => entry.close()));
});

describe('Streamable HTTP servers', () => {
  it('lists tools with their descriptions and input schemas', async () => {
    const tools = await listTools({ url: server.url });
    expect(tools.map((tool) => tool.name)).toEqual(['echo', 'fail', 'hang', 'inject', 'delete_everything', 'mixed']);
    const echo = tools.find((tool) => tool.name === 'echo')!;
    expect(echo.description).toBe('Echoes its text back, with the arguments it received.');
    expect(echo.inputSchema).toMatchObject({ type: 'object', properties: { text: { type: 'string' }, times: { type: 'integer' } }, required: ['text'] });
  });

  it('calls a tool: the arguments reach the server as sent, and its text parts come back in order', async () => {
    const before = server.toolCalls.length;
    const text = await callTool({ url: server.url }, 'echo', { text: 'ab', times: 3 });
    expect(server.toolCalls.slice(before)).toEqual([{ name: 'echo', args: { text: 'ab', times: 3 } }]);
    expect(text).toBe(`echo: ababab\n\n${JSON.stringify({ text: 'ab', times: 3 })}`);
  });

  it('describes parts that are not text briefly, and keeps embedded text resources', async () => {
    const text = await callTool({ url: server.url }, 'mixed', {});
    expect(text.split('\n\n')).toEqual(['Here is the chart.', '[image: image/png, 3 KB]', '[linked resource: report.pdf https://example.com/report.pdf]', '[resource file:///notes.txt]\nembedded notes']);
  });

  it('turns an isError result into a ToolError with the tool’s message on one line', async () => {
    const error = await rejection(callTool({ url: server.url, name: 'Loopback' }, 'fail', {}));
    expect(error).toBeInstanceOf(McpToolError);
    expect(error).toBeInstanceOf(ToolError);
    expect((error as McpToolError).code).toBe('tool_error');
    expect((error as Error).message).toBe('The tool "fail" of the MCP server "Loopback" reported an error: The database is on fire. Stack: at secret (/srv/app.js:1)');
  });

  it('gives up on a tool that hangs at the deadline, and tells the server to cancel it', async () => {
    const cancelledBefore = server.cancelled;
    const began = Date.now();
    const error = await rejection(callTool({ url: server.url }, 'hang', {}, { timeoutMs: 400 }));
    const elapsed = Date.now() - began;
    expect(error).toBeInstanceOf(McpToolError);
    expect((error as McpToolError).code).toBe('timeout');
    expect((error as Error).message).toMatch(/took longer than 0\.4 s/);
    expect(elapsed).toBeGreaterThanOrEqual(350);
    expect(elapsed).toBeLessThan(3000);
    await waitFor(() => server.cancelled > cancelledBefore);
  });

  it('stops a call when the caller’s signal aborts, rejecting with the signal’s own reason', async () => {
    const controller = new AbortController();
    const reason = new Error('stopped by the person');
    setTimeout(() => controller.abort(reason), 150);
    await expect(callTool({ url: server.url }, 'hang', {}, { signal: controller.signal, timeoutMs: 5000 })).rejects.toBe(reason);
  });

  it('returns a prompt injection inside a result as data, and sends nothing because of it', async () => {
    const seen: string[] = [];
    const set = await mcpToolSet([{ id: 'srv-1', name: 'Weather', url: server.url }]);
    try {
      const before = server.toolCalls.length;
      const requestsBefore = server.requests.length;
      const inject = Object.values(set.tools).find((tool) => tool.spec.name.endsWith('_inject'))!;
      const result = await inject.run({}, { signal: new AbortController().signal, callId: 'c1', activity: (activity) => seen.push(activity.title) });
      expect(result.content).toBe(MCP_INJECTION_TEXT);
      // One tools/call, for inject: delete_everything was never called and nothing else was sent.
      expect(server.toolCalls.slice(before)).toEqual([{ name: 'inject', args: {} }]);
      expect(rpcMethods(server).slice(requestsBefore)).toEqual(['tools/call']);
      expect(server.toolCalls.some((call) => call.name === 'delete_everything')).toBe(false);
      expect(seen).toEqual([]);
    } finally {
      await set.close();
    }
  });

  it('sends the configured headers on every request, and reports refused credentials as auth', async () => {
    const guarded = await start({ requireHeader: { name: 'Authorization', value: 'Bearer t0ken' } });
    allow(guarded);
    const refused = await rejection(listTools({ url: guarded.url, name: 'Guarded' }));
    expect((refused as McpToolError).code).toBe('auth');
    expect((refused as Error).message).not.toContain('t0ken');

    const before = guarded.requests.length;
    const tools = await listTools({ url: guarded.url, headers: { Authorization: 'Bearer t0ken', 'X-Team': 'blue' } });
    expect(tools.length).toBeGreaterThan(0);
    const sent = guarded.requests.slice(before);
    expect(sent.length).toBeGreaterThanOrEqual(3);
    for (const request of sent) {
      expect(request.headers.authorization).toBe('Bearer t0ken');
      expect(request.headers['x-team']).toBe('blue');
    }
    // The session is the transport's: a configured header cannot take it over.
    expect(() => normalizeMcpHeaders({ 'Mcp-Session-Id': 'forged' })).toThrow(/set by the hub/);
  });

  it('refuses a loopback server that OUTBOUND_ALLOW_HOSTS does not name, without connecting to it', async () => {
    const trap = await start();
    const restore = setEnv({ OUTBOUND_ALLOW_HOSTS: undefined });
    try {
      const error = await rejection(connectMcp({ url: trap.url, name: 'Internal' }));
      expect(error).toBeInstanceOf(McpToolError);
      expect((error as McpToolError).code).toBe('blocked');
      expect((error as Error).message).toBe('The MCP server "Internal" is not at a public address; the hub only connects to public MCP servers.');
    } finally {
      restore();
    }
    // Another loopback port than the allowed one is refused too.
    await expect(listTools({ url: trap.url })).rejects.toMatchObject({ code: 'blocked' });
    // A name that resolves to a private address is refused after the lookup, before any socket.
    const lookup = jest.fn(async () => [{ address: '10.1.2.3', family: 4 }]);
    await expect(listTools({ url: 'http://mcp.internal.test/mcp', lookup })).rejects.toMatchObject({ code: 'blocked' });
    expect(lookup).toHaveBeenCalledWith('mcp.internal.test');
    expect(trap.connections).toBe(0);
    expect(trap.requests).toEqual([]);
  });

  it('connects to the address it checked: the socket is pinned to the lookup’s answer', async () => {
    const pinned = await start();
    const restore = setEnv({ OUTBOUND_ALLOW_HOSTS: `mcp.pinned.test:${pinned.hostPort.split(':')[1]}` });
    try {
      const lookup = jest.fn(async () => [{ address: '127.0.0.1', family: 4 }]);
      const urls: string[] = [];
      const tools = await listTools({ url: `http://mcp.pinned.test:${pinned.hostPort.split(':')[1]}/mcp`, lookup, onRequest: (url) => urls.push(url.host) });
      expect(tools.map((tool) => tool.name)).toContain('echo');
      // Every request looked the name up through the checked path (real DNS knows no .test names).
      expect(lookup.mock.calls.length).toBeGreaterThanOrEqual(urls.length);
      expect(urls.length).toBeGreaterThanOrEqual(3);
      expect(pinned.requests[0]!.headers.host).toBe(`mcp.pinned.test:${pinned.hostPort.split(':')[1]}`);
    } finally {
      restore();
    }
  });

  it('follows a redirect within the server’s origin, and refuses one to another origin without reaching it', async () => {
    const sameOrigin = await start({ redirectTo: '/mcp' });
    const trap = await start();
    const crossOrigin = await start({ redirectTo: trap.url });
    allow(sameOrigin, crossOrigin);
    expect((await listTools({ url: `${sameOrigin.origin}/redirect` })).length).toBeGreaterThan(0);

    const error = await rejection(listTools({ url: `${crossOrigin.origin}/redirect`, name: 'Redirecting' }));
    expect(error).toBeInstanceOf(McpToolError);
    expect((error as McpToolError).code).toBe('http_error');
    expect((error as Error).message).toMatch(/redirected the hub to another address/);
    expect(trap.connections).toBe(0);
  });

  it('refuses an answer larger than the size cap', async () => {
    const error = await rejection(listTools({ url: server.url, maxBytes: 200 }));
    expect((error as McpToolError).code).toBe('too_large');
  });
});

describe('tool sets', () => {
  it('offers namespaced tools, reuses one connection for every call, and closes it', async () => {
    const other = await start({ extraTools: ['echo'.toUpperCase()] });
    const trap = await start();
    allow(other);
    const initializesBefore = rpcMethods(server).filter((method) => method === 'initialize').length;
    const set = await mcpToolSet([
      { id: 'b-server', name: 'Loop Back!', url: server.url },
      { id: 'a-server', name: 'Loop Back!', url: other.url },
      { id: 'c-server', name: 'Blocked', url: trap.url },
    ]);
    try {
      const names = Object.keys(set.tools);
      for (const name of names) expect(name).toMatch(OPENAI_NAME);
      expect(new Set(names.map((name) => name.toLowerCase())).size).toBe(names.length);
      // a-server sorts first: its ECHO keeps the plain name (upper case sorts before lower), so
      // both servers' echo, which clash with it ignoring case, get a hash.
      expect(set.tools.mcp_loop_back_ECHO!.spec.description).toBe('A tool of the MCP server "Loop Back!": Extra tool ECHO.');
      const echoes = names.filter((name) => /^mcp_loop_back_echo_[0-9a-f]{6}$/.test(name));
      expect(echoes).toHaveLength(2);
      expect(set.servers).toEqual([
        { id: 'b-server', name: 'Loop Back!', tools: 6, skipped: 0 },
        { id: 'a-server', name: 'Loop Back!', tools: 7, skipped: 0 },
        { id: 'c-server', name: 'Blocked', tools: 0, skipped: 0, error: 'The MCP server "Blocked" is not at a public address; the hub only connects to public MCP servers.' },
      ]);
      expect(trap.connections).toBe(0);

      const context = { signal: new AbortController().signal, callId: 'c1', activity: () => {} };
      const answers: string[] = [];
      for (const name of echoes) {
        const echo = set.tools[name]!;
        expect(echo.spec.description).toBe('A tool of the MCP server "Loop Back!": Echoes its text back, with the arguments it received.');
        expect(echo.spec.parameters).toMatchObject({ type: 'object', properties: { text: { type: 'string' } }, required: ['text'] });
        expect(echo.spec.parameters).not.toHaveProperty('$schema');
        expect(echo.title?.({})).toBe('Using echo on Loop Back!');
        for (const text of ['one', 'two']) {
          const result = await echo.run({ text }, context);
          answers.push(result.content.split('\n')[0]!);
          expect(result.detail).toBe('Answered by Loop Back!');
        }
      }
      expect(answers).toEqual(['echo: one', 'echo: two', 'echo: one', 'echo: two']);
      expect(server.toolCalls.filter((call) => call.name === 'echo').slice(-2).map((call) => call.args.text)).toEqual(['one', 'two']);
      expect(other.toolCalls.map((call) => call.args.text)).toEqual(['one', 'two']);
      // Every call went over the one session the set opened on each server.
      expect(rpcMethods(server).filter((method) => method === 'initialize').length).toBe(initializesBefore + 1);
      expect(rpcMethods(other).filter((method) => method === 'initialize')).toHaveLength(1);
    } finally {
      await set.close();
    }
    expect(other.requests.at(-1)!.method).toBe('DELETE');
    await expect(set.tools.mcp_loop_back_ECHO!.run({ text: 'after' }, { signal: new AbortController().signal, callId: 'c2', activity: () => {} })).rejects.toBeInstanceOf(McpToolError);
  });

  it('rejects with the stop’s reason when stopped while connecting', async () => {
    const reason = new Error('stopped');
    await expect(mcpToolSet([{ id: 's', name: 'Stopped', url: server.url }], { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });

  it('caps the tools a server brings', async () => {
    const set = await mcpToolSet([{ id: 's', name: 'Capped', url: server.url }], { maxToolsPerServer: 2 });
    try {
      expect(Object.keys(set.tools)).toEqual(['mcp_capped_echo', 'mcp_capped_fail']);
      expect(set.servers[0]).toMatchObject({ tools: 2, skipped: 4 });
    } finally {
      await set.close();
    }
  });
});

describe('tool names and schemas', () => {
  it('makes names OpenAI accepts out of any server and tool name', () => {
    expect(mcpToolName('My GitHub!', 'search.issues/v2')).toBe('mcp_my_github_search_issues_v2');
    expect(mcpToolName('日本', '検索')).toBe('mcp_server_tool');
    const long = mcpToolName('a very long server name indeed, longer than twenty', 'x'.repeat(100));
    expect(long).toMatch(OPENAI_NAME);
    expect(long.startsWith('mcp_a_very_long_server_')).toBe(true);
    expect(long).toHaveLength(64);
  });

  it('resolves collisions deterministically, whatever the order, and ignoring case', () => {
    const pairs = [
      { serverId: 's2', serverName: 'Tools', toolName: 'run' },
      { serverId: 's1', serverName: 'Tools', toolName: 'run' },
      { serverId: 's1', serverName: 'Tools', toolName: 'Run' },
      { serverId: 's3', serverName: 'Tools', toolName: 'r u n' },
    ];
    const names = assignToolNames(pairs);
    // s1 sorts first and 'Run' before 'run': it keeps the plain name, the other two runs get hashes.
    expect(names[2]).toBe('mcp_tools_Run');
    expect(names[0]).toMatch(/^mcp_tools_run_[0-9a-f]{6}$/);
    expect(names[1]).toMatch(/^mcp_tools_run_[0-9a-f]{6}$/);
    expect(names[3]).toBe('mcp_tools_r_u_n');
    expect(new Set(names.map((name) => name.toLowerCase())).size).toBe(4);
    for (const name of names) expect(name).toMatch(OPENAI_NAME);
    const reversed = assignToolNames([...pairs].reverse());
    expect([...reversed].reverse()).toEqual(names);
  });

  it('reduces input schemas to object schemas', () => {
    expect(sanitizeInputSchema(undefined)).toEqual({ type: 'object', properties: {} });
    expect(sanitizeInputSchema({ type: 'string' })).toEqual({ type: 'object', properties: {} });
    expect(sanitizeInputSchema({ $schema: 'http://json-schema.org/draft-07/schema#', anyOf: [{}], properties: { q: { type: 'string' } }, required: 'q' })).toEqual({ type: 'object', properties: { q: { type: 'string' } } });
    const big = { type: 'object', properties: Object.fromEntries(Array.from({ length: 2000 }, (_, index) => [`p${index}`, { type: 'string', description: 'x'.repeat(20) }])) };
    expect(sanitizeInputSchema(big)).toEqual({ type: 'object', properties: {} });
    const original = { type: 'object', properties: { a: { type: 'number' } } };
    const copy = sanitizeInputSchema(original);
    (copy.properties as Record<string, unknown>).b = {};
    expect(original.properties).toEqual({ a: { type: 'number' } });
  });
});

describe('headers at rest', () => {
  const headers = { Authorization: 'Bearer sk-live-123', 'X-Team': 'blue' };

  it('encrypts and decrypts headers, with a fresh IV each time', () => {
    const blob = encryptHeaders(headers, SECRET, { context: 'server-1' });
    expect(blob).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(blob).not.toContain('sk-live');
    expect(decryptHeaders(blob, SECRET, { context: 'server-1' })).toEqual(headers);
    expect(encryptHeaders(headers, SECRET, { context: 'server-1' })).not.toBe(blob);
  });

  it('detects tampering, another key and another row', () => {
    const blob = encryptHeaders(headers, SECRET, { context: 'server-1' });
    const parts = blob.split('.');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0] = body[0]! ^ 1;
    const tampered = [...parts.slice(0, 3), body.toString('base64url')].join('.');
    expect(() => decryptHeaders(tampered, SECRET, { context: 'server-1' })).toThrow(/cannot be read/);
    expect(() => decryptHeaders(blob, 'another-secret-key-0123456789', { context: 'server-1' })).toThrow(/cannot be read/);
    expect(() => decryptHeaders(blob, SECRET, { context: 'server-2' })).toThrow(/cannot be read/);
    expect(() => decryptHeaders('v1.garbage', SECRET)).toThrow(McpToolError);
    expect(() => encryptHeaders(headers, 'short')).toThrow(/at least 16 characters/);
  });

  it('shows names only, and refuses headers that would break the request', () => {
    expect(redactHeaders(headers)).toEqual(['Authorization', 'X-Team']);
    expect(JSON.stringify(redactHeaders(headers))).not.toContain('sk-live');
    expect(() => normalizeMcpHeaders({ 'X-A': 'one\r\nX-Injected: two' })).toThrow(/control characters/);
    expect(() => normalizeMcpHeaders({ 'bad name': 'x' })).toThrow(/not a valid header name/);
    expect(() => normalizeMcpHeaders({ Host: 'internal' })).toThrow(/set by the hub/);
    expect(() => normalizeMcpHeaders({ 'x-a': '1', 'X-A': '2' })).toThrow(/given twice/);
    expect(() => normalizeMcpHeaders({ 'X-A': 5 })).toThrow(/must be a string/);
    expect(normalizeMcpHeaders({ ' X-A ': ' v ' })).toEqual({ 'X-A': 'v' });
  });
});

describe('stdio servers from MCP_SERVERS', () => {
  const script = path.join(process.cwd(), 'tests/helpers/mcp-stdio-server.mjs');
  const entry = (): StdioServerConfig => parseMcpServersConfig(JSON.stringify([{ name: 'Local tools', command: process.execPath, args: [script], env: { STDIO_GREETING: 'hello' } }]))[0]!;

  it('parses the deployment’s configuration and names what is wrong', () => {
    expect(parseMcpServersConfig(undefined)).toEqual([]);
    expect(parseMcpServersConfig('  ')).toEqual([]);
    expect(entry()).toEqual({ name: 'Local tools', command: process.execPath, args: [script], env: { STDIO_GREETING: 'hello' } });
    expect(() => parseMcpServersConfig('{not json')).toThrow(/must be JSON/);
    expect(() => parseMcpServersConfig('[{"name":"a"}]')).toThrow(/at 0\.command/);
    expect(() => parseMcpServersConfig('[{"name":"a","command":"x","shell":true}]')).toThrow(/MCP_SERVERS is not valid/);
    expect(() => parseMcpServersConfig('[{"name":"A","command":"x"},{"name":"a","command":"y"}]')).toThrow(/names "a" twice/);
  });

  it('starts the server, lists and calls its tools, and gives it none of the hub’s variables', async () => {
    const restore = setEnv({ MCP_TEST_HUB_SECRET: 'hub-secret' });
    const connection = await connectStdio(entry(), { stderr: 'ignore', timeoutMs: 10_000 });
    try {
      expect((await connection.listTools()).map((tool) => tool.name)).toEqual(['reverse', 'environment']);
      expect(await connection.callTool('reverse', { text: 'stressed' })).toBe('desserts');
      expect(JSON.parse(await connection.callTool('environment', {}))).toEqual({ greeting: 'hello', leaked: null });
    } finally {
      await connection.close();
      restore();
    }
  });

  it('fails with an McpToolError when the command cannot start', async () => {
    const error = await rejection(connectStdio({ name: 'Missing', command: path.join(process.cwd(), 'no-such-command'), args: [], env: {} }, { stderr: 'ignore', timeoutMs: 5000 }));
    expect(error).toBeInstanceOf(McpToolError);
    expect((error as Error).message).toMatch(/^The MCP server "Missing"/);
  });

  it('joins a tool set like any server', async () => {
    const set = await mcpToolSet([{ id: 'stdio-1', name: 'Local tools', stdio: entry() }]);
    try {
      expect(Object.keys(set.tools)).toEqual(['mcp_local_tools_reverse', 'mcp_local_tools_environment']);
      const result = await set.tools.mcp_local_tools_reverse!.run({ text: 'abc' }, { signal: new AbortController().signal, callId: 'c', activity: () => {} });
      expect(result.content).toBe('cba');
    } finally {
      await set.close();
    }
  });
});

async function waitFor(check: () => boolean, timeoutMs = 3000) {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
