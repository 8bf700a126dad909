import { NextResponse, type NextRequest } from 'next/server';
import { z } from 'zod';
import { resolveSessionUser, type AuthUser } from '@/lib/auth/current-user';
import type { ApiKeyScope } from '@/lib/db/schema';
import { describeError, sqlState } from '@/lib/db/errors';
import { authenticateRequest, requireScope, type KeyCaller } from '@/lib/keys';
import { rateLimitHeaders, takeRequest } from '@/lib/ratelimit';
import { AppError, invalidRequest } from './errors';

/** Largest JSON body a hub route accepts; a 4000-character message fits many times over. */
export const MAX_BODY_BYTES = 64 * 1024;

type Params = Record<string, string | string[] | undefined>;
type RouteContext = { params: Promise<Params> };

export type HandlerArgs<P> = { req: NextRequest; params: P };
export type AuthedHandlerArgs<P> = HandlerArgs<P> & { user: AuthUser };

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

const tooLarge = () => new AppError('payload_too_large', `The body is larger than ${MAX_BODY_BYTES} bytes.`);

/**
 * Reads the body as a stream and stops at the cap, so a chunked request without Content-Length
 * cannot make the server buffer more than MAX_BODY_BYTES.
 */
async function readCapped(req: Request): Promise<string> {
  if (Number(req.headers.get('content-length') ?? '0') > MAX_BODY_BYTES) throw tooLarge();
  if (!req.body) return '';
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads a JSON body with a size cap; an empty body reads as `{}`. */
export async function readJson(req: Request): Promise<unknown> {
  const text = await readCapped(req);
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw invalidRequest('The body is not valid JSON.');
  }
}

export async function parseBody<S extends z.ZodType>(req: Request, schema: S): Promise<z.infer<S>> {
  return parseWith(schema, await readJson(req), 'body');
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
export function publicRoute<P extends Params = Params>(handler: (args: HandlerArgs<P>) => Promise<Response>) {
  return async (req: NextRequest, context: RouteContext): Promise<Response> => {
    try {
      return await handler({ req, params: ((await context?.params) ?? {}) as P });
    } catch (error) {
      return errorResponse(error);
    }
  };
}

/** A route for a signed-in hub user (local session cookie or Clerk). 401 without one. */
export function sessionRoute<P extends Params = Params>(handler: (args: AuthedHandlerArgs<P>) => Promise<Response>) {
  return publicRoute<P>(async ({ req, params }) => {
    const user = await resolveSessionUser(req);
    return handler({ req, params, user });
  });
}

export type KeyHandlerArgs<P> = HandlerArgs<P> & { caller: KeyCaller };

/**
 * A public API route (`Authorization: Bearer nc_...`): 401 without a valid key, then the key's
 * rate limit (429 with Retry-After), then the scope (403; `scope` may be checked by the handler
 * instead when it depends on the body). Every answer carries the RateLimit headers.
 */
export function keyRoute<P extends Params = Params>(scope: ApiKeyScope | null, handler: (args: KeyHandlerArgs<P>) => Promise<Response>) {
  return async (req: NextRequest, context: RouteContext): Promise<Response> => {
    let headers: Record<string, string> = {};
    let response: Response;
    try {
      const caller = await authenticateRequest(req.headers);
      const decision = await takeRequest(caller.keyId);
      headers = rateLimitHeaders(decision);
      if (!decision.allowed) {
        throw new AppError('rate_limited', `This key made ${decision.limit} requests in the last window; try again in ${headers['Retry-After']} s.`);
      }
      if (scope) requireScope(caller, scope);
      response = await handler({ req, params: ((await context?.params) ?? {}) as P, caller });
    } catch (error) {
      response = errorResponse(error);
    }
    for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
    return response;
  };
}

export const json = (body: unknown, init?: number | ResponseInit) =>
  NextResponse.json(body, typeof init === 'number' ? { status: init } : init);

export const noContent = () => new NextResponse(null, { status: 204 });
