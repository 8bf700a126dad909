import { clerkMiddleware } from '@clerk/nextjs/server';
import { NextResponse, type NextFetchEvent, type NextRequest } from 'next/server';
import { env } from '@/lib/env';

const { auth } = env();

// With Clerk configured, its middleware keeps the `__session` cookie fresh (handshakes, refresh).
// jwtKey is passed explicitly: the installed @clerk/nextjs does not read CLERK_JWT_KEY by itself.
// Route handlers and pages still verify the session themselves (lib/auth/current-user.ts).
const clerk =
  auth.kind === 'clerk'
    ? clerkMiddleware({ secretKey: auth.secretKey, publishableKey: auth.publishableKey, jwtKey: auth.jwtKey, authorizedParties: auth.authorizedParties.length ? auth.authorizedParties : undefined })
    : null;

export default function proxy(req: NextRequest, event: NextFetchEvent) {
  return clerk ? clerk(req, event) : NextResponse.next();
}

export const config = {
  matcher: ['/((?!_next|[^?]*\\.(?:html?|css|js(?!on)|jpe?g|webp|png|gif|svg|ttf|woff2?|ico|csv|docx?|xlsx?|zip|webmanifest)).*)', '/(api|trpc)(.*)'],
};
