import type { ActivityJson } from '@/lib/contracts/abilities';
import type { ChannelJson } from '@/lib/contracts/channels';
import type { KnowledgeProgressEvent } from '@/lib/contracts/knowledge';
import type { MessageJson, ReactionJson, ThreadSummaryJson } from '@/lib/contracts/messages';
import type { CanvasNodeJson, RunJson } from '@/lib/contracts/runs';
import type { UsageEventJson } from '@/lib/contracts/usage';

/** The one event contract of the realtime tier (API.md), shared by server and browser. */

export type Ack = { ok: true } | { ok: false; error: { code: string; message: string } };

/** The answer to a batched join: which channels' rooms the socket is in now, and which it may not enter. */
export type JoinManyAck = { ok: true; joined: string[]; refused: string[] } | Extract<Ack, { ok: false }>;

/**
 * Most channels one `channels:join` may name (about 8 KB of ids, well under the 16 KB message
 * cap); a person in more channels sends one batch per this many.
 */
export const CHANNELS_PER_JOIN = 200;

export type UserRef = { id: string; name: string };

export interface ServerToClientEvents {
  'message:created': (payload: { message: MessageJson }) => void;
  'message:updated': (payload: { message: MessageJson }) => void;
  /**
   * A reply carries its `threadId`; a parent deleted with its thread names the replies that went
   * with it (`replyIds`, by the foreign key's cascade), so no client keeps them.
   */
  'message:deleted': (payload: { channelId: string; messageId: string; threadId?: string; replyIds?: string[] }) => void;
  /** To `channel:<id>`: a thread's summary changed (a reply added or removed); null once it has none. */
  'thread:updated': (payload: { channelId: string; threadId: string; thread: ThreadSummaryJson | null }) => void;
  /**
   * To `channel:<id>`: a message's whole reaction list after someone added or removed one (`me` is
   * always false: compute it from `userIds`). A reply carries its `threadId`.
   */
  'message:reactions': (payload: { channelId: string; messageId: string; threadId?: string; reactions: ReactionJson[] }) => void;
  'agent:token': (payload: { channelId: string; messageId: string; delta: string }) => void;
  /** A tool call of a reply started, ended or failed (the message keeps the last state as `activities`). */
  'agent:activity': (payload: { channelId: string; messageId: string; activity: ActivityJson }) => void;
  typing: (payload: { channelId: string; user: UserRef }) => void;
  presence: (payload: { channelId: string; online: string[] }) => void;
  /** To `user:<id>`: the user was added to a channel (the sidebar gains it). */
  'channel:added': (payload: { channel: ChannelJson }) => void;
  /** To `user:<id>`: the user lost a channel (removed, or the channel was deleted). */
  'channel:removed': (payload: { channelId: string }) => void;
  /** To `user:<id>`: they read a channel up to a message on one device (PUT .../read); their other devices clear it too. */
  'channel:read': (payload: { channelId: string; lastReadId: string }) => void;
  /** To `user:<id>`: one model call of theirs was recorded (the dashboard's charts move). */
  'usage:recorded': (payload: { event: UsageEventJson }) => void;
  /** To `user:<id>`: one of their documents moved through its indexing statuses (or its progress did). */
  'knowledge:progress': (payload: KnowledgeProgressEvent) => void;
  /** To `channel:<id>`: its name or goal changed, or its members did. */
  'channel:updated': (payload: { channelId: string }) => void;
  /** To `channel:<id>`: a goal run or one of its tasks changed (the whole run, as GET .../runs/:runId answers it). */
  'run:updated': (payload: { channelId: string; run: RunJson }) => void;
  /** To `channel:<id>`: canvas nodes moved, were added (a note) or changed; `by` is who did it. */
  'canvas:updated': (payload: { channelId: string; nodes: CanvasNodeJson[]; by: string }) => void;
  /** To `channel:<id>`: a canvas node was removed (a note deleted). */
  'canvas:removed': (payload: { channelId: string; nodeId: string; by: string }) => void;
}

export interface ClientToServerEvents {
  'channel:join': (payload: { channelId: string }, ack: (result: Ack) => void) => void;
  'channel:leave': (payload: { channelId: string }, ack: (result: Ack) => void) => void;
  /** Many rooms in one event (one membership query), as a browser does on (re)connecting. */
  'channels:join': (payload: { channelIds: string[] }, ack: (result: JoinManyAck) => void) => void;
  typing: (payload: { channelId: string }, ack?: (result: Ack) => void) => void;
}

export type SocketData = { user: UserRef };

export const rooms = {
  channel: (channelId: string) => `channel:${channelId}`,
  user: (userId: string) => `user:${userId}`,
};

export type ChannelEvent =
  | 'message:created'
  | 'message:updated'
  | 'message:deleted'
  | 'message:reactions'
  | 'thread:updated'
  | 'agent:token'
  | 'agent:activity'
  | 'channel:updated'
  | 'run:updated'
  | 'canvas:updated'
  | 'canvas:removed';
export type UserEvent = 'channel:added' | 'channel:removed' | 'channel:read' | 'usage:recorded' | 'knowledge:progress';
