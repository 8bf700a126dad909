import { makeAutoObservable, runInAction } from 'mobx';
import { queryOptions } from '@tanstack/react-query';
import type { Agent } from '@/lib/api-types';
import type { CanvasNodeJson } from '@/lib/contracts/runs';
import { toApiError } from '@/lib/http/client';
import type { CanvasViewJson } from '@/lib/teams/canvas';
import { queryKeys } from './query-keys';
import type { RootStore } from './root-store';

/** While a node is dragged, its position goes out at most this often, so others see it move. */
export const LIVE_MOVE_MS = 100;

const nodesPath = (channelId: string) => `/api/channels/${encodeURIComponent(channelId)}/canvas/nodes`;

/**
 * A channel's team canvas (where its nodes sit, its sticky notes) is server data in React Query
 * (`queryKeys.canvas(channelId)`); this store holds the transport, and `canvas:updated` /
 * `canvas:removed` write other members' moves into it.
 *
 * Own moves are written into the cache at once and sent behind it: one save in flight per
 * channel, the moves made meanwhile coalesced into the next, so saves (and their echoes) arrive
 * in the order they were made. A node being dragged, or whose move is not yet saved, ignores
 * echoes of its earlier positions.
 */
export class CanvasStore {
  /** Why the last save failed (shown on the canvas until the next one succeeds). */
  saveError: string | null = null;
  private waiting = new Map<string, Map<string, CanvasNodeJson>>();
  private sending = new Map<string, Set<string>>();
  private timers = new Map<string, ReturnType<typeof setTimeout>>();
  private dragging = new Set<string>();
  private inFlight = new Map<string, Promise<void>>();

  constructor(private readonly root: RootStore) {
    makeAutoObservable<CanvasStore, 'root' | 'waiting' | 'sending' | 'timers' | 'dragging' | 'inFlight'>(this, {
      root: false,
      waiting: false,
      sending: false,
      timers: false,
      dragging: false,
      inFlight: false,
    });
  }

  /** `canvas:updated`: these nodes moved, were added or changed. */
  receive(channelId: string, nodes: CanvasNodeJson[]): void {
    const theirs = nodes.filter((node) => !this.isLocal(channelId, node.id));
    if (theirs.length) this.write(channelId, theirs);
    // A base someone else put here: its name comes with the canvas.
    const known = this.root.queryClient.getQueryData<CanvasViewJson>(queryKeys.canvas(channelId))?.knowledgeBases ?? [];
    if (theirs.some((node) => node.id.startsWith('kb:') && !known.some((base) => `kb:${base.id}` === node.id))) {
      void this.root.queryClient.invalidateQueries({ queryKey: queryKeys.canvas(channelId), exact: true });
    }
  }

  /** `canvas:removed`. */
  receiveRemoved(channelId: string, nodeId: string): void {
    this.root.queryClient.setQueryData<CanvasViewJson>(queryKeys.canvas(channelId), (old) => old && { ...old, nodes: old.nodes.filter((node) => node.id !== nodeId) });
  }

  /** The node is being dragged: remote echoes of it are ignored until `dragEnded`. */
  dragStarted(channelId: string, nodeId: string): void {
    this.dragging.add(`${channelId} ${nodeId}`);
  }

  dragEnded(channelId: string, nodeId: string): void {
    this.dragging.delete(`${channelId} ${nodeId}`);
  }

  /**
   * A node moved (or a note changed) here: shown at once, saved behind. `live` moves (mid-drag)
   * go out at most every LIVE_MOVE_MS; the others (a drop, a key press) go out now.
   */
  move(channelId: string, node: CanvasNodeJson, { live = false }: { live?: boolean } = {}): void {
    this.write(channelId, [node]);
    const waiting = this.waiting.get(channelId) ?? new Map<string, CanvasNodeJson>();
    const before = waiting.get(node.id);
    const data = before?.data || node.data ? { ...before?.data, ...node.data } : undefined;
    waiting.set(node.id, { ...node, ...(data ? { data } : {}) });
    this.waiting.set(channelId, waiting);
    if (!live) void this.flush(channelId);
    else if (!this.timers.has(channelId)) this.timers.set(channelId, setTimeout(() => void this.flush(channelId), LIVE_MOVE_MS));
  }

  /** A node of this tab's own not yet saved (or being dragged): its echoes are older than what it shows. */
  private isLocal(channelId: string, nodeId: string): boolean {
    return this.dragging.has(`${channelId} ${nodeId}`) || Boolean(this.waiting.get(channelId)?.has(nodeId)) || Boolean(this.sending.get(channelId)?.has(nodeId));
  }

  private write(channelId: string, nodes: CanvasNodeJson[]): void {
    this.root.queryClient.setQueryData<CanvasViewJson>(queryKeys.canvas(channelId), (old) => {
      if (!old) return old;
      const byId = new Map(old.nodes.map((node) => [node.id, node]));
      for (const node of nodes) {
        const before = byId.get(node.id);
        const data = before?.data || node.data ? { ...before?.data, ...node.data } : undefined;
        byId.set(node.id, { ...before, ...node, ...(data ? { data } : {}) });
      }
      return { ...old, nodes: [...byId.values()] };
    });
  }

  private flush(channelId: string): Promise<void> {
    clearTimeout(this.timers.get(channelId));
    this.timers.delete(channelId);
    // The save in flight sends the rest when it ends.
    const running = this.inFlight.get(channelId);
    if (running) return running;
    const waiting = this.waiting.get(channelId);
    if (!waiting?.size) return Promise.resolve();
    this.waiting.delete(channelId);
    this.sending.set(channelId, new Set(waiting.keys()));
    const save = this.save(channelId, [...waiting.values()]).finally(() => {
      this.sending.delete(channelId);
      this.inFlight.delete(channelId);
      if (this.waiting.get(channelId)?.size) void this.flush(channelId);
    });
    this.inFlight.set(channelId, save);
    return save;
  }

  private async save(channelId: string, nodes: CanvasNodeJson[]): Promise<void> {
    try {
      const { data } = await this.root.http.put<{ canvas: CanvasViewJson }>(nodesPath(channelId), { nodes });
      // What the cards need (a base's name) comes with the answer; positions here are already newer.
      this.root.queryClient.setQueryData<CanvasViewJson>(queryKeys.canvas(channelId), (old) => old && { ...old, agents: data.canvas.agents, knowledgeBases: data.canvas.knowledgeBases });
      runInAction(() => (this.saveError = null));
    } catch (error) {
      runInAction(() => (this.saveError = toApiError(error).message));
      await this.root.queryClient.invalidateQueries({ queryKey: queryKeys.canvas(channelId), exact: true });
    }
  }

  /** Resolves once every move made so far is saved (or refused: `saveError` says why). */
  async settled(channelId: string): Promise<void> {
    while (this.inFlight.has(channelId) || this.waiting.get(channelId)?.size) await this.flush(channelId);
  }

  // Transport.
  async get(channelId: string): Promise<CanvasViewJson> {
    const { data } = await this.root.http.get<{ canvas: CanvasViewJson }>(`/api/channels/${encodeURIComponent(channelId)}/canvas`);
    return data.canvas;
  }

  /** Takes a node off the canvas (a note is deleted; an agent, person or the chat goes back to its default place). */
  async remove(channelId: string, nodeId: string): Promise<void> {
    this.receiveRemoved(channelId, nodeId);
    try {
      await this.root.http.delete(`${nodesPath(channelId)}/${encodeURIComponent(nodeId)}`);
    } catch (error) {
      await this.root.queryClient.invalidateQueries({ queryKey: queryKeys.canvas(channelId), exact: true });
      throw error;
    }
  }

  /**
   * A palette's agent dropped on the canvas: it joins the channel, then sits where it was dropped
   * (that save goes the way of every move: a refusal shows as `saveError`).
   */
  async addAgent(channelId: string, agentId: string, at: { x: number; y: number }): Promise<void> {
    await this.root.agents.addToChannel(channelId, agentId);
    this.move(channelId, { id: `agent:${agentId}`, ...at });
  }

  /** One of the caller's knowledge bases dropped on the canvas. */
  addKnowledge(channelId: string, knowledgeBaseId: string, at: { x: number; y: number }): void {
    this.move(channelId, { id: `kb:${knowledgeBaseId}`, ...at });
  }

  /** A new sticky note. */
  addNote(channelId: string, at: { x: number; y: number }, color = 'yellow'): string {
    const id = `note:${crypto.randomUUID()}`;
    this.move(channelId, { id, ...at, data: { text: '', color } });
    return id;
  }

  /** A base connected to one of the caller's agents: the agent answers from it from now on. */
  async linkKnowledge(channelId: string, agent: Agent, knowledgeBaseId: string): Promise<void> {
    if (agent.knowledgeBaseIds.includes(knowledgeBaseId)) return;
    await this.root.agents.update(agent.id, { knowledgeBaseIds: [...agent.knowledgeBaseIds, knowledgeBaseId] });
    await this.root.queryClient.invalidateQueries({ queryKey: queryKeys.canvas(channelId), exact: true });
  }
}

export const canvasQuery = (root: RootStore, channelId: string) => queryOptions({ queryKey: queryKeys.canvas(channelId), queryFn: () => root.canvas.get(channelId) });
