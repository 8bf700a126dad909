import 'server-only';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { env } from '@/lib/env';
import { secretKey } from '@/lib/realtime/token';

/**
 * The "known device" cookie: set when someone signs in (or up) with the right password, it proves
 * on a later sign-in that this browser has done so before for this account, which lets its holder
 * past the account-wide cap on failed sign-ins (lib/auth/local.ts). So guessing spread over many
 * addresses can lock out strangers for a window, never the person on their own device.
 *
 * Its value is an HMAC of the user id under the server's secret (the one that signs realtime
 * tokens: REALTIME_SECRET, else a per-process key, whose restart only costs holders the bypass
 * until they sign in again). It names nobody, cannot be made without the secret, and stays after
 * sign-out (it marks the device, not a session). HttpOnly, and sent to the auth routes only.
 */
export const DEVICE_COOKIE = 'nc_device';
const DEVICE_MAX_AGE_SECONDS = 365 * 24 * 60 * 60;

const macOf = (userId: string) => createHmac('sha256', secretKey()).update(`known-device:${userId}`).digest();

export function deviceCookieValue(userId: string): string {
  return macOf(userId).toString('base64url');
}

export function deviceCookieOptions() {
  return { httpOnly: true, sameSite: 'lax' as const, secure: env().isProduction, path: '/api/auth', maxAge: DEVICE_MAX_AGE_SECONDS };
}

/** Whether the request's Cookie header carries this user's device cookie (compared in constant time). */
export function isKnownDevice(userId: string | undefined, cookieHeader: string | null | undefined): boolean {
  if (!userId || !cookieHeader) return false;
  const prefix = `${DEVICE_COOKIE}=`;
  const given = cookieHeader
    .split(';')
    .map((part) => part.trim())
    .find((part) => part.startsWith(prefix))
    ?.slice(prefix.length);
  if (!given || given.length > 100) return false;
  const expected = macOf(userId);
  const actual = Buffer.from(given, 'base64url');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
