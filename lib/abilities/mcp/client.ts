import 'server-only';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { env } from '@/lib/env';
import { checkPublicUrl, type Lookup } from '@/lib/outbound';
import { mcpFailure, McpToolError, oneLine } from './errors';
import { normalizeMcpHeaders, type McpHeaders } from './headers';
import { publicFetch } from './public-fetch';

/*
 * A client of one MCP server: list its tools, call one. Everything the server sends back (tool
 * lists, descriptions, results) is data for the model; nothing in it makes this module send any
 * request the caller did not ask for.
 */

/** A Streamable HTTP server as a person configured it (API.md, POST /api/mcp-servers). */
export type McpHttpConfig = { url: string; headers?: McpHeaders; /** For messages ("The MCP server \"GitHub\" …"); the host when absent. */ name?: string };

export type McpConnectOptions = {
  /** Aborts connecting; once connected, closes the connection. */
  signal?: AbortSignal;
  /** Each HTTP exchange and each request. Default OUTBOUND_TIMEOUT_MS. */
  timeoutMs?: number;
  /** One response body. Default OUTBOUND_MAX_BYTES. */
  maxBytes?: number;
  /** How names are resolved; tests give a fixed answer so they never ask real DNS. */
  lookup?: Lookup;
  /** Called for every HTTP request that reached a socket. */
  onRequest?: (url: URL, method: string) => void;
};

/** A tool as API.md shows it (GET /api/mcp-servers/:id/tools). */
export type McpTool = { name: string; description: string; inputSchema: Record<string, unknown> };

export type McpCallOptions = { signal?: AbortSignal; timeoutMs?: number };

export interface McpConnection {
  /** The server's name as messages give it. */
  readonly server: string;
  listTools(options?: McpCallOptions): Promise<McpTool[]>;
  /** The tool's answer as text; a result flagged `isError` rejects with an McpToolError `tool_error`. */
  callTool(name: string, args: Record<string, unknown>, options?: McpCallOptions): Promise<string>;
  close(): Promise<void>;
}

const CLIENT_INFO = { name: 'neurocache-hub', version: '1.0.0' };
const MAX_LIST_PAGES = 10;
const MAX_TOOLS = 256;
const MAX_DESCRIPTION_CHARS = 2000;
/** What one tool answer may give the model; the rest is cut with a note. */
export const MAX_RESULT_CHARS = 50_000;

/**
 * The hub only asks and reads answers: it offers no sampling, elicitation or roots, so it has no
 * use for the optional GET stream on which a server sends messages of its own. The transport opens
 * one after connecting and treats 405 as "not offered"; answering that here keeps no connection
 * open between calls and leaves every exchange bounded in time.
 */
function withoutStandaloneStream(fetcher: (input: string | URL, init?: RequestInit) => Promise<Response>) {
  return (input: string | URL, init?: RequestInit) => ((init?.method ?? 'GET').toUpperCase() === 'GET' ? Promise.resolve(new Response(null, { status: 405 })) : fetcher(input, init));
}

/** Wraps a connected SDK client; shared by the HTTP and stdio transports. */
export function connectionOf(client: Client, transport: Transport, server: string, timeoutMs: number, beforeClose?: () => Promise<void>): McpConnection {
  let closed: Promise<void> | undefined;
  const bound = (options: McpCallOptions = {}) => {
    const timeout = Math.min(options.timeoutMs ?? timeoutMs, timeoutMs);
    return { timeout, maxTotalTimeout: timeout, signal: options.signal };
  };
  const fail = (error: unknown, options: McpCallOptions = {}) => mcpFailure(error, { server, timeoutMs: bound(options).timeout, signal: options.signal });
  return {
    server,
    async listTools(options) {
      const tools: McpTool[] = [];
      let cursor: string | undefined;
      try {
        for (let page = 0; page < MAX_LIST_PAGES && tools.length < MAX_TOOLS; page++) {
          const answer = await client.listTools(cursor ? { cursor } : undefined, bound(options));
          for (const tool of answer.tools) {
            if (tools.length >= MAX_TOOLS) break;
            tools.push({ name: tool.name, description: (tool.description ?? tool.title ?? '').slice(0, MAX_DESCRIPTION_CHARS), inputSchema: tool.inputSchema as Record<string, unknown> });
          }
          cursor = answer.nextCursor;
          if (!cursor) break;
        }
      } catch (error) {
        throw fail(error, options);
      }
      return tools;
    },
    async callTool(name, args, options) {
      let result: CallToolResult;
      try {
        result = (await client.callTool({ name, arguments: args }, undefined, bound(options))) as CallToolResult;
      } catch (error) {
        throw fail(error, options);
      }
      const text = resultText(result);
      if (result.isError) throw new McpToolError('tool_error', `The tool "${oneLine(name, 80)}" of the MCP server "${oneLine(server, 80)}" reported an error: ${oneLine(text, 500) || 'no details given'}`);
      return text;
    },
    close() {
      closed ??= (async () => {
        await beforeClose?.().catch(() => undefined);
        await client.close().catch(() => undefined);
        await transport.close().catch(() => undefined);
      })();
      return closed;
    },
  };
}

const sizeOf = (base64: string) => {
  const bytes = Math.floor((base64.length * 3) / 4);
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : bytes >= 1024 ? `${Math.round(bytes / 1024)} KB` : `${bytes} bytes`;
};

/** A tool result as text: text parts in order, other parts named briefly (the model cannot see them). */
export function resultText(result: CallToolResult): string {
  const parts: string[] = [];
  for (const part of result.content ?? []) {
    switch (part.type) {
      case 'text':
        parts.push(part.text);
        break;
      case 'image':
        parts.push(`[image: ${oneLine(part.mimeType, 60)}, ${sizeOf(part.data)}]`);
        break;
      case 'audio':
        parts.push(`[audio: ${oneLine(part.mimeType, 60)}, ${sizeOf(part.data)}]`);
        break;
      case 'resource_link':
        parts.push(`[linked resource: ${oneLine(part.name, 120)} ${oneLine(part.uri, 300)}]`);
        break;
      case 'resource': {
        const resource = part.resource;
        if ('text' in resource && typeof resource.text === 'string') parts.push(`[resource ${oneLine(resource.uri, 300)}]\n${resource.text}`);
        else parts.push(`[resource ${oneLine(resource.uri, 300)}: ${oneLine(resource.mimeType ?? 'binary', 60)}, not shown]`);
        break;
      }
      default:
        parts.push('[a part the hub cannot show]');
    }
  }
  if (parts.length === 0 && result.structuredContent !== undefined) parts.push(JSON.stringify(result.structuredContent));
  const text = parts.join('\n\n');
  return text.length > MAX_RESULT_CHARS ? `${text.slice(0, MAX_RESULT_CHARS)}\n[The answer was cut: it was longer than ${MAX_RESULT_CHARS} characters.]` : text;
}

/** Connects the SDK client over a transport, within the timeout, and closes it when `signal` aborts. */
export async function connectClient(transport: Transport, server: string, options: { signal?: AbortSignal; timeoutMs: number }): Promise<Client> {
  const client = new Client(CLIENT_INFO, { capabilities: {} });
  try {
    await client.connect(transport, { signal: options.signal, timeout: options.timeoutMs, maxTotalTimeout: options.timeoutMs });
  } catch (error) {
    await client.close().catch(() => undefined);
    await transport.close().catch(() => undefined);
    throw mcpFailure(error, { server, timeoutMs: options.timeoutMs, signal: options.signal });
  }
  return client;
}

/**
 * Connects to a Streamable HTTP MCP server. Every HTTP request goes through the outbound rules
 * (public addresses only unless OUTBOUND_ALLOW_HOSTS names the host, the socket pinned to the
 * checked address, same-origin redirects only and each checked again, time and size caps); a
 * refused address fails with `blocked` before anything is sent.
 */
export async function connectMcp(config: McpHttpConfig & McpConnectOptions): Promise<McpConnection> {
  const limits = env();
  const timeoutMs = config.timeoutMs ?? limits.OUTBOUND_TIMEOUT_MS;
  let server = config.name ?? 'server';
  let url: URL;
  try {
    const headers = normalizeMcpHeaders(config.headers);
    url = await checkPublicUrl(config.url, { lookup: config.lookup });
    server = config.name ?? url.host;
    const fetch = withoutStandaloneStream(publicFetch({ headers, maxBytes: config.maxBytes ?? limits.OUTBOUND_MAX_BYTES, timeoutMs, lookup: config.lookup, onRequest: config.onRequest }));
    const transport = new StreamableHTTPClientTransport(url, {
      fetch,
      redirectPolicy: 'same-origin',
      // A broken answer stream fails its request; resuming would reopen streams the hub does not use.
      reconnectionOptions: { maxRetries: 0, initialReconnectionDelay: 1000, maxReconnectionDelay: 1000, reconnectionDelayGrowFactor: 1 },
    });
    const client = await connectClient(transport, server, { signal: config.signal, timeoutMs });
    // Ending the session lets the server free it; bounded, since a server that hangs must not hold up close().
    const endSession = () => {
      config.signal?.removeEventListener('abort', onAbort);
      return Promise.race([transport.terminateSession(), new Promise<void>((resolve) => setTimeout(resolve, 1000).unref())]);
    };
    const connection = connectionOf(client, transport, server, timeoutMs, endSession);
    const onAbort = () => void connection.close();
    config.signal?.addEventListener('abort', onAbort, { once: true });
    return connection;
  } catch (error) {
    throw mcpFailure(error, { server, timeoutMs, signal: config.signal });
  }
}

/** The tools of one server, connecting and closing around the request. */
export async function listTools(config: McpHttpConfig & McpConnectOptions): Promise<McpTool[]> {
  const connection = await connectMcp(config);
  try {
    return await connection.listTools({ signal: config.signal, timeoutMs: config.timeoutMs });
  } finally {
    await connection.close();
  }
}

/** One call of one tool, connecting and closing around it: the tool's answer as text. */
export async function callTool(config: McpHttpConfig & Omit<McpConnectOptions, 'signal' | 'timeoutMs'>, name: string, args: Record<string, unknown>, options: McpCallOptions = {}): Promise<string> {
  const connection = await connectMcp({ ...config, signal: options.signal, timeoutMs: options.timeoutMs });
  try {
    return await connection.callTool(name, args, options);
  } finally {
    await connection.close();
  }
}
