import { clerkMiddleware } from '@clerk/nextjs/server';
import { NextResponse, type NextFetchEvent, type NextRequest } from 'next/server';
import { env } from '@/lib/env';

const { auth } = env();

// With Clerk configured, its middleware keeps the `__session` cookie fresh (handshakes, refresh).
// jwtKey is passed explicitly: the installed @clerk/nextjs does not read CLERK_JWT_KEY by itself.
// Route handlers and pages still verify the session themselves (lib/auth/current-user.ts), which
// is why API routes need no proxy at all (see the matcher).
const clerk =
  auth.kind === 'clerk'
    ? clerkMiddleware({ secretKey: auth.secretKey, publishableKey: auth.publishableKey, jwtKey: auth.jwtKey, authorizedParties: auth.authorizedParties.length ? auth.authorizedParties : undefined })
    : null;

export default function proxy(req: NextRequest, event: NextFetchEvent) {
  return clerk ? clerk(req, event) : NextResponse.next();
}

/**
 * Pages only. API routes (`/api/...`, and `/v1/...` on the api host) authenticate every request
 * themselves, and a request the proxy matches has its whole body read before the route runs
 * (Next.js buffers it for the proxy, up to proxyClientMaxBodySize in next.config.js): a route
 * could not refuse an oversized upload with 413 before receiving it, nor stream a large one.
 */
export const config = {
  matcher: ['/((?!api(?:/|$)|v1(?:/|$)|_next|[^?]*\\.(?:html?|css|js(?!on)|jpe?g|webp|png|gif|svg|ttf|woff2?|ico|csv|docx?|xlsx?|zip|webmanifest)).*)'],
};
