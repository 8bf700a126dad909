/*
 * The members of bench/realtime.ts, in their own process (as browsers would be): connects one
 * socket per token, joins the channel, and records when each message arrives, on the wall clock
 * shared with the parent (performance.timeOrigin + performance.now()).
 *
 * `relay` is the baseline where the bench cannot reach into the hub's process (the production
 * server): the members themselves send `typing` in turn at the bench's rate, and the node relays
 * each to the rest of the room, the cheapest broadcast a client can cause. A socket sends once
 * every members/rate seconds, well apart from the node's typing throttle.
 */
import { io, type Socket } from 'socket.io-client';

type Start = { url: string; channelId: string; tokens: string[]; userIds?: string[] };
type Receipt = [index: number, id: string, at: number];
type Command = { collect?: boolean; relay?: { count: number; rate: number } };

const now = () => performance.timeOrigin + performance.now();

process.once('message', async ({ url, channelId, tokens, userIds = [] }: Start) => {
  const receipts: Receipt[][] = tokens.map(() => []);
  const sockets: Socket[] = [];
  // Relay: the k-th typing event a member sees from sender s is the sender's k-th, broadcast s + k * members.
  const senderIndex = new Map(userIds.map((id, s) => [id, s]));
  let relaySeen: Map<number, number>[] = tokens.map(() => new Map());
  for (const [n, token] of tokens.entries()) {
    const socket = io(url, { auth: { token }, transports: ['websocket'], forceNew: true, reconnection: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const ack = await new Promise<{ ok: boolean }>((resolve) => socket.emit('channel:join', { channelId }, resolve));
    if (!ack.ok) throw new Error('join refused');
    socket.on('message:created', ({ message }: { message: { id: string; content: string } }) =>
      receipts[n]!.push([Number(message.content.split(' ')[1]), message.id, now()]),
    );
    socket.on('typing', ({ user }: { user: { id: string } }) => {
      const s = senderIndex.get(user.id);
      if (s === undefined) return;
      const k = relaySeen[n]!.get(s) ?? 0;
      relaySeen[n]!.set(s, k + 1);
      const index = s + k * tokens.length;
      receipts[n]!.push([index, String(index).padStart(8, '0'), now()]);
    });
    sockets.push(socket);
  }
  process.send!({ ready: true });
  process.on('message', async (command: Command) => {
    if (command.collect) return void process.send!({ receipts: receipts.map((list) => list.splice(0)) });
    if (!command.relay) return;
    relaySeen = tokens.map(() => new Map());
    const { count, rate } = command.relay;
    const sentAt: number[] = [];
    const start = performance.now();
    for (let i = 0; i < count; i++) {
      const wait = start + (i * 1000) / rate - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      sentAt[i] = now();
      sockets[i % sockets.length]!.emit('typing', { channelId }, () => {});
    }
    await new Promise((resolve) => setTimeout(resolve, 500)); // drain
    process.send!({ sentAt });
  });
});
