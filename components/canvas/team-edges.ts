import { MarkerType, type Edge } from '@xyflow/react';
import type { Activity, Message } from '@/lib/api-types';
import type { RunJson } from '@/lib/contracts/runs';

/** What the canvas draws between its nodes: who leads, who handed off to whom, who was given which task, which base an agent knows. */
export type TeamEdgeKind = 'lead' | 'handoff' | 'task' | 'knowledge';
export type TeamEdge = Edge<{ kind: TeamEdgeKind }>;

const colors: Record<TeamEdgeKind, string> = { lead: '#8b5cf6', handoff: '#0ea5e9', task: '#f59e0b', knowledge: '#10b981' };

function edge(kind: TeamEdgeKind, source: string, target: string, label: string, animated: boolean): TeamEdge {
  return {
    id: `${kind}:${source}->${target}`,
    source,
    target,
    label,
    animated,
    data: { kind },
    className: `team-edge-${kind}`,
    ariaLabel: `${label}: ${source} to ${target}`,
    style: { stroke: colors[kind], strokeWidth: 2, ...(kind === 'lead' || kind === 'knowledge' ? { strokeDasharray: '6 4' } : {}) },
    markerEnd: { type: MarkerType.ArrowClosed, color: colors[kind] },
    labelBgPadding: [4, 2],
    labelBgBorderRadius: 4,
    labelStyle: { fontSize: 11, fontWeight: 600, fill: colors[kind] },
  };
}

export type TeamEdgeInput = {
  /** Node ids on the canvas: edges are drawn only between nodes that are there. */
  present: Set<string>;
  leadAgentId: string | null;
  /** The loaded history, oldest first. */
  messages: Message[];
  /** The runs shown on the canvas. */
  runs: RunJson[];
  /** Each agent's knowledge bases (those on the canvas are drawn). */
  knowledgeOf: Map<string, string[]>;
};

/**
 * The team's edges. A hand-off is an agent's reply to another agent's message (the reply chain of
 * the loaded history), animated while that reply streams; a task goes from the run's supervisor
 * (its lead agent, else the run itself) to the task's agent, animated while the task is being done.
 */
export function teamEdges({ present, leadAgentId, messages, runs, knowledgeOf }: TeamEdgeInput): TeamEdge[] {
  const edges: TeamEdge[] = [];
  const lead = leadAgentId ? `agent:${leadAgentId}` : undefined;
  if (lead && present.has(lead)) {
    for (const id of present) if (id.startsWith('agent:') && id !== lead) edges.push(edge('lead', lead, id, 'leads', false));
  }

  const byId = new Map(messages.map((message) => [message.id, message]));
  const handoffs = new Map<string, { source: string; target: string; count: number; live: boolean }>();
  for (const message of messages) {
    const answered = message.replyTo ? byId.get(message.replyTo) : undefined;
    if (message.author.kind !== 'agent' || answered?.author.kind !== 'agent' || answered.author.id === message.author.id) continue;
    const source = `agent:${answered.author.id}`;
    const target = `agent:${message.author.id}`;
    if (!present.has(source) || !present.has(target)) continue;
    const key = `${source}->${target}`;
    const seen = handoffs.get(key) ?? { source, target, count: 0, live: false };
    handoffs.set(key, { ...seen, count: seen.count + 1, live: seen.live || message.status === 'streaming' });
  }
  for (const { source, target, count, live } of handoffs.values()) edges.push(edge('handoff', source, target, count > 1 ? `hand-off ×${count}` : 'hand-off', live));

  const tasks = new Map<string, { source: string; target: string; count: number; live: boolean }>();
  for (const run of runs) {
    const supervisor = run.supervisorAgentId ? `agent:${run.supervisorAgentId}` : undefined;
    const source = supervisor && present.has(supervisor) ? supervisor : `run:${run.id}`;
    if (!present.has(source)) continue;
    for (const task of run.tasks) {
      const target = task.agentId ? `agent:${task.agentId}` : undefined;
      if (!target || target === source || !present.has(target)) continue;
      const key = `${source}->${target}`;
      const seen = tasks.get(key) ?? { source, target, count: 0, live: false };
      tasks.set(key, { ...seen, count: seen.count + 1, live: seen.live || task.status === 'doing' });
    }
  }
  for (const { source, target, count, live } of tasks.values()) edges.push(edge('task', source, target, count > 1 ? `${count} tasks` : 'task', live));

  for (const [agentId, baseIds] of knowledgeOf) {
    const source = `agent:${agentId}`;
    if (!present.has(source)) continue;
    for (const baseId of baseIds) if (present.has(`kb:${baseId}`)) edges.push(edge('knowledge', source, `kb:${baseId}`, 'knows', false));
  }
  return edges;
}

type Box = { x: number; y: number; width: number; height: number };

/**
 * Each edge leaves its source and enters its target on the sides that face each other (the
 * handles `ContainerNode` has on every side), so an edge to a card above or beside goes straight
 * there instead of looping round from bottom to top.
 */
export function routeEdges<E extends Edge>(edges: E[], boxes: Map<string, Box>): E[] {
  return edges.map((edge) => {
    const from = boxes.get(edge.source);
    const to = boxes.get(edge.target);
    if (!from || !to) return edge;
    const dx = to.x + to.width / 2 - (from.x + from.width / 2);
    const dy = to.y + to.height / 2 - (from.y + from.height / 2);
    const [out, into] = Math.abs(dy) >= Math.abs(dx) ? (dy >= 0 ? ['bottom', 'top'] : ['top', 'bottom']) : dx >= 0 ? ['right', 'left'] : ['left', 'right'];
    return { ...edge, sourceHandle: `source-${out}`, targetHandle: `target-${into}` };
  });
}

export type AgentStatus = { state: 'idle' | 'thinking' | 'tool'; detail?: string };

/**
 * What each agent is doing now: using a tool (a running step of its streaming reply), thinking
 * (a reply streaming, or a run's task in hand), or idle.
 */
export function agentStatuses(messages: Message[], activitiesOf: (message: Message) => Activity[], runs: RunJson[]): Map<string, AgentStatus> {
  const statuses = new Map<string, AgentStatus>();
  for (const run of runs) {
    if (run.status !== 'running' && run.status !== 'planning') continue;
    for (const task of run.tasks) if (task.agentId && task.status === 'doing') statuses.set(task.agentId, { state: 'thinking', detail: task.title });
  }
  for (const message of messages) {
    if (message.author.kind !== 'agent' || message.status !== 'streaming') continue;
    const running = activitiesOf(message).filter((step) => step.status === 'running').at(-1);
    statuses.set(message.author.id, running ? { state: 'tool', detail: running.title } : { state: 'thinking', detail: statuses.get(message.author.id)?.detail });
  }
  return statuses;
}
