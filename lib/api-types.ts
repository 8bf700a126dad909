// Shapes the browser receives, inferred from the services that produce them (never written twice).
export type { PublicUser as User } from '@/lib/auth/users';
export type { ChannelJson as Channel, MemberJson as Member } from '@/lib/channels';
export type { MessageJson as Message, MessagePage } from '@/lib/messages/format';
export type { AgentJson as Agent } from '@/lib/agents';
export type { KeyJson as ApiKey } from '@/lib/keys';
export type { UsageSummary } from '@/lib/usage';
