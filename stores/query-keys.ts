/** React Query keys, in one place so stores and components invalidate the same entries. */
export const queryKeys = {
  me: ['me'] as const,
  channels: ['channels'] as const,
  agents: ['agents'] as const,
  keys: ['keys'] as const,
  usageAll: ['usage'] as const,
  usage: (range: string) => ['usage', range] as const,
  channel: (channelId: string) => ['channels', channelId] as const,
  messages: (channelId: string) => ['channels', channelId, 'messages'] as const,
  abilities: ['abilities'] as const,
  mcpServers: ['mcp-servers'] as const,
  mcpServerTools: (mcpServerId: string) => ['mcp-servers', mcpServerId, 'tools'] as const,
  knowledge: ['knowledge'] as const,
  knowledgeBase: (knowledgeBaseId: string) => ['knowledge', knowledgeBaseId] as const,
  knowledgeDocuments: (knowledgeBaseId: string) => ['knowledge', knowledgeBaseId, 'documents'] as const,
  knowledgeSearch: (knowledgeBaseId: string, query: string) => ['knowledge', knowledgeBaseId, 'search', query] as const,
};
