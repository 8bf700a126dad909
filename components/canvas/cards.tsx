'use client';

import { useQuery } from '@tanstack/react-query';
import type { Member } from '@/lib/api-types';
import type { AbilityId } from '@/lib/contracts/abilities';
import { Avatar } from '@/components/ui/avatar';
import { abilitiesQuery } from '@/stores/agent-store';
import { useStores } from '@/stores/context';
import type { AgentStatus } from './team-edges';

/* The cards the canvas's container nodes show: an agent, a person, a knowledge base. */

const statusLook: Record<AgentStatus['state'], { label: string; dot: string }> = {
  idle: { label: 'Idle', dot: 'bg-gray-400' },
  thinking: { label: 'Thinking', dot: 'bg-sky-500 animate-pulse' },
  tool: { label: 'Using a tool', dot: 'bg-amber-500 animate-pulse' },
};

const chip = 'inline-block max-w-full truncate rounded-full px-2 py-0.5 text-[0.68rem] font-medium';

export function AgentCard({
  agent,
  abilities,
  knowledge,
  knowledgeCount,
  status,
  isLead,
}: {
  agent: Member;
  abilities: AbilityId[];
  /** The bases it answers from that the viewer may name. */
  knowledge: { id: string; name: string }[];
  knowledgeCount: number;
  status: AgentStatus;
  isLead: boolean;
}) {
  const names = new Map((useQuery(abilitiesQuery(useStores())).data ?? []).map((ability) => [ability.id, ability.name]));
  const look = statusLook[status.state];
  const unnamed = knowledgeCount - knowledge.length;
  return (
    <div className="space-y-2" data-testid="agent-card">
      <div className="flex items-center gap-2">
        <Avatar id={agent.id} name={agent.name} agent src={agent.avatar} />
        <div className="min-w-0">
          <p className="truncate text-sm font-semibold">
            {agent.name}
            {isLead && <span className="ml-1.5 rounded bg-violet-100 px-1 py-px text-[0.6rem] font-semibold uppercase text-violet-700 dark:bg-violet-900/60 dark:text-violet-200">Lead</span>}
          </p>
          {agent.handle && <p className="truncate text-xs text-gray-500 dark:text-gray-400">@{agent.handle}</p>}
        </div>
      </div>
      <p className="line-clamp-2 text-xs text-gray-600 dark:text-gray-300">{agent.description || 'No specialization written yet.'}</p>
      <p className="flex items-center gap-1.5 text-xs" data-testid="agent-status" data-state={status.state} role="status">
        <span aria-hidden className={`inline-block h-2 w-2 shrink-0 rounded-full ${look.dot}`} />
        <span className="font-medium">{look.label}</span>
        {status.detail && <span className="truncate text-gray-500 dark:text-gray-400">· {status.detail}</span>}
      </p>
      {abilities.length > 0 && (
        <ul className="flex flex-wrap gap-1" aria-label="Abilities">
          {abilities.map((id) => (
            <li key={id} className={`${chip} bg-sky-50 text-sky-800 dark:bg-sky-950 dark:text-sky-200`}>
              {names.get(id) ?? id}
            </li>
          ))}
        </ul>
      )}
      {knowledgeCount > 0 && (
        <ul className="flex flex-wrap gap-1" aria-label="Knowledge bases">
          {knowledge.map((base) => (
            <li key={base.id} className={`${chip} bg-emerald-50 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200`}>
              {base.name}
            </li>
          ))}
          {unnamed > 0 && <li className={`${chip} bg-gray-100 text-gray-600 dark:bg-gray-800 dark:text-gray-300`}>{knowledge.length ? `+${unnamed} more` : `${unnamed} knowledge ${unnamed === 1 ? 'base' : 'bases'}`}</li>}
        </ul>
      )}
    </div>
  );
}

export function PersonCard({ person, online, isYou }: { person: Member; online: boolean; isYou: boolean }) {
  return (
    <div className="flex items-center gap-2" data-testid="person-card">
      <Avatar id={person.id} name={person.name} />
      <div className="min-w-0">
        <p className="truncate text-sm font-semibold">
          {person.name}
          {isYou && <span className="ml-1 text-xs font-normal text-gray-500 dark:text-gray-400">(you)</span>}
        </p>
        <p className="flex items-center gap-1.5 text-xs text-gray-500 dark:text-gray-400">
          <span aria-hidden className={`inline-block h-2 w-2 rounded-full ${online ? 'bg-emerald-500' : 'bg-gray-400'}`} />
          {online ? 'Online' : 'Offline'} · {person.role === 'owner' ? 'Owner' : 'Member'}
        </p>
      </div>
    </div>
  );
}

export function KnowledgeCard({ name, description, documentCount, yours }: { name: string; description?: string; documentCount?: number; yours: boolean }) {
  return (
    <div className="space-y-1" data-testid="knowledge-card">
      <p className="flex items-center gap-2 text-sm font-semibold">
        <span aria-hidden className="inline-flex h-7 w-7 shrink-0 items-center justify-center rounded-md bg-emerald-600 text-xs text-white">KB</span>
        <span className="truncate">{name}</span>
      </p>
      {description && <p className="line-clamp-2 text-xs text-gray-600 dark:text-gray-300">{description}</p>}
      <p className="text-xs text-gray-500 dark:text-gray-400">
        {documentCount === undefined ? '' : `${documentCount} ${documentCount === 1 ? 'document' : 'documents'} · `}
        {yours ? 'Yours: connect it to one of your agents' : "A member's base"}
      </p>
    </div>
  );
}
