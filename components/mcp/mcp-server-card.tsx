'use client';

import { Badge } from 'flowbite-react';
import { observer } from 'mobx-react-lite';
import { ConfirmAction } from '@/components/ui/confirm-action';
import type { McpServerJson } from '@/lib/contracts/abilities';
import { McpToolList } from './mcp-tool-list';
import { useMcpStore } from './use-mcp-store';

type Props = {
  server: McpServerJson;
  confirming: boolean;
  onAsk(): void;
  onCancel(): void;
  onDelete(): void;
  deleting: boolean;
  busy: boolean;
};

/** One server: its name, address and header names (values are never shown, nor known here), its tools on demand. */
export const McpServerCard = observer(function McpServerCard({ server, confirming, onAsk, onCancel, onDelete, deleting, busy }: Props) {
  const store = useMcpStore();
  const open = store.isExpanded(server.id);
  const toolsId = `mcp-tools-${server.id}`;

  return (
    <li className="flex min-w-0 flex-col gap-2 rounded-lg border border-gray-200 px-3 py-3 sm:px-4 dark:border-gray-800" data-testid="mcp-server" data-mcp-server-id={server.id} data-source={server.source}>
      <div className="flex flex-wrap items-start justify-between gap-x-4 gap-y-1">
        <div className="flex min-w-0 flex-1 basis-56 flex-col gap-0.5">
          <div className="flex flex-wrap items-center gap-2">
            <span className="min-w-0 break-words text-sm font-semibold" data-testid="mcp-server-name">{server.name}</span>
            {server.source === 'deployment' && (
              <Badge color="gray" size="xs" title="Set up by whoever runs this hub (MCP_SERVERS); every agent with MCP tools can use it.">
                From the hub
              </Badge>
            )}
          </div>
          {server.url ? (
            <code className="break-all font-mono text-xs text-gray-600 dark:text-gray-300" data-testid="mcp-server-url">{server.url}</code>
          ) : (
            <span className="text-xs text-gray-500 dark:text-gray-400">A local server the hub runs for everyone.</span>
          )}
          {server.headerNames.length > 0 && (
            <ul className="flex flex-wrap gap-x-3 gap-y-0.5 text-xs text-gray-500 dark:text-gray-400" aria-label="Headers sent" data-testid="mcp-server-headers">
              {server.headerNames.map((name) => (
                <li key={name} className="font-mono">
                  {name}: <span aria-label="hidden value">••••</span>
                </li>
              ))}
            </ul>
          )}
        </div>
        <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm">
          <button
            type="button"
            className="text-sky-700 hover:underline dark:text-sky-400"
            aria-expanded={open}
            aria-controls={toolsId}
            onClick={() => store.toggleTools(server.id)}
            data-testid="mcp-show-tools"
          >
            {open ? 'Hide tools' : 'Show tools'}
          </button>
          {server.source === 'user' && (
            <ConfirmAction
              confirming={confirming}
              onAsk={onAsk}
              onCancel={onCancel}
              onConfirm={onDelete}
              pending={deleting}
              busy={busy}
              label="Delete"
              confirmLabel="Delete it"
              pendingLabel="Deleting…"
              question={`Delete ${server.name}? Agents using it lose its tools. `}
              testIds={{ ask: 'delete-mcp-server', confirm: 'confirm-delete-mcp-server' }}
            />
          )}
        </div>
      </div>
      {open && (
        <div id={toolsId} className="border-t border-gray-100 pt-2 dark:border-gray-800">
          <McpToolList mcpServerId={server.id} />
        </div>
      )}
    </li>
  );
});
