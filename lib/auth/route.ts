import 'server-only';
import type { ApiKeyScope } from '@/lib/db/schema';
import { AppError } from '@/lib/http/errors';
import { prepare, refusal, publicRoute, type HandlerArgs, type Params, type RouteHandler, type RouteOptions } from '@/lib/http/route';
import { authenticateRequest, requireScope, type KeyCaller } from '@/lib/keys';
import { rateLimitHeaders, takeRequest } from '@/lib/ratelimit';
import { resolveSessionUser, type AuthUser } from './current-user';

/*
 * The route wrappers that resolve a caller: a hub session (cookie or Clerk) or an API key. They
 * sit here, above lib/http (which knows requests and errors, never callers) and lib/keys.
 */

export type AuthedHandlerArgs<P> = HandlerArgs<P> & { user: AuthUser };

/** A route for a signed-in hub user (local session cookie or Clerk). 401 without one; 403 for a mutation from another site. */
export function sessionRoute<P extends Params = Params>(handler: (args: AuthedHandlerArgs<P>) => Promise<Response>, options: RouteOptions = {}): RouteHandler {
  return publicRoute<P>(async (args) => handler({ ...args, user: await resolveSessionUser(args.req) }), { ...options, sameOrigin: true });
}

export type KeyHandlerArgs<P> = HandlerArgs<P> & { caller: KeyCaller };

/**
 * A public API route (`Authorization: Bearer nc_...`): 401 without a valid key, then the key's
 * rate limit (429 with Retry-After), then the scope (403; `scope` may be checked by the handler
 * instead when it depends on the body). Every answer carries the RateLimit headers. No Origin
 * check: a key is sent explicitly, never by a browser on its own.
 */
export function keyRoute<P extends Params = Params>(scope: ApiKeyScope | null, handler: (args: KeyHandlerArgs<P>) => Promise<Response>, options: RouteOptions = {}): RouteHandler {
  return async (req, context) => {
    let headers: Record<string, string> = {};
    let response: Response;
    try {
      const args = await prepare<P>(req, context, options);
      const caller = await authenticateRequest(req.headers);
      // The key's own limit and its owner's across all their keys, in one step (lib/ratelimit).
      const decision = await takeRequest(caller.keyId, { ownerId: caller.user.id });
      headers = rateLimitHeaders(decision);
      if (!decision.allowed) {
        throw new AppError('rate_limited', `${decision.subject} made ${decision.limit} requests in the last window; try again in ${headers['Retry-After']} s.`);
      }
      if (scope) requireScope(caller, scope);
      response = await handler({ ...args, caller });
    } catch (error) {
      response = refusal(req, error);
    }
    for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
    return response;
  };
}
