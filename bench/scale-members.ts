/*
 * A share of bench/scale.ts's members, in a process of its own (as browsers would be): one
 * socket.io-client connection per member to its realtime node, joined to its channel, recording
 * every `message:created` it receives (the message's index, id and arrival on the wall clock shared
 * with the parent: performance.timeOrigin + performance.now()). Asked to, it checks each member's
 * receipts against what it should have received and answers with the counts and the latencies.
 */
import { createHash } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, ServerToClientEvents } from '@/lib/realtime/events';

export type Member = { token: string; url: string; channel: number; channelId: string };
export type MembersCommand =
  | { connect: Member[]; concurrency: number }
  | { count: true }
  | { check: { postedAt: Float64Array; channels: number; messages: number } };
export type MemberCheck = {
  members: number;
  receipts: number;
  missing: number;
  duplicates: number;
  /** Receipts of a message another channel was sent (a room leaking): never expected. */
  foreign: number;
  /** Receipts whose message id is not above the previous one's at that member (informational). */
  outOfIdOrder: number;
  /** Per member: its channel and a digest of the order it received its messages in. */
  orders: [channel: number, digest: string][];
  latencies: Float64Array;
  /** Members whose socket closed during the run (each one's later messages are missing). */
  disconnects: number;
  /** Per message: at how many of these members it is missing. */
  missingAt: Uint32Array;
};

type Receipts = { member: Member; indexes: number[]; ids: string[]; at: number[] };
const now = () => performance.timeOrigin + performance.now();
const received: Receipts[] = [];
let disconnects = 0;

async function connectOne(member: Member): Promise<void> {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(member.url, {
    auth: { token: member.token },
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  // A socket closed before its join is answered would wait for the ack forever.
  const ack = await new Promise<Ack>((resolve, reject) => {
    socket.once('disconnect', (reason) => reject(new Error(`a member's socket closed while joining: ${reason}`)));
    socket.emit('channel:join', { channelId: member.channelId }, resolve);
  });
  if (!ack.ok) throw new Error(`join refused: ${ack.error.code}`);
  const receipts: Receipts = { member, indexes: [], ids: [], at: [] };
  socket.on('message:created', ({ message }) => {
    receipts.at.push(now());
    receipts.indexes.push(Number(message.content.slice(message.content.indexOf(' ') + 1)));
    receipts.ids.push(message.id);
  });
  // A dropped connection loses messages: counted, and said once.
  socket.on('disconnect', (reason) => {
    if (disconnects++ === 0) console.error(`[scale-members] a member's socket closed: ${reason}`);
  });
  received.push(receipts);
}

/** Connects `concurrency` members at a time, as a herd of browsers would arrive. */
async function connectAll(members: Member[], concurrency: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < members.length) await connectOne(members[next++]!);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

function check({ postedAt, channels, messages }: { postedAt: Float64Array; channels: number; messages: number }): MemberCheck {
  const result: MemberCheck = { disconnects, members: received.length, receipts: 0, missing: 0, duplicates: 0, foreign: 0, outOfIdOrder: 0, orders: [], latencies: new Float64Array(0), missingAt: new Uint32Array(messages) };
  const latencies: number[] = [];
  for (const { member, indexes, ids, at } of received) {
    const seen = new Uint16Array(messages);
    for (const [k, index] of indexes.entries()) {
      result.receipts += 1;
      if (index % channels !== member.channel) {
        result.foreign += 1;
        continue;
      }
      if (seen[index]!++ > 0) result.duplicates += 1;
      else latencies.push(at[k]! - postedAt[index]!);
      if (k > 0 && ids[k]! <= ids[k - 1]!) result.outOfIdOrder += 1;
    }
    for (let index = member.channel; index < messages; index += channels) if (seen[index] === 0) {
      result.missing += 1;
      result.missingAt[index]! += 1;
    }
    result.orders.push([member.channel, createHash('sha1').update(indexes.join(',')).digest('hex')]);
  }
  result.latencies = Float64Array.from(latencies);
  return result;
}

process.on('message', (command: MembersCommand) => {
  if ('connect' in command) {
    connectAll(command.connect, command.concurrency).then(
      () => process.send!({ connected: received.length }),
      (error: unknown) => process.send!({ error: error instanceof Error ? error.message : String(error) }),
    );
  } else if ('count' in command) {
    process.send!({ receipts: received.reduce((sum, r) => sum + r.indexes.length, 0) });
  } else {
    process.send!({ check: check(command.check) });
  }
});
