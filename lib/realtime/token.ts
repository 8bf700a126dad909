import 'server-only';
import { randomBytes } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { env } from '@/lib/env';
import type { UserRef } from './events';

const AUDIENCE = 'neurocache-realtime';
const TOKEN_TTL_SECONDS = 5 * 60;

// Without REALTIME_SECRET (embedded mode: one process) a random secret is made per process and
// kept on globalThis, so route handlers and the realtime server in that process share it.
const slot = ((globalThis as { __neurocacheRealtimeSecret?: { key?: Uint8Array } }).__neurocacheRealtimeSecret ??= {});

/** The server's signing secret (REALTIME_SECRET, else per process): also signs lib/auth/device.ts's cookie. */
export function secretKey(): Uint8Array {
  const configured = env().REALTIME_SECRET;
  if (configured) return new TextEncoder().encode(configured);
  slot.key ??= randomBytes(32);
  return slot.key;
}

/** A short-lived token for the Socket.io handshake; the client asks for a fresh one on each connect. */
export async function signRealtimeToken(user: UserRef): Promise<string> {
  return new SignJWT({ name: user.name })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(user.id)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${TOKEN_TTL_SECONDS}s`)
    .sign(secretKey());
}

export async function verifyRealtimeToken(token: unknown): Promise<UserRef | undefined> {
  if (typeof token !== 'string' || token.length > 2000) return undefined;
  try {
    const { payload } = await jwtVerify(token, secretKey(), { audience: AUDIENCE, algorithms: ['HS256'] });
    if (typeof payload.sub !== 'string' || typeof payload.name !== 'string') return undefined;
    return { id: payload.sub, name: payload.name };
  } catch {
    return undefined;
  }
}

export function realtimeUrl(): string {
  return env().NEXT_PUBLIC_REALTIME_URL ?? '';
}
