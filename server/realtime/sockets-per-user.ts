import { rooms } from '@/lib/realtime/events';
import { handshakeError, type IoServer, type IoSocket } from './types';

/**
 * A handshake middleware that admits at most `limit` sockets per person. The count spans every
 * node (the adapter answers for the others). One person's handshakes take turns on this node, so
 * many at once cannot all count the same open sockets and slip past the cap together.
 */
export function capSocketsPerUser(io: IoServer, limit: number, log: (line: string) => void) {
  const turns = new Map<string, Promise<void>>();

  async function admit(userId: string, next: (error?: Error) => void) {
    let open = 0;
    try {
      open = (await io.in(rooms.user(userId)).fetchSockets()).length;
    } catch (error) {
      // The cap guards against abuse; a Redis hiccup must not lock everyone out, so it lets the socket in.
      log(`[realtime] counting sockets of ${userId} failed: ${error instanceof Error ? error.message : error}`);
    }
    if (open >= limit) {
      return next(handshakeError('too_many_connections', `You have ${limit} connections open (tabs and devices); close one to connect here.`));
    }
    next();
    // The socket joins its user room when it connects, on the next tick: the next turn counts it.
    await new Promise((resolve) => setImmediate(resolve));
  }

  return (socket: IoSocket, next: (error?: Error) => void) => {
    const userId = socket.data.user.id;
    const turn = (turns.get(userId) ?? Promise.resolve())
      .then(() => admit(userId, next))
      .catch((error: unknown) => log(`[realtime] admitting a socket of ${userId} failed: ${error instanceof Error ? error.message : error}`));
    turns.set(userId, turn);
    void turn.finally(() => {
      if (turns.get(userId) === turn) turns.delete(userId);
    });
  };
}
