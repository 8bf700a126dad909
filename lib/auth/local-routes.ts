import 'server-only';
import { NextResponse } from 'next/server';
import { env } from '@/lib/env';
import { notFound } from '@/lib/http/errors';
import { DEVICE_COOKIE, deviceCookieOptions, deviceCookieValue } from './device';
import { createSession, sessionCookieOptions, SESSION_COOKIE } from './sessions';
import type { PublicUser } from '@/lib/contracts/users';

/** With Clerk configured, the local email/password routes do not exist. */
export function requireLocalAuth(): void {
  if (env().auth.kind !== 'local') throw notFound('Route');
}

/**
 * Starts a session for the user (who just gave the right password, signing in or up) and answers
 * with the session cookie and the known-device cookie set (see device.ts).
 */
export async function respondWithSession(user: PublicUser, status: number): Promise<NextResponse> {
  const { token, expiresAt } = await createSession({ userId: user.id });
  const response = NextResponse.json({ user }, { status });
  response.cookies.set(SESSION_COOKIE, token, sessionCookieOptions(expiresAt));
  response.cookies.set(DEVICE_COOKIE, deviceCookieValue(user.id), deviceCookieOptions());
  return response;
}
