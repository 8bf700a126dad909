'use client';

import '@xyflow/react/dist/style.css';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Background, Controls, MiniMap, ReactFlow, ReactFlowProvider, useReactFlow, type Connection, type Edge, type NodeChange } from '@xyflow/react';
import { Spinner } from 'flowbite-react';
import { observer } from 'mobx-react-lite';
import { useRef, useState, type DragEvent } from 'react';
import { useRuns } from '@/components/runs/use-runs';
import { useAction } from '@/components/ui/use-action';
import type { Agent, Member } from '@/lib/api-types';
import type { ChannelJson } from '@/lib/contracts/channels';
import { toApiError } from '@/lib/http/client';
import { canvasQuery } from '@/stores/canvas-store';
import { useStores } from '@/stores/context';
import { knowledgeListQuery } from '@/stores/knowledge-store';
import { flattenHistory } from '@/stores/message-store';
import { agentsQuery, historyQuery } from '@/stores/queries';
import { CanvasPalette, PALETTE_MIME, readPaletteDrop, type PaletteItem } from './canvas-palette';
import { nodeTypes, type ContainerNodeType } from './container-node';
import { CARD, freeSpot, type Point } from './layout';
import { agentStatuses, routeEdges, teamEdges } from './team-edges';
import { knowledgeOf, shownRuns, teamNodes } from './team-nodes';

type NodeUi = Partial<Pick<ContainerNodeType, 'selected' | 'measured'>>;

/** What ReactFlow reports about nodes that is this browser's alone: which are selected, how big each was drawn. */
function applyUi(ui: Record<string, NodeUi>, changes: NodeChange<ContainerNodeType>[]): Record<string, NodeUi> {
  let next = ui;
  for (const change of changes) {
    if (change.type === 'dimensions' && change.dimensions) next = { ...next, [change.id]: { ...next[change.id], measured: change.dimensions } };
    else if (change.type === 'select') next = { ...next, [change.id]: { ...next[change.id], selected: change.selected } };
  }
  return next;
}

type Props = { channel: ChannelJson; members: Member[]; onOpenChat?: () => void };

/** The Canvas view of a channel: its team as cards and edges, laid out by its members, live. */
export function TeamCanvas(props: Props) {
  return (
    <ReactFlowProvider>
      <Canvas {...props} />
    </ReactFlowProvider>
  );
}

const Canvas = observer(function Canvas({ channel, members, onOpenChat }: Props) {
  const root = useStores();
  const channelId = channel.id;
  const flow = useReactFlow<ContainerNodeType, Edge>();
  const wrapper = useRef<HTMLDivElement>(null);
  const view = useQuery(canvasQuery(root, channelId));
  const history = useInfiniteQuery(historyQuery(root, channelId));
  const runs = useRuns(channelId).data ?? [];
  const roster = useQuery(agentsQuery(root)).data ?? [];
  const ownBases = useQuery(knowledgeListQuery(root)).data?.knowledgeBases ?? [];
  const [ui, setUi] = useState<Record<string, NodeUi>>({});
  const [notice, setNotice] = useState<string | null>(null);
  const me = root.user.user?.id;

  const messages = flattenHistory(history.data);
  const inChannel = new Set(members.map((member) => member.id));
  const ownAgents = roster.filter((agent) => inChannel.has(agent.id));

  const link = useAction(({ agent, knowledgeBaseId }: { agent: Agent; knowledgeBaseId: string }) => root.canvas.linkKnowledge(channelId, agent, knowledgeBaseId));
  const remove = useAction(({ nodeId }: { nodeId: string; what: string }) => root.canvas.remove(channelId, nodeId));
  const add = useAction(async ({ item, at }: { item: PaletteItem; at?: Point }) => {
    const spot = at ?? freeSpot(taken(), viewportCentre());
    if (item.kind === 'agent') await root.canvas.addAgent(channelId, item.id, spot);
    else if (item.kind === 'kb') root.canvas.addKnowledge(channelId, item.id, spot);
    else root.canvas.addNote(channelId, spot);
  });

  if (!view.data) {
    return (
      <div className="flex flex-1 items-center justify-center" data-testid="team-canvas-loading">
        {view.isError ? <p className="text-sm text-red-600 dark:text-red-400">{toApiError(view.error).message}</p> : <Spinner aria-label="Loading the canvas" />}
      </div>
    );
  }
  const canvas = view.data;

  const nodes = teamNodes({
    channel,
    members,
    canvas,
    runs,
    ownAgents,
    ownBases,
    statuses: agentStatuses(messages, (message) => root.messages.activitiesOf(message), runs),
    online: new Set(root.channels.presence.get(channelId) ?? []),
    me,
    onOpenChat,
    onRemove: (nodeId, what) => remove.run({ nodeId, what }),
  }).map((node) => ({ ...node, ...ui[node.id] }));
  const edges = routeEdges(
    teamEdges({ present: new Set(nodes.map((node) => node.id)), leadAgentId: channel.leadAgentId, messages, runs: shownRuns(runs, canvas), knowledgeOf: knowledgeOf(canvas, ownAgents) }),
    new Map(taken().map((box, i) => [nodes[i]!.id, box])),
  );

  function taken() {
    return nodes.map((node) => ({ ...node.position, width: node.measured?.width ?? node.data.width ?? CARD.width, height: node.measured?.height ?? CARD.height }));
  }
  function viewportCentre(): Point {
    const box = wrapper.current?.getBoundingClientRect();
    const centre = box ? flow.screenToFlowPosition({ x: box.left + box.width / 2, y: box.top + box.height / 2 }) : { x: 0, y: 0 };
    return { x: centre.x - CARD.width / 2, y: centre.y - CARD.height / 2 };
  }

  function onNodesChange(changes: NodeChange<ContainerNodeType>[]) {
    for (const change of changes) {
      // Mid-drag moves go out throttled, so the others see the card travel; a drop or a key press at once.
      if (change.type === 'position' && change.position) root.canvas.move(channelId, { id: change.id, x: Math.round(change.position.x), y: Math.round(change.position.y) }, { live: Boolean(change.dragging) });
    }
    setUi((current) => applyUi(current, changes));
  }

  /** Only a knowledge base and an agent connect: the edge gives the base to the agent. */
  const pairOf = (connection: Connection | Edge) => {
    const ends = [connection.source, connection.target];
    return { base: ends.find((id) => id.startsWith('kb:')), agent: ends.find((id) => id.startsWith('agent:')) };
  };
  function onConnect(connection: Connection) {
    const { base, agent } = pairOf(connection);
    const mine = roster.find((candidate) => `agent:${candidate.id}` === agent);
    const knowledgeBaseId = base?.slice(3);
    if (!mine) return setNotice('Only your own agents can be given a knowledge base.');
    if (!ownBases.some((candidate) => candidate.id === knowledgeBaseId)) return setNotice('You can give your agents only your own knowledge bases.');
    setNotice(null);
    link.run({ agent: mine, knowledgeBaseId: knowledgeBaseId! });
  }

  function onDragOver(event: DragEvent) {
    if (!event.dataTransfer.types.includes(PALETTE_MIME)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  }
  function onDrop(event: DragEvent) {
    const item = readPaletteDrop(event);
    if (!item) return;
    event.preventDefault();
    const point = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
    add.run({ item, at: { x: Math.round(point.x - CARD.width / 2), y: Math.round(point.y - 24) } });
  }

  const onCanvas = new Set(canvas.nodes.map((node) => node.id));
  const paletteAgents = roster.filter((agent) => !inChannel.has(agent.id)).map((agent) => ({ kind: 'agent' as const, id: agent.id, name: agent.name, detail: agent.description || `@${agent.handle}`, avatar: agent.avatar }));
  const paletteBases = ownBases
    .filter((base) => !onCanvas.has(`kb:${base.id}`))
    .map((base) => ({ kind: 'kb' as const, id: base.id, name: base.name, detail: `${base.documentCount} ${base.documentCount === 1 ? 'document' : 'documents'}` }));
  const problem = notice ?? add.error?.message ?? link.error?.message ?? remove.error?.message ?? root.canvas.saveError;

  return (
    <div className="relative flex min-h-0 flex-1" data-testid="team-canvas">
      <CanvasPalette agents={paletteAgents} bases={paletteBases} busyId={add.pending && add.variables ? `${add.variables.item.kind}:${add.variables.item.id}` : undefined} error={problem} onAdd={(item) => add.run({ item })} />
      {/* Absolutely filled: React Flow takes 100% of a box whose height is set. */}
      <div ref={wrapper} className="relative min-w-0 flex-1">
        <div className="absolute inset-0">
          <ReactFlow<ContainerNodeType, Edge>
            nodes={nodes}
            edges={edges}
            nodeTypes={nodeTypes}
            onNodesChange={onNodesChange}
            onNodeDragStart={(_, __, dragged) => dragged.forEach((node) => root.canvas.dragStarted(channelId, node.id))}
            onNodeDragStop={(_, __, dragged) => dragged.forEach((node) => root.canvas.dragEnded(channelId, node.id))}
            onConnect={onConnect}
            isValidConnection={(connection) => Boolean(pairOf(connection).base && pairOf(connection).agent)}
            onDragOver={onDragOver}
            onDrop={onDrop}
            colorMode={root.user.theme}
            deleteKeyCode={null}
            fitView
            fitViewOptions={{ padding: 0.15, maxZoom: 1 }}
            minZoom={0.2}
            ariaLabelConfig={{ 'node.a11yDescription.default': 'Press Enter or Space to select this card, then the arrow keys to move it (Shift moves further).' }}
          >
            <Background gap={24} />
            <Controls showInteractive={false} position="bottom-left" />
            <MiniMap className="!hidden md:!block" position="bottom-right" pannable zoomable ariaLabel="Minimap of the canvas" />
          </ReactFlow>
        </div>
      </div>
    </div>
  );
});
