'use client';

import { useQuery } from '@tanstack/react-query';
import { Spinner } from 'flowbite-react';
import { observer } from 'mobx-react-lite';
import { useState } from 'react';
import { useAction } from '@/components/ui/use-action';
import { toApiError } from '@/lib/http/client';
import { mcpServersQuery } from '@/stores/mcp-store';
import { McpServerCard } from './mcp-server-card';
import { McpServerForm } from './mcp-server-form';
import { useMcpStore } from './use-mcp-store';

/** The MCP page: the person's servers and the hub's own, adding one, and each one's tools. */
export const McpPage = observer(function McpPage() {
  const store = useMcpStore();
  const { data: servers, isPending, error, refetch } = useQuery(mcpServersQuery(store));
  const [confirming, setConfirming] = useState<string | null>(null);
  const remove = useAction((mcpServerId: string) => store.remove(mcpServerId), { onSuccess: () => setConfirming(null) });

  return (
    <div className="flex min-h-0 flex-1 flex-col gap-4 overflow-y-auto px-4 py-5 sm:px-6" data-testid="mcp-page">
      <header className="flex flex-col gap-1">
        <h1 className="text-lg font-semibold">MCP servers</h1>
        <p className="text-sm text-gray-500 dark:text-gray-400">
          Give your agents tools from MCP servers. Add a server here, then give it to an agent (with MCP tools turned on) on the Agents page. The hub only connects to servers at public
          addresses.
        </p>
      </header>
      <McpServerForm />
      {remove.error && (
        <p className="text-sm text-red-600 dark:text-red-400" role="alert">
          {remove.error.message}
        </p>
      )}
      {isPending && <Spinner aria-label="Loading MCP servers" />}
      {error && (
        <button type="button" onClick={() => refetch()} className="self-start text-sm text-red-600 hover:underline dark:text-red-400">
          Could not load your MCP servers ({toApiError(error).message}). Retry
        </button>
      )}
      {servers && servers.length === 0 && (
        <div className="rounded-lg border border-dashed border-gray-300 p-8 text-center text-sm text-gray-500 dark:border-gray-700 dark:text-gray-400" data-testid="mcp-empty">
          No MCP servers yet. Add one above with its URL and, if it needs one, its token.
        </div>
      )}
      {servers && servers.length > 0 && (
        <ul className="flex flex-col gap-2" data-testid="mcp-server-list">
          {servers.map((server) => (
            <McpServerCard
              key={server.id}
              server={server}
              confirming={confirming === server.id}
              onAsk={() => setConfirming(server.id)}
              onCancel={() => setConfirming(null)}
              onDelete={() => remove.run(server.id)}
              deleting={remove.pending && remove.variables === server.id}
              busy={remove.pending}
            />
          ))}
        </ul>
      )}
    </div>
  );
});
