/*
 * The members of bench/realtime.ts, in their own process (as browsers would be): connects one
 * socket per token, joins the channel, and records when each message arrives, on the wall clock
 * shared with the parent (performance.timeOrigin + performance.now()).
 */
import { io, type Socket } from 'socket.io-client';

type Start = { url: string; channelId: string; tokens: string[] };
type Receipt = [index: number, id: string, at: number];

const now = () => performance.timeOrigin + performance.now();

process.once('message', async ({ url, channelId, tokens }: Start) => {
  const receipts: Receipt[][] = tokens.map(() => []);
  const sockets: Socket[] = [];
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
    sockets.push(socket);
  }
  process.send!({ ready: true });
  process.on('message', (command: { collect?: boolean }) => {
    if (!command.collect) return;
    process.send!({ receipts: receipts.map((list) => list.splice(0)) });
  });
});
