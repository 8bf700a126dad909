import 'server-only';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { bareHost, decoderFor, OutboundError, OUTBOUND_USER_AGENT, parseOutboundUrl, pinnedLookup, RESERVED_HEADERS, resolveOutbound, type Lookup } from '@/lib/outbound';

/*
 * The fetch the MCP SDK's Streamable HTTP transport is given, so that every HTTP request it makes
 * follows the hub's outbound rules (ARCHITECTURE.md, Invariants): the URL is checked and its host
 * resolved by the same code as fetchPublic, the socket is pinned to the addresses that were
 * checked (a second DNS answer cannot point it elsewhere), redirects are never followed here (the
 * transport follows same-origin ones by calling this again, so each hop is checked again), and each
 * exchange is bounded in time and size. fetchPublic itself buffers whole bodies; MCP answers are
 * event streams read as they arrive, hence this streaming sibling.
 */

export type PublicFetchOptions = {
  /** Headers sent with every request; the transport's own (session, protocol version, content type) win. */
  headers?: Record<string, string>;
  /** Bytes one response body may carry. */
  maxBytes: number;
  /** One exchange, from connecting to the body's last byte. */
  timeoutMs: number;
  lookup?: Lookup;
  /** Counts requests that reached a socket (tests prove refused ones never did). */
  onRequest?: (url: URL, method: string) => void;
};

const NULL_BODY = new Set([101, 103, 204, 205, 304]);

const timeoutError = (ms: number) => new OutboundError('timeout', `The MCP server took longer than ${Math.round(ms / 100) / 10} s to answer.`);
const tooLargeError = () => new OutboundError('too_large', 'The MCP server sent an answer larger than the hub accepts.');
const unreachableError = () => new OutboundError('unreachable', 'The MCP server could not be reached.');

function decoded(response: IncomingMessage): Readable {
  const encoding = String(response.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (!encoding || encoding === 'identity') return response;
  const decoder = decoderFor(encoding);
  if (!decoder) {
    response.destroy();
    throw new OutboundError('unreachable', 'The MCP server answered in an encoding the hub cannot read.');
  }
  response.on('error', (error) => decoder.destroy(error));
  return response.pipe(decoder);
}

async function bodyOf(init: RequestInit | undefined): Promise<Buffer | undefined> {
  const body = init?.body;
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  return Buffer.from(await new Response(body).arrayBuffer());
}

function outgoingHeaders(defaults: Record<string, string>, init: RequestInit | undefined, length: number | undefined): Record<string, string> {
  const headers: Record<string, string> = { 'user-agent': OUTBOUND_USER_AGENT };
  for (const [name, value] of Object.entries(defaults)) headers[name.toLowerCase()] = value;
  new Headers(init?.headers).forEach((value, name) => {
    headers[name] = value;
  });
  for (const name of Object.keys(headers)) if (RESERVED_HEADERS.has(name)) delete headers[name];
  headers['accept-encoding'] = 'gzip, deflate, br';
  if (length !== undefined) headers['content-length'] = String(length);
  return headers;
}

/**
 * A `fetch` for StreamableHTTPClientTransport. Fails with an OutboundError (blocked, unreachable,
 * timeout, too_large) whose message is fit to show; a caller's abort rejects with its reason.
 */
export function publicFetch(options: PublicFetchOptions): (input: string | URL, init?: RequestInit) => Promise<Response> {
  return async (input, init) => {
    const url = parseOutboundUrl(input instanceof URL ? input : String(input));
    const method = (init?.method ?? 'GET').toUpperCase();
    const callerSignal = init?.signal ?? undefined;
    callerSignal?.throwIfAborted();
    const addresses = await resolveOutbound(url, options.lookup);
    const body = await bodyOf(init);
    options.onRequest?.(url, method);

    const deadline = AbortSignal.timeout(options.timeoutMs);
    const signal = callerSignal ? AbortSignal.any([callerSignal, deadline]) : deadline;
    const failure = () => (callerSignal?.aborted ? callerSignal.reason : timeoutError(options.timeoutMs));

    const transport = url.protocol === 'https:' ? https : http;
    const request = transport.request({
      protocol: url.protocol,
      hostname: bareHost(url),
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      method,
      headers: outgoingHeaders(options.headers ?? {}, init, body?.byteLength),
      // A fresh connection each time: a pooled socket may have been opened to another address.
      agent: false,
      lookup: pinnedLookup(addresses),
    });

    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const abort = () => {
        request.destroy();
        reject(failure());
      };
      if (signal.aborted) return abort();
      signal.addEventListener('abort', abort, { once: true });
      request.once('error', (error) => {
        signal.removeEventListener('abort', abort);
        reject(signal.aborted ? failure() : error instanceof OutboundError ? error : unreachableError());
      });
      request.once('response', (incoming) => {
        signal.removeEventListener('abort', abort);
        resolve(incoming);
      });
      request.end(body);
    });

    const status = response.statusCode ?? 0;
    const headers = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      if (value === undefined || name === 'content-encoding' || name === 'content-length') continue;
      for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
    }
    if (status < 200 || status > 599) {
      response.destroy();
      throw new OutboundError('unreachable', `The MCP server answered with status ${status}.`);
    }
    if (NULL_BODY.has(status) || method === 'HEAD') {
      response.destroy();
      return new Response(null, { status, statusText: response.statusMessage, headers });
    }
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > options.maxBytes) {
      response.destroy();
      throw tooLargeError();
    }
    return new Response(cappedStream(decoded(response), response, signal, failure, options.maxBytes), { status, statusText: response.statusMessage, headers });
  };
}

/** The body as a web stream that errors past maxBytes or the exchange's deadline, and drops the socket when cancelled. */
function cappedStream(source: Readable, raw: IncomingMessage, signal: AbortSignal, failure: () => unknown, maxBytes: number): ReadableStream<Uint8Array> {
  let total = 0;
  let done = false;
  const finish = () => {
    done = true;
    signal.removeEventListener('abort', onAbort);
  };
  let fail: (error: unknown) => void = () => {};
  const onAbort = () => fail(failure());
  return new ReadableStream<Uint8Array>({
    start(controller) {
      fail = (error) => {
        if (done) return;
        finish();
        raw.destroy();
        source.destroy();
        controller.error(error);
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      source.on('data', (chunk: Buffer) => {
        if (done) return;
        total += chunk.length;
        if (total > maxBytes) return fail(tooLargeError());
        controller.enqueue(new Uint8Array(chunk));
        if ((controller.desiredSize ?? 1) <= 0) source.pause();
      });
      source.once('end', () => {
        if (done) return;
        finish();
        controller.close();
      });
      source.once('error', () => fail(signal.aborted ? failure() : unreachableError()));
      // A connection cut before the last byte: what arrived is not a whole answer.
      raw.once('close', () => {
        if (!raw.complete) fail(signal.aborted ? failure() : unreachableError());
      });
    },
    pull() {
      source.resume();
    },
    cancel() {
      finish();
      raw.destroy();
      source.destroy();
    },
  });
}
