import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * How the proxy treats traffic, for every connection (open or new) from the moment it is set:
 * - pass: forwards both ways.
 * - down: a stopped server. Open connections are destroyed, new ones closed at once.
 * - blackhole: a hung or unreachable server. Connections are accepted and held, nothing is
 *   answered; bytes sent meanwhile are kept, as TCP would retransmit them, and delivered in
 *   order once the mode changes (a server that resumes answers everything it was sent).
 * - slow: forwards, but every chunk from the server reaches the client `slowMs` late.
 * - garbage: answers every client write with bytes that are not RESP (RESP2 nor RESP3),
 *   without forwarding it.
 */
export type FaultMode = 'pass' | 'down' | 'blackhole' | 'slow' | 'garbage';

export type FaultProxy = {
  url: string;
  readonly mode: FaultMode;
  setMode(mode: FaultMode): void;
  /** Connections accepted so far, for tests that check a client reconnected. */
  readonly accepted: number;
  close(): Promise<void>;
};

export const GARBAGE = Buffer.from('?%%garbage%%\r\n');

type Link = {
  client: net.Socket;
  upstream: net.Socket;
  /** Client bytes held while blackholed. */
  heldUp: Buffer[];
  /** Server bytes waiting for their delivery time, in order (Infinity: held by a blackhole). */
  pendingDown: { at: number; chunk: Buffer }[];
  timer?: NodeJS.Timeout;
};

export async function startFaultProxy({ target, slowMs = 2000 }: { target: { host: string; port: number }; slowMs?: number }): Promise<FaultProxy> {
  let mode: FaultMode = 'pass';
  let accepted = 0;
  const links = new Set<Link>();

  const destroy = (link: Link) => {
    clearTimeout(link.timer);
    link.client.destroy();
    link.upstream.destroy();
    links.delete(link);
  };

  /** Writes every server chunk that is due, in order, and waits for the next one. */
  const drainDown = (link: Link) => {
    clearTimeout(link.timer);
    link.timer = undefined;
    const now = Date.now();
    while (link.pendingDown.length > 0 && link.pendingDown[0]!.at <= now) link.client.write(link.pendingDown.shift()!.chunk);
    const next = link.pendingDown[0];
    if (next && next.at !== Infinity) link.timer = setTimeout(() => drainDown(link), next.at - now);
  };

  const fromServer = (link: Link, chunk: Buffer) => {
    if (mode === 'garbage') return; // the client is already being answered garbage
    const last = link.pendingDown.at(-1)?.at ?? 0;
    const due = mode === 'blackhole' ? Infinity : Math.max(last, Date.now() + (mode === 'slow' ? slowMs : 0));
    link.pendingDown.push({ at: due, chunk });
    if (link.pendingDown.length === 1 || due !== Infinity) drainDown(link);
  };

  const fromClient = (link: Link, chunk: Buffer) => {
    if (mode === 'blackhole') link.heldUp.push(chunk);
    else if (mode === 'garbage') link.client.write(GARBAGE);
    else link.upstream.write(chunk);
  };

  /** Leaving a blackhole: what was held flows again (delayed too if the new mode is slow). */
  const release = (link: Link) => {
    for (const chunk of link.heldUp.splice(0)) link.upstream.write(chunk);
    const base = Date.now() + (mode === 'slow' ? slowMs : 0);
    for (const item of link.pendingDown) if (item.at === Infinity) item.at = base;
    drainDown(link);
  };

  const server = net.createServer((client) => {
    accepted += 1;
    if (mode === 'down') return void client.destroy();
    const upstream = net.connect(target.port, target.host);
    const link: Link = { client, upstream, heldUp: [], pendingDown: [] };
    links.add(link);
    client.on('data', (chunk: Buffer) => fromClient(link, chunk));
    upstream.on('data', (chunk: Buffer) => fromServer(link, chunk));
    for (const socket of [client, upstream]) {
      socket.on('error', () => destroy(link));
      socket.on('close', () => destroy(link));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `redis://127.0.0.1:${port}`,
    get mode() {
      return mode;
    },
    get accepted() {
      return accepted;
    },
    setMode(next) {
      const previous = mode;
      mode = next;
      if (next === 'down') for (const link of [...links]) destroy(link);
      else if (previous === 'blackhole' && next !== 'blackhole') for (const link of links) release(link);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const link of [...links]) destroy(link);
        server.close(() => resolve());
      }),
  };
}
