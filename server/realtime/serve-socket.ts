import { rooms, type Ack, type JoinManyAck } from '@/lib/realtime/events';
import { drainingCount, tokenBucket, type Limits } from './limits';
import { isClientEvent, payloadHelp, payloads, type ClientEvent, type PayloadOf } from './payloads';
import type { IoSocket } from './types';

type Refusal = Extract<Ack, { ok: false }>;
type Reply = (result: Ack | JoinManyAck) => void;

export type SocketContext = {
  /** Which of these channels the user belongs to (the membership check of every join). */
  memberChannels(args: { userId: string; channelIds: string[] }): Promise<string[]>;
  announcePresence(channelId: string): void;
  limits: Limits;
  log(line: string): void;
};

export const refuse = (code: string, message: string): Refusal => ({ ok: false, error: { code, message } });

/** A socket.io ack is the last argument when the client asked for one; anything else is not. */
function takeAck(args: unknown[]): Reply | undefined {
  return typeof args.at(-1) === 'function' ? (args.pop() as Reply) : undefined;
}

/**
 * Every client event passes here first: it costs a token of the socket's bucket; past the
 * bucket it is refused, and a socket whose refusals pile up faster than they drain is cut off.
 * Unknown events (EventEmitter names such as `error` included) never reach a listener.
 */
function guardEvents(socket: IoSocket, limits: Limits) {
  const allow = tokenBucket({ capacity: limits.burst, perSecond: limits.eventsPerSecond });
  const refusals = drainingCount({ perSecond: limits.eventsPerSecond });
  socket.use((packet, next) => {
    const ack = takeAck([...packet]);
    if (!allow()) {
      ack?.(refuse('rate_limited', 'Too many events; slow down.'));
      if (refusals() > limits.refusalsBeforeDisconnect) socket.disconnect(true);
      return;
    }
    if (!isClientEvent(packet[0])) return ack?.(refuse('invalid_request', 'No such event.'));
    next();
  });
}

/** The events one connected socket may send, each validated and answered through its ack. */
export function serveSocket(socket: IoSocket, context: SocketContext) {
  const { limits, log, announcePresence } = context;
  const user = socket.data.user;
  void socket.join(rooms.user(user.id));
  guardEvents(socket, limits);

  function answer<E extends ClientEvent>(event: E, run: (payload: PayloadOf<E>) => Promise<Ack | JoinManyAck>) {
    (socket.on as (event: string, listener: (...args: unknown[]) => void) => void)(event, (...args) => {
      const reply = takeAck(args) ?? (() => {});
      const parsed = payloads[event].safeParse(args[0]);
      if (!parsed.success) return reply(refuse('invalid_request', payloadHelp[event]));
      run(parsed.data as PayloadOf<E>).then(reply, (error: unknown) => {
        log(`[realtime] ${event} of ${socket.id} failed: ${error instanceof Error ? error.message : error}`);
        reply(refuse('internal_error', 'Something went wrong on our side.'));
      });
    });
  }

  /** Joins the rooms of the channels the user belongs to; checked before and after joining. */
  async function joinMany(channelIds: string[]): Promise<{ joined: string[]; refused: string[] }> {
    const wanted = [...new Set(channelIds)];
    if (!wanted.length) return { joined: [], refused: [] };
    const allowed = new Set(await context.memberChannels({ userId: user.id, channelIds: wanted }));
    const entered = wanted.filter((id) => allowed.has(id));
    // Presence is announced for rooms newly entered only: repeating a join costs no broadcasts.
    const already = new Set(entered.filter((id) => socket.rooms.has(rooms.channel(id))));
    if (entered.length) await socket.join(entered.map(rooms.channel));
    // A removal that committed between the check and the join would have missed this socket.
    const still = new Set(entered.length ? await context.memberChannels({ userId: user.id, channelIds: entered }) : []);
    const lost = entered.filter((id) => !still.has(id));
    await Promise.all(lost.map((id) => socket.leave(rooms.channel(id))));
    const joined = entered.filter((id) => still.has(id));
    joined.filter((id) => !already.has(id)).forEach(announcePresence);
    return { joined, refused: wanted.filter((id) => !still.has(id)) };
  }

  answer('channel:join', async ({ channelId }) => ((await joinMany([channelId])).joined.length ? { ok: true } : refuse('not_found', 'Channel not found.')));

  answer('channels:join', async ({ channelIds }) => ({ ok: true, ...(await joinMany(channelIds)) }));

  answer('channel:leave', async ({ channelId }) => {
    // Only a real leave is announced: leaving rooms one is not in must not make the tier broadcast.
    if (!socket.rooms.has(rooms.channel(channelId))) return { ok: true };
    await socket.leave(rooms.channel(channelId));
    announcePresence(channelId);
    return { ok: true };
  });

  const lastTyping = new Map<string, number>();
  answer('typing', async ({ channelId }) => {
    if (!socket.rooms.has(rooms.channel(channelId))) return refuse('forbidden', 'Join the channel first.');
    const now = Date.now();
    if (now - (lastTyping.get(channelId) ?? 0) >= limits.typingIntervalMs) {
      lastTyping.set(channelId, now);
      socket.to(rooms.channel(channelId)).emit('typing', { channelId, user });
    }
    return { ok: true };
  });

  socket.on('disconnecting', () => {
    const channels = [...socket.rooms].filter((room) => room.startsWith('channel:')).map((room) => room.slice('channel:'.length));
    // After the socket has left its rooms, tell the others who is still there.
    socket.once('disconnect', () => channels.forEach(announcePresence));
  });
}
