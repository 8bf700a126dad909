'use client';

import { useQuery } from '@tanstack/react-query';
import { Spinner } from 'flowbite-react';
import type { McpTool } from '@/lib/abilities/mcp/client';
import { toApiError } from '@/lib/http/client';
import { mcpToolsQuery } from '@/stores/mcp-store';
import { useMcpStore } from './use-mcp-store';

type Schema = { properties?: Record<string, { type?: unknown; description?: unknown }>; required?: unknown };

/** A tool's parameters in words: `text` (string, required). */
function parameters(tool: McpTool): { name: string; type?: string; required: boolean }[] {
  const schema = tool.inputSchema as Schema;
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  return Object.entries(schema.properties ?? {}).map(([name, property]) => ({
    name,
    type: typeof property?.type === 'string' ? property.type : undefined,
    required: required.has(name),
  }));
}

/** The tools a server offers now (the server is asked when the list opens), or why it could not say. */
export function McpToolList({ mcpServerId }: { mcpServerId: string }) {
  const store = useMcpStore();
  const { data: tools, isPending, error, refetch, isFetching } = useQuery(mcpToolsQuery(store, mcpServerId));

  if (isPending) {
    return (
      <p className="flex items-center gap-2 text-sm text-gray-500 dark:text-gray-400" data-testid="mcp-tools-loading">
        <Spinner size="sm" aria-hidden role="presentation" /> Asking the server for its tools…
      </p>
    );
  }
  if (error) {
    return (
      <div className="flex flex-col items-start gap-1 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700 dark:border-red-900 dark:bg-red-950/40 dark:text-red-300" role="alert" data-testid="mcp-tools-error">
        <span className="break-words">{toApiError(error).message}</span>
        <button type="button" className="font-medium hover:underline disabled:opacity-60" disabled={isFetching} onClick={() => refetch()}>
          {isFetching ? 'Trying again…' : 'Try again'}
        </button>
      </div>
    );
  }
  if (tools.length === 0) {
    return <p className="text-sm text-gray-500 dark:text-gray-400" data-testid="mcp-tools-empty">This server offers no tools.</p>;
  }
  return (
    <ul className="flex flex-col divide-y divide-gray-100 dark:divide-gray-800" data-testid="mcp-tool-list">
      {tools.map((tool) => {
        const params = parameters(tool);
        return (
          <li key={tool.name} className="flex min-w-0 flex-col gap-0.5 py-2" data-testid="mcp-tool">
            <code className="break-all font-mono text-sm font-semibold">{tool.name}</code>
            {tool.description && <p className="break-words text-sm text-gray-600 dark:text-gray-300">{tool.description}</p>}
            {params.length > 0 && (
              <p className="break-words text-xs text-gray-500 dark:text-gray-400">
                Takes{' '}
                {params.map((param, index) => (
                  <span key={param.name}>
                    {index > 0 && ', '}
                    <code className="font-mono">{param.name}</code>
                    {param.type || param.required ? ` (${[param.type, param.required ? 'required' : undefined].filter(Boolean).join(', ')})` : ''}
                  </span>
                ))}
              </p>
            )}
          </li>
        );
      })}
    </ul>
  );
}
