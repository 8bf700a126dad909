import type { Agent, KnowledgeBase, Member } from '@/lib/api-types';
import type { ChannelJson } from '@/lib/contracts/channels';
import type { RunJson } from '@/lib/contracts/runs';
import type { CanvasViewJson } from '@/lib/teams/canvas';
import { RunChecklist } from '@/components/runs/run-checklist';
import { AgentCard, KnowledgeCard, PersonCard } from './cards';
import { content, type ContainerNodeType } from './container-node';
import { defaultLayout, type Point } from './layout';
import { MiniChat } from './mini-chat';
import { StickyNote, noteLook } from './sticky-note';
import type { AgentStatus } from './team-edges';

export type TeamNodesInput = {
  channel: ChannelJson;
  members: Member[];
  canvas: CanvasViewJson;
  /** The channel's runs, newest first. */
  runs: RunJson[];
  /** The viewer's own agents and knowledge bases (their cards say more about them). */
  ownAgents: Agent[];
  ownBases: KnowledgeBase[];
  statuses: Map<string, AgentStatus>;
  online: Set<string>;
  me?: string;
  onOpenChat?: () => void;
  /** Takes a node off the canvas (a note is deleted). */
  onRemove: (nodeId: string, what: string) => void;
};

/** The runs a canvas shows: the newest, and any someone put there. */
export const shownRuns = (runs: RunJson[], canvas: CanvasViewJson) => runs.filter((run, i) => i === 0 || canvas.nodes.some((node) => node.id === `run:${run.id}`));

/** Each agent's knowledge bases: the viewer's own agents from their roster (fresher), the others from the canvas. */
export function knowledgeOf(canvas: CanvasViewJson, ownAgents: Agent[]): Map<string, string[]> {
  const links = new Map(canvas.agents.map((agent) => [agent.id, agent.knowledgeBaseIds]));
  for (const agent of ownAgents) if (links.has(agent.id)) links.set(agent.id, agent.knowledgeBaseIds);
  return links;
}

function RemoveButton({ label, onClick }: { label: string; onClick: () => void }) {
  return (
    <button
      type="button"
      aria-label={label}
      title={label}
      data-testid="canvas-node-remove"
      onClick={onClick}
      className="rounded px-1 text-sm leading-none text-gray-500 hover:bg-black/10 hover:text-gray-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 dark:text-gray-400 dark:hover:bg-white/10 dark:hover:text-white"
    >
      ×
    </button>
  );
}

const refOf = (nodeId: string) => nodeId.slice(nodeId.indexOf(':') + 1);

/**
 * The canvas's nodes: every agent and person of the channel, the knowledge bases put there, the
 * newest run (and any pinned one), the chat and the notes; each a container node with its card
 * inside, where it was put or, never moved, where the default layout puts it.
 */
export function teamNodes(input: TeamNodesInput): ContainerNodeType[] {
  const { channel, members, canvas, ownAgents, ownBases, statuses, online, me, onOpenChat, onRemove } = input;
  const saved = new Map(canvas.nodes.map((node) => [node.id, node]));
  const agents = members.filter((member) => member.kind === 'agent');
  const people = members.filter((member) => member.kind === 'user');
  const baseIds = canvas.nodes.filter((node) => node.id.startsWith('kb:')).map((node) => refOf(node.id));
  const runs = shownRuns(input.runs, canvas);
  const layout = defaultLayout({ leadAgentId: channel.leadAgentId, agentIds: agents.map((a) => a.id), userIds: people.map((p) => p.id), knowledgeIds: baseIds, runIds: runs.map((run) => run.id) });
  const at = (id: string): Point => {
    const node = saved.get(id);
    return node ? { x: node.x, y: node.y } : (layout.get(id) ?? { x: 0, y: 0 });
  };
  const node = (id: string, data: ContainerNodeType['data']): ContainerNodeType => ({ id, type: 'container', position: at(id), data, ariaLabel: `${data.kind}: ${data.title}`, className: 'group outline-none' });

  const extras = new Map(canvas.agents.map((agent) => [agent.id, agent]));
  const own = new Map(ownAgents.map((agent) => [agent.id, agent]));
  const bases = new Map<string, { name: string; description?: string; documentCount?: number; ownerId?: string }>(canvas.knowledgeBases.map((base) => [base.id, base]));
  for (const base of ownBases) if (!bases.has(base.id)) bases.set(base.id, { ...base, ownerId: me });
  const links = knowledgeOf(canvas, ownAgents);

  return [
    ...agents.map((agent) => {
      const ids = links.get(agent.id) ?? [];
      const mine = own.get(agent.id);
      const known = (mine ? mine.knowledgeBaseIds : ids).flatMap((id) => (bases.has(id) ? [{ id, name: bases.get(id)!.name }] : []));
      return node(`agent:${agent.id}`, {
        kind: 'Agent',
        title: agent.name,
        connectable: true,
        accent: 'border-violet-300 dark:border-violet-800',
        content: content(AgentCard, {
          agent,
          abilities: mine?.abilities ?? extras.get(agent.id)?.abilities ?? [],
          knowledge: known,
          knowledgeCount: mine ? mine.knowledgeBaseIds.length : (extras.get(agent.id)?.knowledgeBaseCount ?? 0),
          status: statuses.get(agent.id) ?? { state: 'idle' },
          isLead: channel.leadAgentId === agent.id,
        }),
      });
    }),
    ...people.map((person) => node(`user:${person.id}`, { kind: 'Person', title: person.name, content: content(PersonCard, { person, online: online.has(person.id), isYou: person.id === me }) })),
    ...baseIds.map((id) => {
      const base = bases.get(id);
      return node(`kb:${id}`, {
        kind: 'Knowledge',
        title: base?.name ?? 'Knowledge base',
        connectable: true,
        accent: 'border-emerald-300 dark:border-emerald-800',
        actions: <RemoveButton label={`Take ${base?.name ?? 'this knowledge base'} off the canvas`} onClick={() => onRemove(`kb:${id}`, base?.name ?? 'the knowledge base')} />,
        content: content(KnowledgeCard, { name: base?.name ?? 'Knowledge base', description: base?.description, documentCount: base?.documentCount, yours: Boolean(me && base?.ownerId === me) }),
      });
    }),
    ...runs.map((run) => node(`run:${run.id}`, { kind: 'Goal run', title: run.goal, width: 380, accent: 'border-amber-300 dark:border-amber-800', content: content(RunChecklist, { run }) })),
    node('chat', { kind: 'Chat', title: `#${channel.name}`, width: 300, content: content(MiniChat, { channelId: channel.id, onOpenChat }) }),
    ...canvas.nodes
      .filter((saved) => saved.id.startsWith('note:'))
      .map((note) =>
        node(note.id, {
          kind: 'Note',
          title: note.data?.text?.slice(0, 40) || 'Empty note',
          width: 220,
          accent: `border-transparent ${noteLook(note.data?.color).note}`,
          actions: <RemoveButton label="Delete this note" onClick={() => onRemove(note.id, 'the note')} />,
          content: content(StickyNote, { channelId: channel.id, id: note.id, x: note.x, y: note.y, text: note.data?.text ?? '', color: note.data?.color }),
        }),
      ),
  ];
}
