import 'server-only';
import { and, asc, eq, sql } from 'drizzle-orm';
import { connectStdio, encryptHeaders, listTools, McpToolError, normalizeMcpHeaders, redactHeaders, type McpHeaders, type McpTool, type StdioServerConfig } from '@/lib/abilities/mcp';
import type { McpServerJson } from '@/lib/contracts/abilities';
import { getDb } from '@/lib/db';
import { isUniqueViolation } from '@/lib/db/errors';
import { mcpServers, users, type McpServerRow } from '@/lib/db/schema';
import { AppError, conflict, forbidden, invalidRequest, notFound } from '@/lib/http/errors';
import { newId } from '@/lib/ids';
import { checkPublicUrl, OutboundError } from '@/lib/outbound';
import { headersOf, requireOwnMcpServer } from './access';
import { deploymentServerById, deploymentServers, isDeploymentServerId, toDeploymentServerJson } from './deployment';
import type { CreateMcpServerInput } from './schemas';
import { requireSealingKey } from './secret';

/*
 * MCP servers people add (Streamable HTTP, public addresses only) and the deployment's own
 * (MCP_SERVERS, stdio). Header values are sealed before they are stored and never answered: the
 * API shows their names only. Every function takes the caller; another person's server is a 404.
 */

export { foreignMcpServerIds, mcpServerEntriesFor, requireOwnMcpServer } from './access';
export { DEPLOYMENT_ID_PREFIX, isDeploymentServerId } from './deployment';
export { developmentKeyFile } from './secret';

/** Servers one person may add: each is a connection the hub opens on every reply of their agents. */
export const MAX_MCP_SERVERS_PER_PERSON = 20;

export function toMcpServerJson(row: McpServerRow): McpServerJson {
  return { id: row.id, name: row.name, url: row.url, headerNames: [...row.headerNames], source: 'user', createdAt: row.createdAt.toISOString() };
}

/** The person's servers (by name), then the deployment's. */
export async function listMcpServers({ userId }: { userId: string }): Promise<McpServerJson[]> {
  const db = await getDb();
  const rows = await db.select().from(mcpServers).where(eq(mcpServers.ownerId, userId)).orderBy(asc(sql`lower(${mcpServers.name})`), asc(mcpServers.id));
  return [...rows.map(toMcpServerJson), ...deploymentServers().map(toDeploymentServerJson)];
}

/** The field's error is a sentence of its own (capitalized); the whole message says which address. */
const urlRefused = (sentence: string) => invalidRequest(`The MCP server's address cannot be used: ${sentence}`, { url: [`${sentence[0]!.toUpperCase()}${sentence.slice(1)}`] });

/** The URL as it will be used, if it points at a public address now (each connection checks again). */
async function publicUrl(input: string): Promise<string> {
  try {
    return (await checkPublicUrl(input)).href;
  } catch (error) {
    if (!(error instanceof OutboundError)) throw error;
    if (error.code === 'blocked') throw urlRefused('it is not a public address: the hub only connects to MCP servers at public addresses.');
    throw urlRefused(error.message);
  }
}

function checkedHeaders(input: CreateMcpServerInput['headers']): McpHeaders {
  let headers: McpHeaders;
  try {
    headers = normalizeMcpHeaders(input ?? undefined);
  } catch (error) {
    if (error instanceof McpToolError) throw invalidRequest(error.message, { headers: [error.message] });
    throw error;
  }
  const empty = Object.keys(headers).find((name) => headers[name] === '');
  if (empty) throw invalidRequest(`The ${empty} header has no value.`, { headers: [`The ${empty} header has no value.`] });
  return headers;
}

const nameTaken = (name: string) => conflict(`You already have an MCP server named "${name}".`);

/**
 * Adds a server. Its address must be public when it is added (and is checked again on every
 * connection, since DNS can change); its headers are checked, then sealed with the server's id
 * bound in. At most MAX_MCP_SERVERS_PER_PERSON, counted under a lock on the owner's row so two
 * adds racing at the cap cannot both pass.
 */
export async function createMcpServer({ userId, input }: { userId: string; input: CreateMcpServerInput }): Promise<McpServerJson> {
  const headers = checkedHeaders(input.headers);
  const headerNames = redactHeaders(headers);
  const key = headerNames.length > 0 ? await requireSealingKey() : undefined;
  const url = await publicUrl(input.url);
  const id = newId();
  const headersSealed = key ? encryptHeaders(headers, key, { context: id }) : null;
  const db = await getDb();
  try {
    const row = await db.transaction(async (tx) => {
      await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for('update');
      const [held] = await tx.select({ count: sql<number>`count(*)::int` }).from(mcpServers).where(eq(mcpServers.ownerId, userId));
      if ((held?.count ?? 0) >= MAX_MCP_SERVERS_PER_PERSON) {
        throw conflict(`You already have ${MAX_MCP_SERVERS_PER_PERSON} MCP servers, the most one person may add. Delete one you no longer use, then add this one.`);
      }
      const [inserted] = await tx.insert(mcpServers).values({ id, ownerId: userId, name: input.name, url, headersSealed, headerNames }).returning();
      return inserted!;
    });
    return toMcpServerJson(row);
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(input.name);
    throw error;
  }
}

/** Removes a server; agents given it lose it (the link rows cascade). The deployment's cannot be removed here. */
export async function deleteMcpServer({ userId, mcpServerId }: { userId: string; mcpServerId: string }): Promise<void> {
  if (isDeploymentServerId(mcpServerId)) {
    if (!deploymentServerById(mcpServerId)) throw notFound('MCP server');
    throw forbidden("This MCP server is part of the hub's own configuration (MCP_SERVERS); only whoever runs the hub can remove it.");
  }
  const db = await getDb();
  await requireOwnMcpServer({ userId, mcpServerId }, db);
  await db.delete(mcpServers).where(and(eq(mcpServers.id, mcpServerId), eq(mcpServers.ownerId, userId)));
}

/** A server that could not be listed: 503 with the client's sentence (which never carries header values). */
function unavailable(error: unknown, signal?: AbortSignal): never {
  if (signal?.aborted) throw new AppError('unavailable', 'The request was cancelled before the MCP server answered.');
  if (error instanceof McpToolError) throw new AppError('unavailable', error.message, { details: { reason: error.code } });
  throw error;
}

/*
 * Listing a deployment server's tools starts its command: the list is the same for everyone, so
 * one start serves every request for a short while (and requests arriving together share it),
 * rather than one child process per page view.
 */
const DEPLOYMENT_TOOLS_TTL_MS = 30_000;
const deploymentTools = new Map<string, { at: number; tools: Promise<McpTool[]> }>();

function toolsOfDeploymentServer(server: StdioServerConfig): Promise<McpTool[]> {
  const key = JSON.stringify(server);
  const held = deploymentTools.get(key);
  if (held && Date.now() - held.at < DEPLOYMENT_TOOLS_TTL_MS) return held.tools;
  const tools = (async () => {
    const connection = await connectStdio(server);
    try {
      return await connection.listTools();
    } finally {
      await connection.close();
    }
  })();
  deploymentTools.set(key, { at: Date.now(), tools });
  // A failure is not kept: the next request tries again.
  tools.catch(() => {
    if (deploymentTools.get(key)?.tools === tools) deploymentTools.delete(key);
  });
  return tools;
}

/** The tools a server offers now: connects, lists and closes. */
export async function listServerTools({ userId, mcpServerId, signal }: { userId: string; mcpServerId: string; signal?: AbortSignal }): Promise<McpTool[]> {
  if (isDeploymentServerId(mcpServerId)) {
    const server = deploymentServerById(mcpServerId);
    if (!server) throw notFound('MCP server');
    try {
      return await toolsOfDeploymentServer(server);
    } catch (error) {
      unavailable(error);
    }
  }
  const row = await requireOwnMcpServer({ userId, mcpServerId });
  try {
    const headers = await headersOf(row);
    if (row.headersSealed && !headers) {
      throw new McpToolError('invalid_config', `The headers of the MCP server "${row.name}" cannot be read: MCP_SECRET_KEY is not set on this hub.`);
    }
    return await listTools({ url: row.url, headers, name: row.name, signal });
  } catch (error) {
    unavailable(error, signal);
  }
}
