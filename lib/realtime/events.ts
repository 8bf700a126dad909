import { z } from 'zod';
import type { ChannelJson } from '@/lib/channels';
import type { MessageJson } from '@/lib/messages/format';
import type { UsageEventJson } from '@/lib/usage';

/** The one event contract of the realtime tier (API.md), shared by server and browser. */

export type Ack = { ok: true } | { ok: false; error: { code: string; message: string } };

export type UserRef = { id: string; name: string };

export interface ServerToClientEvents {
  'message:created': (payload: { message: MessageJson }) => void;
  'message:updated': (payload: { message: MessageJson }) => void;
  'message:deleted': (payload: { channelId: string; messageId: string }) => void;
  'agent:token': (payload: { channelId: string; messageId: string; delta: string }) => void;
  typing: (payload: { channelId: string; user: UserRef }) => void;
  presence: (payload: { channelId: string; online: string[] }) => void;
  /** To `user:<id>`: the user was added to a channel (the sidebar gains it). */
  'channel:added': (payload: { channel: ChannelJson }) => void;
  /** To `user:<id>`: the user lost a channel (removed, or the channel was deleted). */
  'channel:removed': (payload: { channelId: string }) => void;
  /** To `user:<id>`: one model call of theirs was recorded (the dashboard's charts move). */
  'usage:recorded': (payload: { event: UsageEventJson }) => void;
  /** To `channel:<id>`: its name or goal changed, or its members did. */
  'channel:updated': (payload: { channelId: string }) => void;
}

export interface ClientToServerEvents {
  'channel:join': (payload: { channelId: string }, ack: (result: Ack) => void) => void;
  'channel:leave': (payload: { channelId: string }, ack: (result: Ack) => void) => void;
  typing: (payload: { channelId: string }, ack?: (result: Ack) => void) => void;
}

export type SocketData = { user: UserRef };

export const channelPayload = z.object({ channelId: z.uuid() }).strict();

export const rooms = {
  channel: (channelId: string) => `channel:${channelId}`,
  user: (userId: string) => `user:${userId}`,
};

export type ChannelEvent = 'message:created' | 'message:updated' | 'message:deleted' | 'agent:token' | 'channel:updated';
export type UserEvent = 'channel:added' | 'channel:removed' | 'usage:recorded';
