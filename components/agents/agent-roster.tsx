'use client';

import { useQuery } from '@tanstack/react-query';
import { Button, Spinner } from 'flowbite-react';
import { observer } from 'mobx-react-lite';
import dynamic from 'next/dynamic';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Avatar } from '@/components/ui/avatar';
import { useAction } from '@/components/ui/use-action';
import type { Agent } from '@/lib/api-types';
import { toApiError } from '@/lib/http/client';
import { useStores } from '@/stores/context';
import { agentsQuery } from '@/stores/queries';
import { ConfirmAction } from '@/components/ui/confirm-action';

// The form (and the floating-ui under flowbite's Modal) loads when it is first opened, not with the roster.
const AgentFormModal = dynamic(() => import('./agent-form-modal').then((module) => module.AgentFormModal), { ssr: false });

/** The roster: every agent the user owns, to create, tune and delete. */
export const AgentRoster = observer(function AgentRoster() {
  const root = useStores();
  const { data: agents, isPending, error, refetch } = useQuery(agentsQuery(root));
  const [editing, setEditing] = useState<Agent | 'new' | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const remove = useAction((agentId: string) => root.agents.remove(agentId), { onSuccess: () => setConfirming(null) });
  const router = useRouter();
  // A DM with the agent answers every message: the quickest way to try it.
  const test = useAction((agentId: string) => root.channels.openDm({ agentId }), { onSuccess: (dm) => router.push(`/hub/channels/${dm.id}`) });

  return (
    <div className="flex min-h-0 flex-1 flex-col overflow-y-auto px-6 py-5" data-testid="agent-roster">
      <header className="mb-5 flex items-center justify-between gap-4">
        <div>
          <h1 className="text-lg font-semibold">Agents</h1>
          <p className="text-sm text-gray-500">Your agents. Add them to channels from a channel’s settings, then @mention them.</p>
        </div>
        <Button size="sm" onClick={() => setEditing('new')} data-testid="new-agent">
          New agent
        </Button>
      </header>
      {remove.error && <p className="mb-3 text-sm text-red-500" role="alert">{remove.error.message}</p>}
      {test.error && <p className="mb-3 text-sm text-red-500" role="alert">{test.error.message}</p>}
      {isPending && <Spinner aria-label="Loading agents" />}
      {error && (
        <button type="button" onClick={() => refetch()} className="text-sm text-red-500 hover:underline">
          Could not load your agents ({toApiError(error).message}). Retry
        </button>
      )}
      {agents?.length === 0 && (
        <div className="rounded-lg border border-dashed border-gray-300 p-8 text-center text-sm text-gray-500 dark:border-gray-700">
          No agents yet. Create one: give it a name, a handle to @mention it by, a specialization and instructions.
        </div>
      )}
      <ul className="grid gap-3 md:grid-cols-2 xl:grid-cols-3">
        {agents?.map((agent) => (
          <li key={agent.id} className="flex flex-col gap-2 rounded-lg border border-gray-200 p-4 dark:border-gray-800" data-testid="agent-card">
            <div className="flex items-center gap-3">
              <Avatar id={agent.id} name={agent.name} agent src={agent.avatar} />
              <div className="min-w-0 flex-1">
                <div className="truncate font-semibold">{agent.name}</div>
                <div className="truncate text-xs text-gray-500">
                  @{agent.handle} · {agent.model} · temperature {agent.temperature}
                </div>
              </div>
            </div>
            {agent.description && <p className="text-sm text-gray-600 dark:text-gray-300">{agent.description}</p>}
            {agent.instructions && <p className="line-clamp-3 whitespace-pre-wrap text-xs text-gray-500">{agent.instructions}</p>}
            <div className="mt-auto flex gap-2 pt-2 text-xs">
              <button type="button" className="text-sky-600 hover:underline dark:text-sky-400" onClick={() => setEditing(agent)} data-testid="edit-agent">
                Edit
              </button>
              <button type="button" className="text-sky-600 hover:underline disabled:opacity-60 dark:text-sky-400" disabled={test.pending} onClick={() => test.run(agent.id)} data-testid="test-agent">
                {test.pending && test.variables === agent.id ? 'Opening…' : 'Test'}
              </button>
              <ConfirmAction
                confirming={confirming === agent.id}
                onAsk={() => setConfirming(agent.id)}
                onCancel={() => setConfirming(null)}
                onConfirm={() => remove.run(agent.id)}
                pending={remove.pending && remove.variables === agent.id}
                busy={remove.pending}
                label="Delete"
                confirmLabel="Delete"
                pendingLabel="Deleting…"
                question={`Delete ${agent.name}? Its messages stay.`}
                testIds={{ ask: 'delete-agent', confirm: 'confirm-delete-agent' }}
              />
            </div>
          </li>
        ))}
      </ul>
      {editing && <AgentFormModal show onClose={() => setEditing(null)} agent={editing === 'new' ? undefined : editing} />}
    </div>
  );
});
