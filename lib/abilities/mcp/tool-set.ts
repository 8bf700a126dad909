import 'server-only';
import { createHash } from 'node:crypto';
import type { JSONSchema } from '@/lib/ai/provider';
import type { ToolDefinition, ToolSet } from '@/lib/ai/tools';
import { connectMcp, type McpConnectOptions, type McpConnection, type McpTool } from './client';
import { McpToolError, oneLine } from './errors';
import type { McpHeaders } from './headers';
import { connectStdio, type StdioServerConfig } from './stdio';

/*
 * The tools of the MCP servers given to an agent, as tools of the tool loop. What a server says
 * about its tools (names, descriptions, schemas) is untrusted: names are rewritten to a safe,
 * namespaced alphabet, descriptions are cut short and labelled with their server, schemas are
 * reduced to an object schema, and a tool runs only when the model calls it by the name given here.
 */

/** A server given to an agent: a person's Streamable HTTP server, or an MCP_SERVERS entry. */
export type McpServerEntry = { id: string; name: string } & ({ url: string; headers?: McpHeaders } | { stdio: StdioServerConfig });

export type McpToolSetOptions = Omit<McpConnectOptions, 'onRequest'> & {
  /** Tools taken from one server, in the order it lists them. Default 64. */
  maxToolsPerServer?: number;
  /** Tools in the whole set (OpenAI accepts 128 per request). Default 128. */
  maxTools?: number;
};

export type McpServerStatus = { id: string; name: string; tools: number; skipped: number; error?: string };

export type McpToolSet = {
  tools: ToolSet;
  /** Each server: how many tools it brought, or why it brought none (shown, never thrown). */
  servers: McpServerStatus[];
  /** Closes every connection; the set's tools fail after it. */
  close(): Promise<void>;
};

const NAME_MAX = 64;
const SERVER_PART_MAX = 20;
const DESCRIPTION_MAX = 1000;
const SCHEMA_MAX_CHARS = 32 * 1024;

const slug = (text: string, max: number) =>
  text
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^[_-]+|[_-]+$/g, '')
    .slice(0, max)
    .replace(/[_-]+$/, '');

/** `mcp_<server>_<tool>` within OpenAI's `^[a-zA-Z0-9_-]{1,64}$`, before collisions are resolved. */
export function mcpToolName(serverName: string, toolName: string): string {
  const server = slug(serverName, SERVER_PART_MAX).toLowerCase() || 'server';
  const prefix = `mcp_${server}_`;
  return `${prefix}${slug(toolName, NAME_MAX - prefix.length) || 'tool'}`;
}

const shortHash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 6);

/**
 * Names for every (server, tool) pair, unique and each within the alphabet. The pairs are taken in
 * order of server id then tool name, so the same servers always give the same names whatever the
 * order they were listed in; a name already taken gets a hash of its server id and tool name.
 */
export function assignToolNames(pairs: { serverId: string; serverName: string; toolName: string }[]): string[] {
  const order = pairs.map((_, index) => index).sort((a, b) => {
    const [x, y] = [pairs[a]!, pairs[b]!];
    return x.serverId < y.serverId ? -1 : x.serverId > y.serverId ? 1 : x.toolName < y.toolName ? -1 : x.toolName > y.toolName ? 1 : a - b;
  });
  const taken = new Set<string>();
  const names: string[] = new Array(pairs.length);
  for (const index of order) {
    const pair = pairs[index]!;
    const base = mcpToolName(pair.serverName, pair.toolName);
    let name = base;
    for (let attempt = 0; taken.has(name.toLowerCase()); attempt++) {
      const hash = shortHash(`${pair.serverId}\u0000${pair.toolName}\u0000${attempt}`);
      name = `${base.slice(0, NAME_MAX - hash.length - 1)}_${hash}`;
    }
    // Compared ignoring case: a model that changes the case of a name must not reach another tool.
    taken.add(name.toLowerCase());
    names[index] = name;
  }
  return names;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const EMPTY_SCHEMA = (): JSONSchema => ({ type: 'object', properties: {} });

/**
 * A tool's inputSchema as function parameters: an object schema (what OpenAI accepts at the top),
 * a copy, without `$schema` or top-level combinators; anything else, or a schema too large to
 * offer, becomes an empty object schema (the server still validates what it receives).
 */
export function sanitizeInputSchema(schema: unknown): JSONSchema {
  if (!isObject(schema) || (schema.type !== undefined && schema.type !== 'object')) return EMPTY_SCHEMA();
  let text: string;
  try {
    text = JSON.stringify(schema);
  } catch {
    return EMPTY_SCHEMA();
  }
  if (text.length > SCHEMA_MAX_CHARS) return EMPTY_SCHEMA();
  const copy = JSON.parse(text) as Record<string, unknown>;
  for (const key of ['$schema', '$id', 'anyOf', 'oneOf', 'allOf', 'not', 'enum', 'const', 'if', 'then', 'else']) delete copy[key];
  copy.type = 'object';
  if (!isObject(copy.properties)) copy.properties = {};
  if (copy.required !== undefined && !(Array.isArray(copy.required) && copy.required.every((item) => typeof item === 'string'))) delete copy.required;
  return copy;
}

function describe(serverName: string, tool: McpTool): string {
  const own = oneLine(tool.description, DESCRIPTION_MAX);
  return `A tool of the MCP server "${oneLine(serverName, 80)}"${own ? `: ${own}` : '.'}`;
}

async function open(server: McpServerEntry, options: McpToolSetOptions): Promise<McpConnection> {
  if ('stdio' in server) return connectStdio(server.stdio, { signal: options.signal, timeoutMs: options.timeoutMs });
  return connectMcp({ url: server.url, headers: server.headers, name: server.name, signal: options.signal, timeoutMs: options.timeoutMs, maxBytes: options.maxBytes, lookup: options.lookup });
}

/**
 * Connects to each server (in parallel), lists its tools and offers them as one ToolSet. A server
 * that cannot be reached or listed brings no tools and says why in `servers`; the others still
 * work. One connection per server serves every call of the set until close().
 */
export async function mcpToolSet(servers: McpServerEntry[], options: McpToolSetOptions = {}): Promise<McpToolSet> {
  const perServer = options.maxToolsPerServer ?? 64;
  const maxTools = options.maxTools ?? 128;
  const connections: McpConnection[] = [];
  // Settled, not Promise.all: on a stop, every connection that did open is known and closed.
  const settled = await Promise.allSettled(
    servers.map(async (server) => {
      let connection: McpConnection | undefined;
      try {
        connection = await open(server, options);
        connections.push(connection);
        const tools = await connection.listTools({ signal: options.signal, timeoutMs: options.timeoutMs });
        return { server, connection, tools };
      } catch (error) {
        if (options.signal?.aborted) throw options.signal.reason;
        const message = error instanceof McpToolError ? error.message : `The MCP server "${oneLine(server.name, 80)}" could not be used.`;
        return { server, connection: undefined, tools: [] as McpTool[], error: message };
      }
    }),
  );
  if (options.signal?.aborted || settled.some((outcome) => outcome.status === 'rejected')) {
    await Promise.all(connections.map((connection) => connection.close()));
    const failed = settled.find((outcome) => outcome.status === 'rejected');
    throw options.signal?.aborted ? options.signal.reason : (failed as PromiseRejectedResult).reason;
  }
  const listed = settled.map((outcome) => (outcome as PromiseFulfilledResult<{ server: McpServerEntry; connection?: McpConnection; tools: McpTool[]; error?: string }>).value);

  const statuses: McpServerStatus[] = [];
  const chosen: { server: McpServerEntry; connection: McpConnection; tool: McpTool }[] = [];
  for (const entry of listed) {
    const room = Math.max(0, Math.min(perServer, maxTools - chosen.length));
    const kept = entry.connection ? entry.tools.slice(0, room) : [];
    for (const tool of kept) chosen.push({ server: entry.server, connection: entry.connection!, tool });
    statuses.push({ id: entry.server.id, name: entry.server.name, tools: kept.length, skipped: entry.tools.length - kept.length, ...(entry.error ? { error: entry.error } : {}) });
  }

  const names = assignToolNames(chosen.map(({ server, tool }) => ({ serverId: server.id, serverName: server.name, toolName: tool.name })));
  const tools: ToolSet = {};
  chosen.forEach(({ server, connection, tool }, index) => {
    const name = names[index]!;
    const definition: ToolDefinition = {
      spec: { name, description: describe(server.name, tool), parameters: sanitizeInputSchema(tool.inputSchema) },
      title: () => `Using ${oneLine(tool.name, 60)} on ${oneLine(server.name, 60)}`,
      run: async (args, context) => ({
        content: await connection.callTool(tool.name, args, { signal: context.signal, timeoutMs: options.timeoutMs }),
        detail: `Answered by ${oneLine(server.name, 60)}`,
        data: { mcpServerId: server.id, tool: tool.name },
      }),
    };
    tools[name] = definition;
  });

  return {
    tools,
    servers: statuses,
    close: async () => {
      await Promise.all(connections.map((connection) => connection.close()));
    },
  };
}
