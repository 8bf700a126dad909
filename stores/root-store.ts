import { QueryClient } from '@tanstack/react-query';
import type { AxiosInstance } from 'axios';
import type { User } from '@/lib/api-types';
import type { Theme } from './theme';
import { createHttpClient } from '@/lib/http/client';
import { AgentStore } from './agent-store';
import { CanvasStore } from './canvas-store';
import { ChannelStore } from './channel-store';
import { DashboardStore } from './dashboard-store';
import { KnowledgeStore } from './knowledge-store';
import { McpStore } from './mcp-store';
import { MessageStore } from './message-store';
import { RunStore } from './run-store';
import { ThreadStore } from './thread-store';
import { UserStore } from './user-store';

export type RootStoreOptions = { http?: AxiosInstance; queryClient?: QueryClient; user?: User | null; theme?: Theme; authProvider?: 'local' | 'clerk' };

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      // Visited channels stay in memory for half an hour, so switching back is instant.
      queries: { staleTime: 30_000, gcTime: 30 * 60_000, retry: (count, error) => count < 2 && (error as { retryable?: boolean }).retryable !== false },
    },
  });
}

/** Builds the domain stores and hands itself to each. One per browser tab; a fresh one per test. */
export class RootStore {
  readonly http: AxiosInstance;
  readonly queryClient: QueryClient;
  readonly user: UserStore;
  readonly channels: ChannelStore;
  readonly messages: MessageStore;
  readonly agents: AgentStore;
  readonly dashboard: DashboardStore;
  readonly knowledge: KnowledgeStore;
  readonly mcp: McpStore;
  readonly runs: RunStore;
  readonly canvas: CanvasStore;
  readonly threads: ThreadStore;

  constructor({ http, queryClient, user = null, theme = 'dark', authProvider = 'local' }: RootStoreOptions = {}) {
    this.http = http ?? createHttpClient();
    this.queryClient = queryClient ?? createQueryClient();
    this.user = new UserStore(this, theme);
    this.user.authProvider = authProvider;
    this.channels = new ChannelStore(this);
    this.messages = new MessageStore(this);
    this.agents = new AgentStore(this);
    this.dashboard = new DashboardStore(this);
    this.knowledge = new KnowledgeStore(this);
    this.mcp = new McpStore(this);
    this.runs = new RunStore(this);
    this.canvas = new CanvasStore(this);
    this.threads = new ThreadStore(this);
    this.user.setUser(user);
  }
}
