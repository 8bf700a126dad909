import { queryOptions } from '@tanstack/react-query';
import { makeAutoObservable, runInAction } from 'mobx';
import type { McpTool } from '@/lib/abilities/mcp/client';
import type { McpServerJson } from '@/lib/contracts/abilities';
import { queryKeys } from './query-keys';
import type { RootStore } from './root-store';

/** What POST /api/mcp-servers takes; `headers` only when some were given. */
export type McpServerInput = { name: string; url: string; headers?: Record<string, string> };


/**
 * MCP servers and their tools are server data in React Query; this store holds the transport and
 * the page's own state: which servers have their tool list open. Header values go to the server
 * once, when a server is added, and are never read back.
 */
export class McpStore {
  /** Servers whose "Show tools" is open. */
  expanded = new Set<string>();

  constructor(private readonly root: RootStore) {
    makeAutoObservable<McpStore, 'root'>(this, { root: false });
  }

  isExpanded(mcpServerId: string): boolean {
    return this.expanded.has(mcpServerId);
  }

  toggleTools(mcpServerId: string): void {
    if (this.expanded.has(mcpServerId)) this.expanded.delete(mcpServerId);
    else this.expanded.add(mcpServerId);
  }

  // Transport.
  async list(): Promise<McpServerJson[]> {
    const { data } = await this.root.http.get<{ mcpServers?: McpServerJson[] }>('/api/mcp-servers');
    return data.mcpServers ?? [];
  }

  async tools(mcpServerId: string): Promise<McpTool[]> {
    // Listing connects to the server; it can take the server's full timeout, past the client's default.
    const { data } = await this.root.http.get<{ tools?: McpTool[] }>(`/api/mcp-servers/${encodeURIComponent(mcpServerId)}/tools`, { timeout: 60_000 });
    return data.tools ?? [];
  }

  async create(input: McpServerInput): Promise<McpServerJson> {
    const { data } = await this.root.http.post<{ mcpServer: McpServerJson }>('/api/mcp-servers', input);
    await this.root.queryClient.invalidateQueries({ queryKey: queryKeys.mcpServers, exact: true });
    return data.mcpServer;
  }

  async remove(mcpServerId: string): Promise<void> {
    await this.root.http.delete(`/api/mcp-servers/${encodeURIComponent(mcpServerId)}`);
    runInAction(() => this.expanded.delete(mcpServerId));
    this.root.queryClient.setQueryData<McpServerJson[]>(queryKeys.mcpServers, (old) => old?.filter((server) => server.id !== mcpServerId));
    this.root.queryClient.removeQueries({ queryKey: queryKeys.mcpServerTools(mcpServerId) });
    // An agent given this server no longer has it.
    await this.root.queryClient.invalidateQueries({ queryKey: queryKeys.agents });
  }
}

export const mcpServersQuery = (store: McpStore) => queryOptions({ queryKey: queryKeys.mcpServers, queryFn: () => store.list() });

export const mcpToolsQuery = (store: McpStore, mcpServerId: string) =>
  queryOptions({
    queryKey: queryKeys.mcpServerTools(mcpServerId),
    queryFn: () => store.tools(mcpServerId),
    // A server that is down or refuses the headers says so at once: asking again is the person's call.
    retry: false,
    staleTime: 60_000,
  });
