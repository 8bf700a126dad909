import { makeAutoObservable } from 'mobx';
import type { RootStore } from './root-store';

/** Client state of the agent roster. Agents arrive with the agents feature; for now, selection only. */
export class AgentStore {
  selectedAgentId: string | null = null;

  constructor(private readonly root: RootStore) {
    makeAutoObservable<AgentStore, 'root'>(this, { root: false });
  }

  select(agentId: string | null) {
    this.selectedAgentId = agentId;
  }
}
