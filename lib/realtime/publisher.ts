import 'server-only';
import { Emitter } from '@socket.io/redis-emitter';
import Redis from 'ioredis';
import { closeRedisClient } from '@/lib/cache/redis';
import type { Server } from 'socket.io';
import { env } from '@/lib/env';
import { rooms, type ChannelEvent, type ServerToClientEvents, type UserEvent } from './events';

type Payload<E extends keyof ServerToClientEvents> = Parameters<ServerToClientEvents[E]>[0];

/**
 * How services reach the realtime tier, after their database write. In embedded mode the
 * Socket.io server lives in this process; with REDIS_URL the events go through Redis, so any
 * number of Next.js and realtime processes interoperate. Publishing never fails a request.
 */
export interface Publisher {
  toChannel<E extends ChannelEvent>(channelId: string, event: E, payload: Payload<E>): void;
  toUser<E extends UserEvent>(userId: string, event: E, payload: Payload<E>): void;
  /** Takes one user's sockets out of a channel's room, on every node, at once. */
  removeFromChannel(userId: string, channelId: string): void;
  /** Empties a channel's room (the channel is gone). */
  closeChannel(channelId: string): void;
}

/** Anything with Socket.io's broadcast surface: a Server, or the Redis emitter. */
type Broadcaster = {
  to(room: string): { emit(event: string, payload: unknown): unknown };
  in(room: string): { socketsLeave(room: string): unknown };
};

export function broadcastPublisher(target: () => Broadcaster | undefined): Publisher {
  return {
    toChannel: (channelId, event, payload) => void target()?.to(rooms.channel(channelId)).emit(event, payload),
    toUser: (userId, event, payload) => void target()?.to(rooms.user(userId)).emit(event, payload),
    removeFromChannel: (userId, channelId) => void target()?.in(rooms.user(userId)).socketsLeave(rooms.channel(channelId)),
    closeChannel: (channelId) => void target()?.in(rooms.channel(channelId)).socketsLeave(rooms.channel(channelId)),
  };
}

/** Publishes through Redis to every realtime node (the Socket.io Redis adapter's protocol). */
export function redisPublisher(url: string, log: (line: string) => void = console.warn): { publisher: Publisher; close(): Promise<void> } {
  // A short disconnectTimeout: closing while Redis is unreachable must not hold the process open for 2 s.
  const client = new Redis(url, { maxRetriesPerRequest: 1, disconnectTimeout: 200, retryStrategy: (attempt) => Math.min(attempt * 100, 2000) });
  client.on('error', () => {});
  let failing = false;
  // The emitter publishes fire-and-forget; a failure must be logged (once), never thrown.
  const safeClient = {
    publish: (channel: string, message: string) =>
      client.publish(channel, message).then(
        (result) => {
          failing = false;
          return result;
        },
        (error: unknown) => {
          if (!failing) log(`[realtime] publishing to Redis failed (${error instanceof Error ? error.message : error}); events are dropped until it returns`);
          failing = true;
          return 0;
        },
      ),
  };
  const emitter = new Emitter(safeClient);
  return { publisher: broadcastPublisher(() => emitter as unknown as Broadcaster), close: () => closeRedisClient(client) };
}

// The in-process Socket.io server registers itself here (server/main.ts), on globalThis so that
// Next.js bundles in the same process find it.
type RealtimeGlobal = { io?: Server; publisher?: Publisher; closePublisher?: () => Promise<void> };
const slot = ((globalThis as { __neurocacheRealtime?: RealtimeGlobal }).__neurocacheRealtime ??= {});

export function registerLocalServer(io: Server | undefined): void {
  slot.io = io;
}

export function getPublisher(): Publisher {
  if (!slot.publisher) {
    const { REDIS_URL } = env();
    if (REDIS_URL) {
      const { publisher, close } = redisPublisher(REDIS_URL);
      slot.publisher = publisher;
      slot.closePublisher = close;
    } else {
      slot.publisher = broadcastPublisher(() => slot.io as unknown as Broadcaster | undefined);
    }
  }
  return slot.publisher;
}

/** Tests choose how (and whether) events leave the process. */
export function setPublisher(publisher: Publisher | undefined): void {
  slot.publisher = publisher;
}

export async function closePublisher(): Promise<void> {
  const close = slot.closePublisher;
  slot.publisher = undefined;
  slot.closePublisher = undefined;
  await close?.();
}
