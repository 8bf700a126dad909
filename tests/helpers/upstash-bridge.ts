import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Redis from 'ioredis';

/*
 * A local stand-in for Upstash's REST API, backed by a real Redis, so the Upstash adapter can be
 * tested without the network. It speaks the protocol @upstash/redis uses:
 *
 * - POST /            body ["SET","k","v","PX",1000]          → {"result": ...}
 * - POST /pipeline    body [[...], [...]]                     → [{"result": ...} | {"error": "..."}, ...]
 * - POST /multi-exec  body [[...], [...]] run in MULTI/EXEC   → same shape as /pipeline
 * - Authorization: Bearer <token>, else 401.
 * - Upstash-Encoding: base64: every string in a result (nested arrays included) is base64 of
 *   its bytes, except a top-level "OK"; integers and nil go as they are.
 * - A Redis error on a single command: 400 {"error": "<message>"}.
 */

export type UpstashBridge = { url: string; close(): Promise<void> };

type Command = [string, ...(string | number)[]];
type Reply = Buffer | string | number | bigint | null | Reply[];
type Json = string | number | null | Json[];

class BadRequest extends Error {}

function encode(reply: Reply, base64: boolean, topLevel: boolean): Json {
  if (reply === null || reply === undefined) return null;
  if (typeof reply === 'number') return reply;
  if (typeof reply === 'bigint') return Number(reply);
  if (Array.isArray(reply)) return reply.map((item) => encode(item, base64, false));
  const bytes = Buffer.isBuffer(reply) ? reply : Buffer.from(String(reply), 'utf8');
  if (!base64) return bytes.toString('utf8');
  // The client decodes a top-level "OK" as is, and everything else (inside arrays too) as base64.
  if (topLevel && bytes.toString('utf8') === 'OK') return 'OK';
  return bytes.toString('base64');
}

function asCommand(value: unknown): Command {
  if (!Array.isArray(value) || value.length === 0 || typeof value[0] !== 'string') throw new BadRequest('a command is a non-empty array starting with its name');
  for (const arg of value) {
    if (typeof arg !== 'string' && typeof arg !== 'number') throw new BadRequest('command arguments are strings or numbers');
  }
  return value as Command;
}

function asCommands(value: unknown): Command[] {
  if (!Array.isArray(value) || value.length === 0) throw new BadRequest('a pipeline is a non-empty array of commands');
  return value.map(asCommand);
}

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new BadRequest('the body is not JSON');
  }
}

function send(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Per-command outcomes of a pipeline or transaction, as ioredis reports them. */
function toResults(outcomes: [Error | null, unknown][] | null, base64: boolean): ({ result: Json } | { error: string })[] {
  return (outcomes ?? []).map(([error, reply]) => (error ? { error: error.message } : { result: encode(reply as Reply, base64, true) }));
}

export async function startUpstashBridge({ redisUrl, token }: { redisUrl: string; token: string }): Promise<UpstashBridge> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => {});
  await redis.connect();

  async function handle(req: IncomingMessage, res: ServerResponse) {
    if (req.headers.authorization !== `Bearer ${token}`) return send(res, 401, { error: 'Unauthorized' });
    if (req.method !== 'POST') return send(res, 405, { error: 'only POST is supported' });
    const base64 = String(req.headers['upstash-encoding'] ?? '').toLowerCase() === 'base64';
    const path = new URL(req.url ?? '/', 'http://bridge').pathname.replace(/\/+$/, '') || '/';
    const body = await readBody(req);

    if (path === '/') {
      const [name, ...args] = asCommand(body);
      try {
        const reply = (await redis.callBuffer(name, ...args)) as Reply;
        return send(res, 200, { result: encode(reply, base64, true) });
      } catch (error) {
        return send(res, 400, { error: errorMessage(error) });
      }
    }
    if (path === '/pipeline' || path === '/multi-exec') {
      const commands = asCommands(body);
      const batch = path === '/pipeline' ? redis.pipeline() : redis.multi();
      for (const [name, ...args] of commands) batch.callBuffer(name, ...args);
      try {
        return send(res, 200, toResults(await batch.exec(), base64));
      } catch (error) {
        // A transaction Redis refused as a whole (EXECABORT): nothing ran.
        return send(res, 400, { error: errorMessage(error) });
      }
    }
    return send(res, 404, { error: `no such endpoint: ${path}` });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      send(res, error instanceof BadRequest ? 400 : 500, { error: errorMessage(error) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      redis.disconnect();
    },
  };
}
