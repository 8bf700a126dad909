import 'server-only';
import { parseMcpServersConfig, type StdioServerConfig } from '@/lib/abilities/mcp';
import type { McpServerJson } from '@/lib/contracts/abilities';
import { env } from '@/lib/env';

/*
 * The deployment's own MCP servers (MCP_SERVERS, stdio commands). They are shown to everyone and
 * offered to every agent with `mcp`, under ids `deployment:<name>` (never UUIDs, so they can never
 * be mistaken for a person's row). What they run and with which variables is never shown.
 */

export const DEPLOYMENT_ID_PREFIX = 'deployment:';

let parsed: { raw: string | undefined; servers: StdioServerConfig[] } | undefined;

/** The MCP_SERVERS entries; a value that does not parse is logged and offers none, rather than failing every request. */
export function deploymentServers(): StdioServerConfig[] {
  const raw = env().MCP_SERVERS;
  if (parsed && parsed.raw === raw) return parsed.servers;
  let servers: StdioServerConfig[] = [];
  try {
    servers = parseMcpServersConfig(raw);
  } catch (error) {
    console.error('[mcp-servers] MCP_SERVERS ignored:', error instanceof Error ? error.message : 'unreadable');
  }
  parsed = { raw, servers };
  return servers;
}

export const deploymentServerId = (name: string) => `${DEPLOYMENT_ID_PREFIX}${name}`;

export const isDeploymentServerId = (id: string) => typeof id === 'string' && id.startsWith(DEPLOYMENT_ID_PREFIX);

/** The entry an id names (its name compared ignoring case, as MCP_SERVERS names are unique that way). */
export function deploymentServerById(id: string): StdioServerConfig | undefined {
  if (!isDeploymentServerId(id)) return undefined;
  const name = id.slice(DEPLOYMENT_ID_PREFIX.length).toLowerCase();
  return deploymentServers().find((server) => server.name.toLowerCase() === name);
}

export function toDeploymentServerJson(server: StdioServerConfig): McpServerJson {
  return { id: deploymentServerId(server.name), name: server.name, headerNames: [], source: 'deployment' };
}
