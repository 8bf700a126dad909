import 'server-only';
import { NextResponse, type NextRequest } from 'next/server';
import { z } from 'zod';
import { describeError, sqlState } from '@/lib/db/errors';
import { env } from '@/lib/env';
import { canonicalId } from '@/lib/ids';
import { AppError, forbidden, invalidRequest } from './errors';
import { ROUTE_METHODS, type RouteMethod } from './methods';
import { isMultipart } from './multipart';

/** Largest JSON body a hub route accepts; a 4000-character message fits many times over. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Body caps belong to routes: hub routes take small JSON, the public chat routes take what
 * OpenAI's clients send (whole conversations, several MB). Read per request, so it can be tuned.
 */
const bodyCaps = {
  hub: () => MAX_BODY_BYTES,
  api: () => env().API_MAX_BODY_BYTES,
  // Document uploads: a full multipart request of files at their cap, with room for the framing.
  upload: () => env().KNOWLEDGE_MAX_FILES_PER_UPLOAD * env().KNOWLEDGE_MAX_FILE_BYTES + 1024 * 1024,
};

export type RouteOptions = {
  /** Which body cap applies; `hub` (64 KiB) unless given. `upload` also accepts multipart/form-data. */
  body?: keyof typeof bodyCaps;
  /** Refuse mutations sent by another site's page (always on for session routes). */
  sameOrigin?: boolean;
};

export type Params = Record<string, string | string[] | undefined>;
type RouteContext = { params: Promise<Params> };
export type RouteHandler = (req: NextRequest, context: RouteContext) => Promise<Response>;

export type HandlerArgs<P> = {
  req: NextRequest;
  params: P;
  /** Reads the JSON body within the route's cap and parses it with `schema` (400 with details). */
  body<S extends z.ZodType>(schema: S): Promise<z.infer<S>>;
};

/** Field errors keyed by path, for the `details` of a 400. */
export function fieldErrors(error: z.ZodError): Record<string, string[]> {
  const details: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.join('.') || '(body)';
    (details[key] ??= []).push(issue.message);
  }
  return details;
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what = 'request'): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw invalidRequest(`The ${what} is invalid.`, fieldErrors(result.error));
  return result.data;
}

/**
 * Refusals that leave a body unread close the connection: a client still sending would otherwise
 * run into a reset, on a connection kept alive for a next request, before reading the answer.
 */
const unread = { headers: { Connection: 'close' } };
const tooLarge = (maxBytes: number) => new AppError('payload_too_large', `The body is larger than ${maxBytes} bytes.`, unread);
const declaredLength = (req: Request) => Number(req.headers.get('content-length') ?? '0');

/**
 * Reads the body as a stream and stops at the cap, so a chunked request without Content-Length
 * cannot make the server buffer more than the route accepts.
 */
async function readCapped(req: Request, maxBytes: number): Promise<string> {
  if (declaredLength(req) > maxBytes) throw tooLarge(maxBytes);
  if (!req.body) return '';
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const parseJson = (text: string): unknown => {
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw invalidRequest('The body is not valid JSON.');
  }
};

/** Reads a JSON body with a size cap; an empty body reads as `{}`. */
export async function readJson(req: Request, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  return parseJson(await readCapped(req, maxBytes));
}

/** `application/json` with any parameters (charset), or a `+json` type (merge-patch, vnd.api). */
const isJsonType = (value: string | null) => /^application\/(?:[\w.-]+\+)?json$/i.test(value?.split(';')[0]?.trim() ?? '');
const notJson = (multipart = false) =>
  new AppError('unsupported_media_type', multipart ? 'Send files as multipart/form-data, or JSON with Content-Type: application/json.' : 'Send the body as JSON, with Content-Type: application/json.', unread);

/**
 * Before any work: a declared body over the cap is refused without reading a byte of it, and a
 * declared body that is not JSON is refused with 415, which is also what stops a cross-site
 * `<form>` (it can only send text/plain, form-urlencoded or multipart, always with a length).
 * A request without a body (DELETE, a bare POST) needs no type.
 */
function checkBody(req: Request, maxBytes: number, multipart: boolean): void {
  if (declaredLength(req) > maxBytes) throw tooLarge(maxBytes);
  if (multipart && isMultipart(req)) return;
  if (declaredLength(req) > 0 && !isJsonType(req.headers.get('content-type'))) throw notJson(multipart);
}

/** The route's JSON body; a chunked body (no length to check first) is held to the same type rule once read. */
async function readJsonBody(req: Request, maxBytes: number): Promise<unknown> {
  const text = await readCapped(req, maxBytes);
  if (text.trim() && !isJsonType(req.headers.get('content-type'))) throw notJson();
  return parseJson(text);
}

/** The hub's own origins: the host the request was sent to, APP_URL and REALTIME_ALLOWED_ORIGINS. */
function isOwnOrigin(req: Request, origin: string): boolean {
  const { realtimeOrigins, TRUST_PROXY } = env();
  if (realtimeOrigins.includes(origin)) return true;
  const host = (TRUST_PROXY && req.headers.get('x-forwarded-host')?.split(',')[0]?.trim()) || req.headers.get('host');
  try {
    return new URL(origin).host === host;
  } catch {
    return false; // `Origin: null` (sandboxed frames, some redirects) is nobody's own
  }
}

/**
 * A cookie-authenticated mutation sent by another site's page is refused (403). SameSite=Lax keeps
 * the cookie off cross-site POSTs, but a sibling origin (another subdomain) is the same site and
 * gets it. Requests without Origin (curl, servers, SDKs) forge nothing and pass.
 */
function checkSameOrigin(req: Request): void {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return;
  const origin = req.headers.get('origin');
  const foreign = origin === null ? req.headers.get('sec-fetch-site') === 'cross-site' : !isOwnOrigin(req, origin);
  if (foreign) throw forbidden('This request came from another site; use the hub itself.');
}

/**
 * Path ids in their one canonical spelling: every `[...Id]` segment typed in any case reaches the
 * same rows, cache keys and rooms. A value that is no id stays as typed, for the service to 404.
 */
async function resolveParams<P>(context: RouteContext | undefined): Promise<P> {
  const raw = (await context?.params) ?? {};
  const canonical = Object.entries(raw).map(([name, value]) => [name, typeof value === 'string' && name.endsWith('Id') ? (canonicalId(value) ?? value) : value]);
  return Object.fromEntries(canonical) as P;
}

/** What every route does before its handler: origin and body checks, canonical params, a capped body reader. */
export async function prepare<P>(req: NextRequest, context: RouteContext | undefined, options: RouteOptions): Promise<HandlerArgs<P>> {
  if (options.sameOrigin) checkSameOrigin(req);
  const maxBytes = bodyCaps[options.body ?? 'hub']();
  checkBody(req, maxBytes, options.body === 'upload');
  const params = await resolveParams<P>(context);
  // An upload route's JSON (a pasted text) is held to one file's cap, not the whole multipart's.
  const jsonBytes = options.body === 'upload' ? env().KNOWLEDGE_MAX_FILE_BYTES + 64 * 1024 : maxBytes;
  return { req, params, body: async (schema) => parseWith(schema, await readJsonBody(req, jsonBytes), 'body') };
}

export function parseQuery<S extends z.ZodType>(req: NextRequest, schema: S): z.infer<S> {
  return parseWith(schema, Object.fromEntries(req.nextUrl.searchParams), 'query');
}

export function errorResponse(error: unknown): NextResponse {
  if (error instanceof AppError) {
    return NextResponse.json(error.toBody(), { status: error.status, headers: error.headers });
  }
  // Postgres refuses some text (a NUL byte) that no schema should have let through: still the caller's input.
  const state = sqlState(error);
  if (state === '22021' || state === '22P05') return errorResponse(invalidRequest('The request contains characters that cannot be stored.'));
  // Unknown failures are logged without user data (no parameters) and answered generically.
  console.error('[route] unhandled error', describeError(error));
  return NextResponse.json(
    { error: { code: 'internal_error', message: 'Something went wrong on our side. Please try again.' } },
    { status: 500 },
  );
}

/** A route that needs no caller (sign-up, sign-in). Catches every error in one place. */
export function publicRoute<P extends Params = Params>(handler: (args: HandlerArgs<P>) => Promise<Response>, options: RouteOptions = {}): RouteHandler {
  return async (req, context) => {
    try {
      return await handler(await prepare<P>(req, context, options));
    } catch (error) {
      return refusal(req, error);
    }
  };
}

/**
 * The error answer for a request refused before its body was read (a foreign origin, no session
 * or key, a rate limit): like 413 and 415, it closes the connection, or a client still sending
 * would run into a reset on the kept-alive connection before reading the answer.
 */
export function refusal(req: Request, error: unknown): Response {
  const response = errorResponse(error);
  const hasBody = declaredLength(req) > 0 || req.headers.has('transfer-encoding');
  if (hasBody && !req.bodyUsed) response.headers.set('Connection', 'close');
  return response;
}

type Implemented = Partial<Record<Exclude<RouteMethod, 'HEAD' | 'OPTIONS'>, RouteHandler>>;

/**
 * A route file's exports, one per method Next.js routes: the given handlers, HEAD answered by GET
 * (without the body), OPTIONS with Allow, and for every other method a 405 with Allow and the
 * API's JSON error body (Next.js itself would answer an empty 405).
 */
export function methods(handlers: Implemented): Record<RouteMethod, RouteHandler> {
  const allow = ROUTE_METHODS.filter((method) => method === 'OPTIONS' || handlers[method === 'HEAD' ? 'GET' : method]).join(', ');
  const refuse: RouteHandler = async (req) => errorResponse(new AppError('method_not_allowed', `${req.method} is not allowed here; use ${allow}.`, { headers: { Allow: allow } }));
  return {
    GET: handlers.GET ?? refuse,
    HEAD: handlers.GET ?? refuse,
    OPTIONS: async () => new NextResponse(null, { status: 204, headers: { Allow: allow } }),
    POST: handlers.POST ?? refuse,
    PUT: handlers.PUT ?? refuse,
    PATCH: handlers.PATCH ?? refuse,
    DELETE: handlers.DELETE ?? refuse,
  };
}

export const json = (body: unknown, init?: number | ResponseInit) =>
  NextResponse.json(body, typeof init === 'number' ? { status: init } : init);

export const noContent = () => new NextResponse(null, { status: 204 });
