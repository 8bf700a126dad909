import 'server-only';
import { and, eq, inArray } from 'drizzle-orm';
import { decryptHeaders, type McpHeaders, type McpServerEntry } from '@/lib/abilities/mcp';
import { getDb, type Database } from '@/lib/db';
import { mcpServers, type McpServerRow } from '@/lib/db/schema';
import { notFound } from '@/lib/http/errors';
import { isUuid } from '@/lib/ids';
import { deploymentServerById, deploymentServerId, deploymentServers, isDeploymentServerId } from './deployment';
import { sealingKey } from './secret';

/** A server of this owner, or 404 (another person's is answered the same as none). */
export async function requireOwnMcpServer({ userId, mcpServerId }: { userId: string; mcpServerId: string }, db?: Database): Promise<McpServerRow> {
  if (!isUuid(mcpServerId)) throw notFound('MCP server');
  const database = db ?? (await getDb());
  const [row] = await database
    .select()
    .from(mcpServers)
    .where(and(eq(mcpServers.id, mcpServerId), eq(mcpServers.ownerId, userId)))
    .limit(1);
  if (!row) throw notFound('MCP server');
  return row;
}

/** A row's headers in clear; undefined with no headers. Throws an McpToolError when they cannot be read. */
export async function headersOf(row: McpServerRow): Promise<McpHeaders | undefined> {
  if (!row.headersSealed) return undefined;
  const key = await sealingKey();
  if (!key) return undefined;
  return decryptHeaders(row.headersSealed, key, { context: row.id });
}

/**
 * Of these ids, the ones an agent of this owner may not be given: neither the owner's servers nor
 * entries of MCP_SERVERS (whose `deployment:<name>` ids are offered to every agent with `mcp`
 * anyway, so they need no link row; filter them out with isDeploymentServerId before linking).
 */
export async function foreignMcpServerIds(db: Database, { userId, mcpServerIds }: { userId: string; mcpServerIds: string[] }): Promise<string[]> {
  const candidates = mcpServerIds.filter((id) => !isDeploymentServerId(id));
  const uuids = candidates.filter(isUuid);
  const owned = new Set<string>();
  if (uuids.length > 0) {
    const rows = await db
      .select({ id: mcpServers.id })
      .from(mcpServers)
      .where(and(eq(mcpServers.ownerId, userId), inArray(mcpServers.id, uuids)));
    for (const row of rows) owned.add(row.id);
  }
  return mcpServerIds.filter((id) => (isDeploymentServerId(id) ? !deploymentServerById(id) : !owned.has(id)));
}

/**
 * The servers an agent's tools come from, for the tool loop: the owner's servers among these ids
 * with their headers in clear (they never leave the server), then every MCP_SERVERS entry. A
 * server whose headers cannot be read (the key changed, or MCP_SECRET_KEY is missing in
 * production) is left out and logged, rather than sent without its credentials.
 */
export async function mcpServerEntriesFor(db: Database, { ownerId, mcpServerIds }: { ownerId: string; mcpServerIds: string[] }): Promise<McpServerEntry[]> {
  const uuids = [...new Set(mcpServerIds.filter(isUuid))];
  const rows = uuids.length
    ? await db
        .select()
        .from(mcpServers)
        .where(and(eq(mcpServers.ownerId, ownerId), inArray(mcpServers.id, uuids)))
        .orderBy(mcpServers.id)
    : [];
  const entries: McpServerEntry[] = [];
  for (const row of rows) {
    try {
      const headers = await headersOf(row);
      if (row.headersSealed && !headers) throw new Error('no key');
      entries.push({ id: row.id, name: row.name, url: row.url, ...(headers ? { headers } : {}) });
    } catch {
      console.error(`[mcp-servers] the headers of MCP server ${row.id} cannot be read; it is left out of the reply's tools.`);
    }
  }
  for (const server of deploymentServers()) entries.push({ id: deploymentServerId(server.name), name: server.name, stdio: server });
  return entries;
}
