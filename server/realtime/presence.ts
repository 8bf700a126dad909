import { rooms } from '@/lib/realtime/events';
import type { IoServer } from './types';

/**
 * Presence, coalesced per channel. A join, leave or disconnect schedules the channel's
 * announcement at most once per `intervalMs`, so a herd (every browser rejoining its channels
 * after a restart) costs one lookup and one broadcast per channel, not one per socket. Who is
 * online is looked up when the announcement is sent, and one channel's announcements go out one
 * after another, so the last one always reflects the room after its last change.
 */
export function presenceAnnouncer(io: IoServer, { intervalMs, log }: { intervalMs: number; log: (line: string) => void }) {
  const timers = new Map<string, NodeJS.Timeout>();
  const sending = new Map<string, Promise<void>>();

  async function announce(channelId: string) {
    try {
      const sockets = await io.in(rooms.channel(channelId)).fetchSockets();
      const online = [...new Set(sockets.map((s) => s.data.user.id))].sort();
      io.to(rooms.channel(channelId)).emit('presence', { channelId, online });
    } catch (error) {
      log(`[realtime] presence for ${channelId} failed: ${error instanceof Error ? error.message : error}`);
    }
  }

  function send(channelId: string) {
    timers.delete(channelId);
    const sent = (sending.get(channelId) ?? Promise.resolve()).then(() => announce(channelId));
    sending.set(channelId, sent);
    void sent.finally(() => {
      if (sending.get(channelId) === sent) sending.delete(channelId);
    });
  }

  return {
    /** The channel's presence changed: it is announced within `intervalMs`. */
    schedule(channelId: string) {
      if (!timers.has(channelId)) timers.set(channelId, setTimeout(send, intervalMs, channelId));
    },
    /** Sends what is scheduled now (at shutdown, so other nodes learn who left). */
    flush() {
      for (const [channelId, timer] of timers) {
        clearTimeout(timer);
        send(channelId);
      }
    },
  };
}
