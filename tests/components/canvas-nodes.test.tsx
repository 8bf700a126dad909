/**
 * @jest-environment ./tests/helpers/jsdom-env.cjs
 * @jest-environment-options {"customExportConditions": ["node", "require", "default"]}
 */
// Node's export conditions: socket.io-client's CommonJS build opens its WebSocket with `ws`.
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ReactFlow, ReactFlowProvider, type Edge } from '@xyflow/react';
import { useState } from 'react';
import { KnowledgeCard, PersonCard } from '@/components/canvas/cards';
import { content, nodeTypes, type ContainerNodeType } from '@/components/canvas/container-node';
import { defaultLayout, freeSpot } from '@/components/canvas/layout';
import { agentStatuses, routeEdges, teamEdges } from '@/components/canvas/team-edges';
import { TeamCanvas } from '@/components/canvas/team-canvas';
import { RealtimeProvider } from '@/components/realtime/realtime-provider';
import type { Member, Message } from '@/lib/api-types';
import type { RunJson } from '@/lib/contracts/runs';
import { queryKeys } from '@/stores/query-keys';
import { RootStore } from '@/stores/root-store';
import type { ApiClient } from '../helpers/api-client';
import { testDatabaseKinds } from '../helpers/database';
import { uniqueName } from '../helpers/people';
import { createBrowserStore, renderWithStore, settled, watchRequests } from '../helpers/render-hub';
import { useSpawnedHub } from '../helpers/spawned-hub';

/*
 * React Flow measures its nodes to draw edges; jsdom lays nothing out. These stand-ins are the
 * ones React Flow's testing guide gives: every observed element reports itself at once, sizes come
 * from the inline style, and the viewport's transform is read at scale 1.
 */
class ResizeObserverStub {
  constructor(private readonly callback: ResizeObserverCallback) {}
  observe(target: Element) {
    this.callback([{ target } as ResizeObserverEntry], this as unknown as ResizeObserver);
  }
  unobserve() {}
  disconnect() {}
}
class DOMMatrixReadOnlyStub {
  m22: number;
  constructor(transform: string) {
    const scale = transform?.match(/scale\(([1-9.])\)/)?.[1];
    this.m22 = scale !== undefined ? +scale : 1;
  }
}
beforeAll(() => {
  Object.assign(globalThis, { ResizeObserver: ResizeObserverStub, DOMMatrixReadOnly: DOMMatrixReadOnlyStub });
  Object.defineProperties(HTMLElement.prototype, {
    offsetHeight: { configurable: true, get(this: HTMLElement) { return parseFloat(this.style.height) || 100; } },
    offsetWidth: { configurable: true, get(this: HTMLElement) { return parseFloat(this.style.width) || 100; } },
  });
  (SVGElement.prototype as unknown as { getBBox: () => DOMRect }).getBBox = () => ({ x: 0, y: 0, width: 0, height: 0 }) as DOMRect;
});

const person: Member = { id: '0190a000-0000-7000-8000-0000000000a1', kind: 'user', name: 'Rosa Diaz', role: 'owner', joinedAt: new Date(0).toISOString() };

/** A component with its own state, to show that a node's content is a live component, not markup. */
function Counter({ start }: { start: number }) {
  const [count, setCount] = useState(start);
  return (
    <button type="button" onClick={() => setCount(count + 1)} data-testid="counter">
      Clicked {count} times
    </button>
  );
}

describe('the container node', () => {
  it('renders two container nodes nesting two different components, joined by an edge', async () => {
    const nodes: ContainerNodeType[] = [
      { id: 'user:rosa', type: 'container', position: { x: 0, y: 0 }, data: { kind: 'Person', title: 'Rosa', content: content(PersonCard, { person, online: true, isYou: true }) } },
      { id: 'counter', type: 'container', position: { x: 0, y: 300 }, data: { kind: 'Counter', title: 'A counter', content: content(Counter, { start: 2 }) } },
    ];
    renderWithStore(
      new RootStore({ user: { id: person.id, name: person.name, email: 'rosa@example.com' } }),
      <div style={{ width: 800, height: 600 }}>
        <ReactFlowProvider>
          <ReactFlow nodes={nodes} edges={[{ id: 'e1', source: 'user:rosa', target: 'counter', label: 'hands to' }]} nodeTypes={nodeTypes} />
        </ReactFlowProvider>
      </div>,
    );

    const frames = await screen.findAllByTestId('canvas-node');
    expect(frames.map((frame) => frame.dataset.kind)).toEqual(['person', 'counter']);
    // Each frame holds its own component: the person card in one, the counter (still interactive) in the other.
    expect(within(frames[0]!).getByTestId('person-card')).toHaveTextContent('Rosa Diaz(you)');
    expect(within(frames[0]!).queryByTestId('counter')).toBeNull();
    // A click, not a pointer sequence: jsdom's mouse events carry no `view` for React Flow's drag to read.
    fireEvent.click(within(frames[1]!).getByTestId('counter'));
    expect(within(frames[1]!).getByTestId('counter')).toHaveTextContent('Clicked 3 times');

    const edge = await screen.findByTestId('rf__edge-e1');
    expect(edge).toHaveAttribute('aria-label', 'Edge from user:rosa to counter');
    expect(edge.querySelector('path.react-flow__edge-path')?.getAttribute('d')).toMatch(/^M/);
    expect(within(edge).getByText('hands to')).toBeInTheDocument();
  });

  it('gives the same component different props in different nodes', async () => {
    const nodes: ContainerNodeType[] = ['Policies', 'Runbooks'].map((name, i) => ({
      id: `kb:${i}`,
      type: 'container',
      position: { x: i * 300, y: 0 },
      data: { kind: 'Knowledge', title: name, connectable: true, content: content(KnowledgeCard, { name, documentCount: i + 1, yours: i === 0 }) },
    }));
    renderWithStore(new RootStore(), <div style={{ width: 800, height: 600 }}><ReactFlowProvider><ReactFlow nodes={nodes} edges={[]} nodeTypes={nodeTypes} /></ReactFlowProvider></div>);
    const cards = await screen.findAllByTestId('knowledge-card');
    expect(cards.map((card) => card.textContent)).toEqual([expect.stringMatching(/Policies1 document · Yours/), expect.stringMatching(/Runbooks2 documents · A member's base/)]);
  });
});

describe('the team graph', () => {
  const agent = (id: string, name: string) => ({ kind: 'agent' as const, id, name });
  const message = (id: string, author: Message['author'], extra: Partial<Message> = {}): Message => ({ id, channelId: 'c', author, content: id, status: 'complete', createdAt: new Date(0).toISOString(), ...extra });

  it('draws the lead, hand-offs from the reply chain (live while streaming), task assignments and known bases', () => {
    const present = new Set(['agent:lead', 'agent:a', 'agent:b', 'run:r1', 'kb:k1', 'user:u']);
    const messages = [
      message('m1', { kind: 'user', id: 'u', name: 'U' }),
      message('m2', agent('a', 'A'), { replyTo: 'm1' }),
      // A's reply answered by B: a hand-off from A to B; twice, the second still streaming.
      message('m3', agent('b', 'B'), { replyTo: 'm2' }),
      message('m4', agent('b', 'B'), { replyTo: 'm2', status: 'streaming' }),
      // An agent answering itself, or a person, is no hand-off.
      message('m5', agent('a', 'A'), { replyTo: 'm2' }),
    ];
    const run = { id: 'r1', supervisorAgentId: null, status: 'running', tasks: [{ id: 't1', title: 'Draft', agentId: 'a', status: 'doing' }, { id: 't2', title: 'Check', agentId: 'b', status: 'todo' }] } as unknown as RunJson;
    const edges = teamEdges({ present, leadAgentId: 'lead', messages, runs: [run], knowledgeOf: new Map([['a', ['k1', 'elsewhere']]]) });
    const summary = edges.map((edge) => [edge.data!.kind, edge.source, edge.target, edge.label, edge.animated]);
    expect(summary).toEqual([
      ['lead', 'agent:lead', 'agent:a', 'leads', false],
      ['lead', 'agent:lead', 'agent:b', 'leads', false],
      ['handoff', 'agent:a', 'agent:b', 'hand-off ×2', true],
      ['task', 'run:r1', 'agent:a', 'task', true],
      ['task', 'run:r1', 'agent:b', 'task', false],
      ['knowledge', 'agent:a', 'kb:k1', 'knows', false],
    ]);
    // With a lead supervising, tasks come from the lead (and none to the lead itself).
    const led = teamEdges({ present, leadAgentId: null, messages: [], runs: [{ ...run, supervisorAgentId: 'lead', tasks: [...run.tasks, { id: 't3', title: 'Sum up', agentId: 'lead', status: 'todo' }] } as RunJson], knowledgeOf: new Map() });
    expect(led.map((edge) => `${edge.source}->${edge.target}`)).toEqual(['agent:lead->agent:a', 'agent:lead->agent:b']);
  });

  it('routes each edge between the sides of its cards that face each other', () => {
    const box = (x: number, y: number) => ({ x, y, width: 200, height: 100 });
    const boxes = new Map([['a', box(0, 0)], ['below', box(0, 400)], ['above', box(50, -400)], ['right', box(600, 30)], ['left', box(-600, -30)]]);
    const routed = routeEdges<Edge>(['below', 'above', 'right', 'left', 'gone'].map((target) => ({ id: target, source: 'a', target })), boxes);
    expect(routed.map((edge) => [edge.target, edge.sourceHandle, edge.targetHandle])).toEqual([
      ['below', 'source-bottom', 'target-top'],
      ['above', 'source-top', 'target-bottom'],
      ['right', 'source-right', 'target-left'],
      ['left', 'source-left', 'target-right'],
      ['gone', undefined, undefined],
    ]);
  });

  it('says what each agent is doing: a tool, thinking, or idle', () => {
    const streaming = message('m1', agent('a', 'A'), { status: 'streaming' });
    const toolUser = message('m2', agent('b', 'B'), { status: 'streaming' });
    const run = { status: 'running', tasks: [{ agentId: 'c', status: 'doing', title: 'Review the draft' }] } as unknown as RunJson;
    const statuses = agentStatuses([streaming, toolUser, message('m3', agent('d', 'D'))], (m) => (m.id === 'm2' ? [{ id: 's', tool: 'web_search', status: 'running', title: 'Searching the web' }] : []), [run]);
    expect(Object.fromEntries(statuses)).toEqual({
      a: { state: 'thinking', detail: undefined },
      b: { state: 'tool', detail: 'Searching the web' },
      c: { state: 'thinking', detail: 'Review the draft' },
    });
  });

  it('lays out the lead on top, agents, people and bases in rows, and finds free spots', () => {
    const input = { leadAgentId: 'l', agentIds: ['a', 'l', 'b'], userIds: ['u'], knowledgeIds: ['k'], runIds: ['r'] };
    const at = defaultLayout(input);
    expect(defaultLayout(input)).toEqual(at);
    expect(at.get('agent:l')!.y).toBeLessThan(at.get('agent:a')!.y);
    expect(at.get('agent:a')!.y).toBe(at.get('agent:b')!.y);
    expect(at.get('agent:a')!.x).toBeLessThan(at.get('agent:b')!.x);
    expect(at.get('user:u')!.y).toBeGreaterThan(at.get('agent:a')!.y);
    expect(at.get('kb:k')!.y).toBeGreaterThan(at.get('user:u')!.y);
    expect(at.get('run:r')!.x).toBeLessThan(at.get('agent:a')!.x);
    expect(at.get('chat')!.x).toBeGreaterThan(at.get('agent:b')!.x);
    const taken = [{ x: 0, y: 0, width: 264, height: 190 }];
    expect(freeSpot([], { x: 0, y: 0 })).toEqual({ x: 0, y: 0 });
    const spot = freeSpot(taken, { x: 0, y: 0 });
    expect(spot).not.toEqual({ x: 0, y: 0 });
    expect(freeSpot([...taken, { ...spot, width: 264, height: 190 }], { x: 0, y: 0 })).not.toEqual(spot);
  });
});

describe.each(testDatabaseKinds())('the team canvas against a real hub (%s)', (kind) => {
  const hub = useSpawnedHub(kind, { realtime: true });

  async function setup() {
    const api: ApiClient = hub.client();
    const user = await api.signUp('Ada');
    const channel = (await api.post('/api/channels', { name: uniqueName('team') })).json.channel;
    const scout = (await api.post('/api/agents', { name: 'Scout', handle: 'scout', instructions: 'Find things.', description: 'Finds sources', abilities: ['web_search'] })).json.agent;
    const writer = (await api.post('/api/agents', { name: 'Writer', handle: 'writer', instructions: 'Write.' })).json.agent;
    await api.post(`/api/channels/${channel.id}/members`, { agentId: scout.id });
    await api.post(`/api/channels/${channel.id}/members`, { agentId: writer.id });
    await api.patch(`/api/channels/${channel.id}`, { leadAgentId: scout.id });
    const bob = hub.client();
    const bobUser = await bob.signUp('Bob');
    await api.post(`/api/channels/${channel.id}/members`, { email: bobUser.email });

    const store = createBrowserStore({ baseUrl: hub.url, cookie: api.cookie, user });
    const { channel: fresh, members } = await store.channels.get(channel.id);
    await store.queryClient.fetchQuery({ queryKey: queryKeys.channels, queryFn: () => store.channels.list() });
    const net = watchRequests(store.http);
    renderWithStore(
      store,
      <RealtimeProvider url={hub.realtimeUrl}>
        <div style={{ width: 1200, height: 800 }}>
          <TeamCanvas channel={fresh} members={members} />
        </div>
      </RealtimeProvider>,
    );
    await waitFor(() => expect(store.user.connection).toBe('online'), { timeout: 10_000 });
    await screen.findByTestId('team-canvas');
    await settled(store);
    return { api, bob, channel: fresh, members, scout, writer, store, net };
  }

  it('shows the channel as cards with the lead edges, saves a keyboard move, and shows another member\'s note live', async () => {
    const { bob, channel, members, scout, writer, store, net } = await setup();
    const cards = screen.getAllByTestId('canvas-node');
    expect(cards.map((card) => card.dataset.kind).sort()).toEqual(['agent', 'agent', 'chat', 'person', 'person']);
    const scoutCard = screen.getByTestId(`rf__node-agent:${scout.id}`);
    expect(scoutCard).toHaveAttribute('aria-label', 'Agent: Scout');
    expect(within(scoutCard).getByTestId('agent-card')).toHaveTextContent(/ScoutLead@scoutFinds sourcesIdle/);
    expect(within(scoutCard).getByLabelText('Abilities')).toHaveTextContent('Web search');
    expect(await screen.findByTestId(`rf__edge-lead:agent:${scout.id}->agent:${writer.id}`)).toHaveAttribute('aria-label', `leads: agent:${scout.id} to agent:${writer.id}`);

    // Keyboard: focus the writer's card, select it with Enter, move it right; the move is saved.
    const writerCard = screen.getByTestId(`rf__node-agent:${writer.id}`);
    const start = defaultLayout({ leadAgentId: scout.id, agentIds: [scout.id, writer.id], userIds: members.filter((m) => m.kind === 'user').map((m) => m.id), knowledgeIds: [], runIds: [] }).get(`agent:${writer.id}`)!;
    act(() => writerCard.focus());
    await userEvent.keyboard('{Enter}');
    await waitFor(() => expect(writerCard).toHaveClass('selected'));
    await userEvent.keyboard('{ArrowRight}{ArrowRight}{Shift>}{ArrowDown}{/Shift}');
    await waitFor(() => expect(net.count(/^PUT .*\/canvas\/nodes$/)).toBeGreaterThan(0));
    // Polled inside waitFor, so the echoes of Ada's own saves landing meanwhile are awaited updates.
    await waitFor(async () => expect((await bob.get(`/api/channels/${channel.id}/canvas`)).json.canvas.nodes).toContainEqual({ id: `agent:${writer.id}`, x: start.x + 10, y: start.y + 20 }));
    await act(() => store.canvas.settled(channel.id));
    await settled(store);

    // Bob adds a note over HTTP: it appears on Ada's canvas without a reload.
    const noteId = `note:${crypto.randomUUID()}`;
    // In act: the note's canvas:updated may reach Ada's socket before Bob's answer reaches him.
    const added = await act(() => bob.request('PUT', `/api/channels/${channel.id}/canvas/nodes`, { nodes: [{ id: noteId, x: 40, y: 600, data: { text: 'Ship on Friday', color: 'green' } }] }));
    expect(added.status).toBe(200);
    const note = await screen.findByTestId(`rf__node-${noteId}`);
    expect(within(note).getByTestId('note-text')).toHaveValue('Ship on Friday');
    expect(within(note).getByRole('button', { name: 'Green' })).toHaveAttribute('aria-pressed', 'true');
    await settled(store);
  });
});
