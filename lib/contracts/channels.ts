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
  /** "dm": a direct message between the caller and one person or agent (API.md). */
  kind: 'channel' | 'dm';
  /** DMs: the other side, as the sidebar names it. */
  dmWith?: { kind: 'user' | 'agent'; id: string; name: string; avatar?: string | null };
  /** The caller's read state (GET /api/channels): where they read up to, and what came after. */
  lastReadId?: string | null;
  unreadCount?: number;
  mentionCount?: number;
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

/** A pending invitation of an email that has no account yet (the person joins on signing up with it). */
export type InvitationJson = { id: string; email: string; createdAt: string };
