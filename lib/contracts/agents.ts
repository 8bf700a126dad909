import type { Agent } from '@/lib/db/schema';

/** An agent as its owner sees it (its instructions are its owner's alone). */
export type AgentJson = Omit<Agent, 'createdAt' | 'updatedAt'> & {
  /** The owner's knowledge bases the agent answers from (it cites their passages). */
  knowledgeBaseIds: string[];
  /** The owner's MCP servers whose tools the agent may use (with the `mcp` ability). */
  mcpServerIds: string[];
  createdAt: string;
  updatedAt: string;
};
