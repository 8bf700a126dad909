import type { AnswerMode } from '@/lib/db/schema';

/** Channels and their members as the API, the realtime events and the browser see them. */
export type ChannelJson = {
  id: string;
  name: string;
  description: string;
  ownerId: string;
  answerMode: AnswerMode;
  leadAgentId: string | null;
  hopLimit: number;
  createdAt: string;
  updatedAt: string;
};

export type MemberJson = {
  id: string;
  kind: 'user' | 'agent';
  name: string;
  email?: string;
  /** Agents: the @handle, avatar, description and whose agent it is. */
  handle?: string;
  avatar?: string | null;
  description?: string;
  ownerId?: string;
  role: 'owner' | 'member';
  joinedAt: string;
};
