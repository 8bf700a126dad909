import { makeAutoObservable } from 'mobx';
import type { RunBudget, RunJson } from '@/lib/contracts/runs';
import { queryKeys } from './query-keys';
import type { RootStore } from './root-store';

/** What starting a run takes (API.md "Goal runs"). */
export type RunInput = { goal: string; budget?: Partial<RunBudget> };

/**
 * Goal runs are server data in React Query (`queryKeys.runs(channelId)`, newest first); this
 * store holds their transport, and `run:updated` writes each run into that list.
 */
export class RunStore {
  constructor(private readonly root: RootStore) {
    makeAutoObservable<RunStore, 'root'>(this, { root: false });
  }

  /**
   * `run:updated` (and every answer carrying a run): the whole run replaces its copy, or joins
   * the list where its start puts it (newest first): a new run at the top, an older one fetched
   * by itself (beyond the list's page) further down.
   */
  receive(run: RunJson): void {
    this.root.queryClient.setQueryData<RunJson[]>(queryKeys.runs(run.channelId), (old) => {
      if (!old) return old;
      const at = old.findIndex((r) => r.id === run.id);
      const next = [...old];
      if (at >= 0) next[at] = run;
      else {
        const before = next.findIndex((r) => r.createdAt < run.createdAt);
        next.splice(before < 0 ? next.length : before, 0, run);
      }
      return next;
    });
  }

  /** The run with this id among those loaded for its channel. */
  find(channelId: string, runId: string): RunJson | undefined {
    return this.root.queryClient.getQueryData<RunJson[]>(queryKeys.runs(channelId))?.find((run) => run.id === runId);
  }

  // Transport.
  async list(channelId: string): Promise<RunJson[]> {
    const { data } = await this.root.http.get<{ runs: RunJson[] }>(`/api/channels/${encodeURIComponent(channelId)}/runs`);
    return data.runs;
  }

  /** One run by itself (one the list does not hold), written into its channel's list. */
  async load(channelId: string, runId: string): Promise<RunJson> {
    const { data } = await this.root.http.get<{ run: RunJson }>(`/api/channels/${encodeURIComponent(channelId)}/runs/${encodeURIComponent(runId)}`);
    this.receive(data.run);
    return data.run;
  }

  async start(channelId: string, input: RunInput): Promise<RunJson> {
    const { data } = await this.root.http.post<{ run: RunJson }>(`/api/channels/${encodeURIComponent(channelId)}/runs`, input);
    this.receive(data.run);
    return data.run;
  }

  async stop(channelId: string, runId: string): Promise<RunJson> {
    const { data } = await this.root.http.post<{ run: RunJson }>(`/api/channels/${encodeURIComponent(channelId)}/runs/${encodeURIComponent(runId)}/stop`);
    this.receive(data.run);
    return data.run;
  }
}
