import { makeAutoObservable } from 'mobx';
import type { RunBudget, RunJson, RunStatus, RunTaskStatus } from '@/lib/contracts/runs';
import { queryKeys } from './query-keys';
import type { RootStore } from './root-store';

const RUN_RANK: Record<RunStatus, number> = { planning: 0, running: 1, done: 2, stopped: 2, failed: 2 };
const TASK_RANK: Record<RunTaskStatus, number> = { todo: 0, doing: 1, review: 2, done: 3, failed: 3 };
/** How far a run's tasks have got: each attempt and each state only ever moves it on. */
const taskProgress = (run: RunJson) => run.tasks.reduce((sum, task) => sum + task.attempts * 10 + TASK_RANK[task.status], 0);

/**
 * A copy of a run from before `current`. A run only moves forward (its status, its steps spent,
 * its tasks' attempts and states), and copies arrive by two paths that race: the answer to
 * POST .../runs ("planning") can land after the socket's first `run:updated` ("running").
 */
export function isOlderRun(incoming: RunJson, current: RunJson): boolean {
  return (
    RUN_RANK[incoming.status] < RUN_RANK[current.status] ||
    incoming.usage.steps < current.usage.steps ||
    incoming.tasks.length < current.tasks.length ||
    taskProgress(incoming) < taskProgress(current)
  );
}

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
   * by itself (beyond the list's page) further down. A copy older than the one held is dropped.
   */
  receive(run: RunJson): void {
    this.root.queryClient.setQueryData<RunJson[]>(queryKeys.runs(run.channelId), (old) => {
      if (!old) return old;
      const at = old.findIndex((r) => r.id === run.id);
      const next = [...old];
      if (at >= 0) {
        if (isOlderRun(run, old[at]!)) return old;
        next[at] = run;
      }
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
  /** The channel's latest runs; a copy `run:updated` brought while the list was on its way, and newer than the list's, is kept. */
  async list(channelId: string): Promise<RunJson[]> {
    const { data } = await this.root.http.get<{ runs: RunJson[] }>(`/api/channels/${encodeURIComponent(channelId)}/runs`);
    const held = this.root.queryClient.getQueryData<RunJson[]>(queryKeys.runs(channelId)) ?? [];
    return data.runs.map((run) => {
      const mine = held.find((r) => r.id === run.id);
      return mine && isOlderRun(run, mine) ? mine : run;
    });
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
