import { makeAutoObservable } from 'mobx';
import { queryOptions } from '@tanstack/react-query';
import type { AbilityId } from '@/lib/contracts/abilities';
import type { Ability, Agent, Member } from '@/lib/api-types';
import { queryKeys } from './query-keys';
import type { RootStore } from './root-store';

export type AgentInput = {
  name: string;
  handle: string;
  description: string;
  instructions: string;
  model: string;
  temperature: number;
  avatar: string | null;
  /** Sent only when the form knows the person's bases (an early save must not clear them). */
  knowledgeBaseIds?: string[];
  abilities?: AbilityId[];
  /** Sent only when the form knows the person's MCP servers. */
  mcpServerIds?: string[];
};

/**
 * The agent roster. The roster itself is server data in React Query (`queryKeys.agents`); this
 * store holds the transport and which agent the roster page has open.
 */
export class AgentStore {
  selectedAgentId: string | null = null;

  constructor(private readonly root: RootStore) {
    makeAutoObservable<AgentStore, 'root'>(this, { root: false });
  }

  select(agentId: string | null) {
    this.selectedAgentId = agentId;
  }

  async list(): Promise<Agent[]> {
    return (await this.root.http.get<{ agents: Agent[] }>('/api/agents')).data.agents;
  }

  async create(input: AgentInput): Promise<Agent> {
    const { data } = await this.root.http.post<{ agent: Agent }>('/api/agents', input);
    await this.root.queryClient.invalidateQueries({ queryKey: queryKeys.agents });
    return data.agent;
  }

  async update(agentId: string, input: Partial<AgentInput>): Promise<Agent> {
    const { data } = await this.root.http.patch<{ agent: Agent }>(`/api/agents/${agentId}`, input);
    await this.root.queryClient.invalidateQueries({ queryKey: queryKeys.agents });
    return data.agent;
  }

  async remove(agentId: string): Promise<void> {
    await this.root.http.delete(`/api/agents/${agentId}`);
    if (this.selectedAgentId === agentId) this.selectedAgentId = null;
    await this.root.queryClient.invalidateQueries({ queryKey: queryKeys.agents });
  }

  /** Brings one of the caller's agents into a channel. */
  async addToChannel(channelId: string, agentId: string): Promise<Member> {
    const { data } = await this.root.http.post<{ member: Member }>(`/api/channels/${channelId}/members`, { agentId });
    await this.root.queryClient.invalidateQueries({ queryKey: queryKeys.channel(channelId), exact: true });
    return data.member;
  }
}

/** What this deployment's agents can do (GET /api/abilities): the agent form offers these, and says why one is off. */
export const abilitiesQuery = (root: RootStore) =>
  queryOptions({ queryKey: queryKeys.abilities, queryFn: async () => (await root.http.get<{ abilities: Ability[] }>('/api/abilities')).data.abilities, staleTime: 60_000 });

