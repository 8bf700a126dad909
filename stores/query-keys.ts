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
  /** A channel's around views (pages centred on a message, from search), all of them or the one at `messageId`. */
  aroundAll: (channelId: string) => ['channels', channelId, 'around'] as const,
  around: (channelId: string, messageId: string) => ['channels', channelId, 'around', messageId] as const,
  /** One thread's pages (its parent and replies), under its channel so dropping the channel drops it. */
  thread: (channelId: string, threadId: string) => ['channels', channelId, 'threads', threadId] as const,
  /** The caller's threads with unread replies in a channel. */
  unreadThreads: (channelId: string) => ['channels', channelId, 'threads-unread'] as const,
  runs: (channelId: string) => ['channels', channelId, 'runs'] as const,
  canvas: (channelId: string) => ['channels', channelId, 'canvas'] as const,
  invitations: (channelId: string) => ['channels', channelId, 'invitations'] as const,
  dmContacts: ['dm-contacts'] as const,
  abilities: ['abilities'] as const,
  mcpServers: ['mcp-servers'] as const,
  mcpServerTools: (mcpServerId: string) => ['mcp-servers', mcpServerId, 'tools'] as const,
  knowledge: ['knowledge'] as const,
  knowledgeBase: (knowledgeBaseId: string) => ['knowledge', knowledgeBaseId] as const,
  knowledgeDocuments: (knowledgeBaseId: string) => ['knowledge', knowledgeBaseId, 'documents'] as const,
  knowledgeSearch: (knowledgeBaseId: string, query: string) => ['knowledge', knowledgeBaseId, 'search', query] as const,
};
