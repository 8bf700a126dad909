import { makeAutoObservable } from 'mobx';
import type { CanvasJson, CanvasNodeJson } from '@/lib/contracts/runs';
import { queryKeys } from './query-keys';
import type { RootStore } from './root-store';

/**
 * A channel's team canvas (where its nodes sit, its sticky notes) is server data in React Query
 * (`queryKeys.canvas(channelId)`); this store holds the transport, and `canvas:updated` /
 * `canvas:removed` write other members' moves into it.
 */
export class CanvasStore {
  constructor(private readonly root: RootStore) {
    makeAutoObservable<CanvasStore, 'root'>(this, { root: false });
  }

  /** `canvas:updated`: these nodes moved, were added or changed. */
  receive(channelId: string, nodes: CanvasNodeJson[]): void {
    this.root.queryClient.setQueryData<CanvasJson>(queryKeys.canvas(channelId), (old) => {
      if (!old) return old;
      const byId = new Map(old.nodes.map((node) => [node.id, node]));
      for (const node of nodes) byId.set(node.id, { ...byId.get(node.id), ...node });
      return { ...old, nodes: [...byId.values()] };
    });
  }

  /** `canvas:removed`. */
  receiveRemoved(channelId: string, nodeId: string): void {
    this.root.queryClient.setQueryData<CanvasJson>(queryKeys.canvas(channelId), (old) => old && { ...old, nodes: old.nodes.filter((node) => node.id !== nodeId) });
  }
}
