import type { MessageRow } from '@/lib/db/schema';
import type { ActivityJson, AttachmentJson } from './abilities';
import type { CitationJson } from './citations';
import type { RoutingJson } from './runs';

/** Messages as the API, the realtime events and the browser see them (API.md). */

/** The longest message, in characters once trimmed (API.md); the composer counts against it too. */
export const MAX_MESSAGE_CHARS = 4000;

export type MessageAuthor = {
  kind: 'user' | 'agent';
  id: string;
  name: string;
  /** Agents only: the @handle people mention, and the avatar (null for the generated default). */
  handle?: string;
  avatar?: string | null;
};

/** A top-level message's thread, as its parent shows it (API.md). */
export type ThreadSummaryJson = {
  replyCount: number;
  lastReplyAt: string;
  participants: { kind: 'user' | 'agent'; id: string; name: string }[];
};

/**
 * One emoji on a message: how many reacted, who (`userIds` and `names` in the order they reacted,
 * for the tooltip), and whether the caller did. `me` is set only in the PUT/DELETE answers; shared
 * JSON (history, whose cache serves every member the same bytes, and events) has it false, and
 * browsers compute it from `userIds`.
 */
export type ReactionJson = { emoji: string; count: number; me: boolean; userIds?: string[]; names?: string[] };

export type MessageJson = {
  id: string;
  channelId: string;
  author: MessageAuthor;
  content: string;
  status: MessageRow['status'];
  clientId?: string;
  /** Agent replies: the message answered. */
  replyTo?: string;
  /** Status "error": why, in words safe to show (never the provider's own). */
  error?: { code: string; message: string };
  /** The sources the reply drew on; its content cites them as `[n]`. */
  citations?: CitationJson[];
  /** Agent replies that used tools: each call, as the chat shows its steps. */
  activities?: ActivityJson[];
  /** Files sent with the message (images, videos, documents), in upload order. */
  attachments?: AttachmentJson[];
  /** A person's message an orchestrator routed: whom it chose (null: nobody) and why. */
  routing?: RoutingJson;
  /** The goal run this message shows as a checklist (the run's own message), or belongs to (its tasks' results, its summary). */
  runId?: string;
  /** A reply in a thread: the top-level message that starts it. */
  threadId?: string;
  /** A top-level message with replies: its thread's summary. */
  thread?: ThreadSummaryJson;
  /** Emoji reactions, most used first (absent when none). */
  reactions?: ReactionJson[];
  /** The user ids of the people it @mentions (absent when none). */
  mentions?: string[];
  createdAt: string;
  editedAt?: string;
};

export type MessagePage = { messages: MessageJson[]; nextCursor: string | null };

/** GET /api/channels/:channelId/attachments: the limits the composer applies before uploading. */
export type AttachmentLimits = { maxBytes: number; maxVideoBytes: number; perMessage: number };
