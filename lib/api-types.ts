// Shapes the browser receives: the contracts the services produce them by (never written twice).
export type { AgentJson as Agent } from '@/lib/contracts/agents';
export type { ChannelJson as Channel, MemberJson as Member } from '@/lib/contracts/channels';
export type { CitationJson as Citation } from '@/lib/contracts/citations';
export type { KeyJson as ApiKey } from '@/lib/contracts/keys';
export type {
  DocumentJson as KnowledgeDocument,
  KnowledgeBaseJson as KnowledgeBase,
  KnowledgeProgressEvent as KnowledgeProgress,
  RetrievalMode,
  SearchResultJson as KnowledgeSearchResult,
} from '@/lib/contracts/knowledge';
export type { MessageJson as Message, MessagePage } from '@/lib/contracts/messages';
export type { UsageRange, UsageSummary } from '@/lib/contracts/usage';
export type { PublicUser as User } from '@/lib/contracts/users';
export type { AbilityJson as Ability, ActivityJson as Activity, AttachmentJson as Attachment, McpServerJson as McpServer } from '@/lib/contracts/abilities';
