import 'server-only';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { env } from '@/lib/env';
import { bareHost, parseOutboundUrl, pinnedLookup, resolveOutbound, type Lookup, type ResolvedAddress } from './address-check';
import { readCappedBody } from './body';
import { OutboundError, outboundErrors } from './errors';

/*
 * The one way the server fetches from the internet (document URLs, web search, page reading, MCP
 * servers). Every hop of every request goes only to public addresses (ARCHITECTURE.md,
 * Invariants), is pinned to the address that was checked, and is bounded in time and size.
 */

export { OutboundError, type OutboundErrorCode } from './errors';
export { bareHost, parseOutboundUrl, pinnedLookup, resolveOutbound, type Lookup, type ResolvedAddress } from './address-check';
export { decoderFor } from './body';

export const OUTBOUND_USER_AGENT = 'NeurocacheBot/1.0 (+https://neurocache.ai)';
const DEFAULT_MAX_REDIRECTS = 5;

export type FetchPublicOptions = {
  /** Largest body accepted, after decompression. Default OUTBOUND_MAX_BYTES. */
  maxBytes?: number;
  /** The whole request, redirects and body included. Default OUTBOUND_TIMEOUT_MS. */
  timeoutMs?: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  signal?: AbortSignal;
  maxRedirects?: number;
  /** The Accept header; default any type. */
  accept?: string;
  /** Answer non-2xx responses (with their body) instead of failing with http_error. */
  allowErrorStatus?: boolean;
  /** How names are resolved; tests give a fixed answer so they never ask real DNS. */
  lookup?: Lookup;
};

export type PublicResponse = {
  /** The URL that answered, after redirects. */
  url: string;
  status: number;
  contentType: string;
  /** Lowercased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
};

/** The checks fetchPublic makes before connecting, without fetching: for a route to answer 400 at once. */
export async function checkPublicUrl(url: string | URL, options: { lookup?: Lookup } = {}): Promise<URL> {
  const parsed = parseOutboundUrl(url);
  await resolveOutbound(parsed, options.lookup);
  return parsed;
}

// Headers the transport owns; a caller's value would be wrong or unsafe.
export const RESERVED_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'accept-encoding', 'upgrade', 'te', 'keep-alive']);
// On a hop to another origin, only these of the caller's headers follow: the rest may be
// credentials meant for the first site (an MCP server's token must not go where it redirects).
const CROSS_ORIGIN_HEADERS = new Set(['accept', 'accept-language', 'user-agent']);
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

type Hop = { url: URL; method: 'GET' | 'POST'; headers: Record<string, string>; body?: Uint8Array };

function requestHeaders(options: FetchPublicOptions): Record<string, string> {
  const headers: Record<string, string> = { 'user-agent': OUTBOUND_USER_AGENT, accept: options.accept ?? '*/*' };
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    const key = name.toLowerCase();
    if (!RESERVED_HEADERS.has(key)) headers[key] = value;
  }
  return headers;
}

function send(hop: Hop, addresses: ResolvedAddress[], signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const transport = hop.url.protocol === 'https:' ? https : http;
    const headers = { ...hop.headers, 'accept-encoding': 'gzip, deflate, br', ...(hop.body ? { 'content-length': String(hop.body.byteLength) } : {}) };
    const request = transport.request({
      protocol: hop.url.protocol,
      hostname: bareHost(hop.url),
      port: hop.url.port || undefined,
      path: `${hop.url.pathname}${hop.url.search}`,
      method: hop.method,
      headers,
      // One fresh connection per hop: a pooled socket could have been opened to another address.
      agent: false,
      lookup: pinnedLookup(addresses),
    });
    let response: IncomingMessage | undefined;
    const abort = () => {
      request.destroy(signal.reason as Error);
      response?.destroy(signal.reason as Error);
    };
    // The signal is this request's own (a deadline, or one derived from the caller's), so the
    // listener goes away with it.
    signal.addEventListener('abort', abort, { once: true });
    // on, not once: a request can fail again after the response began (a reset mid-body).
    request.on('error', reject);
    request.once('response', (incoming) => {
      response = incoming;
      resolve(incoming);
    });
    if (signal.aborted) abort();
    request.end(hop.body);
  });
}

function flatHeaders(response: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

const TLS_ERROR = /^(CERT_|ERR_TLS_|ERR_SSL_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|ERR_CERT)/;

function translate(error: unknown, host: string, deadline: AbortSignal, timeoutMs: number, caller?: AbortSignal): unknown {
  if (caller?.aborted) return caller.reason;
  if (deadline.aborted) return outboundErrors.timeout(timeoutMs);
  if (error instanceof OutboundError) return error;
  const code = String((error as { code?: unknown })?.code ?? '');
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return outboundErrors.notFound(host);
  if (TLS_ERROR.test(code)) return outboundErrors.insecure();
  return outboundErrors.unreachable();
}

/** Rejects as soon as the signal aborts, for steps (DNS) that cannot be cancelled themselves. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function nextHop(hop: Hop, status: number, location: string): Hop {
  const url = parseOutboundUrl(location, hop.url);
  // As browsers do: 303 always, and 301/302 after a POST, continue as a GET without the body.
  const toGet = status === 303 || ((status === 301 || status === 302) && hop.method === 'POST');
  let headers = { ...hop.headers };
  if (toGet) delete headers['content-type'];
  if (url.origin !== hop.url.origin) headers = Object.fromEntries(Object.entries(headers).filter(([name]) => CROSS_ORIGIN_HEADERS.has(name)));
  return { url, headers, method: toGet ? 'GET' : hop.method, body: toGet ? undefined : hop.body };
}

/**
 * Fetches a public URL: http(s) only, every resolved address public (or the host allow-listed in
 * OUTBOUND_ALLOW_HOSTS), redirects followed by hand and each hop checked again, the whole request
 * within timeoutMs and the decompressed body within maxBytes. Fails with an OutboundError.
 */
export async function fetchPublic(url: string | URL, options: FetchPublicOptions = {}): Promise<PublicResponse> {
  const config = env();
  const maxBytes = options.maxBytes ?? config.OUTBOUND_MAX_BYTES;
  const timeoutMs = options.timeoutMs ?? config.OUTBOUND_TIMEOUT_MS;
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const body = typeof options.body === 'string' ? Buffer.from(options.body, 'utf8') : options.body;
  let hop: Hop = { url: parseOutboundUrl(url), method: options.method ?? 'GET', headers: requestHeaders(options), body };
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(outboundErrors.timeout(timeoutMs)), timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline.signal]) : deadline.signal;
  try {
    for (let redirects = 0; ; redirects += 1) {
      const addresses = await untilAborted(resolveOutbound(hop.url, options.lookup), signal);
      const response = await send(hop, addresses, signal);
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (REDIRECTS.has(status) && location) {
        response.destroy();
        if (redirects >= maxRedirects) throw outboundErrors.redirects(maxRedirects, status);
        hop = nextHop(hop, status, location);
        continue;
      }
      if ((status < 200 || status > 299) && !options.allowErrorStatus) {
        response.destroy();
        throw outboundErrors.status(status);
      }
      const headers = flatHeaders(response);
      return { url: hop.url.href, status, contentType: headers['content-type'] ?? '', headers, body: await readCappedBody(response, maxBytes) };
    }
  } catch (error) {
    throw translate(error, bareHost(hop.url), deadline.signal, timeoutMs, options.signal);
  } finally {
    clearTimeout(timer);
  }
}
