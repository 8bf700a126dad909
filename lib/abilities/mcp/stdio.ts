import 'server-only';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { z } from 'zod';
import { env } from '@/lib/env';
import { connectClient, connectionOf, type McpConnection } from './client';
import { McpToolError } from './errors';

/*
 * MCP servers the hub starts as local commands (stdio). Running a command is running code on the
 * hub's machine, so these come only from the deployment's own configuration (the MCP_SERVERS
 * variable, written by whoever runs the hub), never from anything a person sends through the API:
 * a person can add Streamable HTTP servers only, and those only at public addresses.
 */

const serverSchema = z
  .object({
    name: z.string().trim().min(1).max(64),
    command: z.string().trim().min(1).max(4096),
    args: z.array(z.string().max(4096)).max(100).default([]),
    env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'environment names are letters, digits and underscores'), z.string().max(32 * 1024)).default({}),
  })
  .strict();

export type StdioServerConfig = z.output<typeof serverSchema>;

/**
 * The MCP_SERVERS value: a JSON array of `{ name, command, args?, env? }`, names unique (ignoring
 * case). Empty or absent is no servers. A bad value fails with a message naming what is wrong, for
 * the hub to refuse to start with.
 */
export function parseMcpServersConfig(json: string | undefined | null): StdioServerConfig[] {
  if (json === undefined || json === null || !json.trim()) return [];
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new McpToolError('invalid_config', 'MCP_SERVERS must be JSON: an array of {"name", "command", "args"?, "env"?}.');
  }
  const parsed = z.array(serverSchema).max(50).safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    throw new McpToolError('invalid_config', `MCP_SERVERS is not valid${where}: ${issue.message}.`);
  }
  const seen = new Set<string>();
  for (const server of parsed.data) {
    const key = server.name.toLowerCase();
    if (seen.has(key)) throw new McpToolError('invalid_config', `MCP_SERVERS names "${server.name}" twice.`);
    seen.add(key);
  }
  return parsed.data;
}

export type StdioConnectOptions = {
  signal?: AbortSignal;
  /** Starting the server and each request. Default OUTBOUND_TIMEOUT_MS. */
  timeoutMs?: number;
  /** The child's stderr: the hub's own log by default, where an operator looks for a server's complaints. */
  stderr?: 'inherit' | 'ignore';
  cwd?: string;
};

/**
 * Starts a stdio MCP server and connects to it. Only ever for an entry of the deployment's
 * MCP_SERVERS (parseMcpServersConfig), never for a command or arguments a person supplied. The
 * child gets the SDK's short list of safe variables (PATH, HOME, …) plus the entry's own `env`,
 * not the hub's environment with its keys; close() ends it.
 */
export async function connectStdio(config: StdioServerConfig, options: StdioConnectOptions = {}): Promise<McpConnection> {
  const timeoutMs = options.timeoutMs ?? env().OUTBOUND_TIMEOUT_MS;
  const transport = new StdioClientTransport({
    command: config.command,
    args: config.args,
    env: { ...getDefaultEnvironment(), ...config.env },
    stderr: options.stderr ?? 'inherit',
    cwd: options.cwd,
  });
  const client = await connectClient(transport, config.name, { signal: options.signal, timeoutMs });
  const onAbort = () => void connection.close();
  const connection = connectionOf(client, transport, config.name, timeoutMs, async () => options.signal?.removeEventListener('abort', onAbort));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  return connection;
}
