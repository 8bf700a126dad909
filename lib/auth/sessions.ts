import 'server-only';
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt } from 'drizzle-orm';
import { getCache } from '@/lib/cache';
import { cacheKeys } from '@/lib/cache/channel-cache';
import { getDb } from '@/lib/db';
import { sessions, users } from '@/lib/db/schema';
import { env } from '@/lib/env';
import { toPublicUser } from './users';
import type { PublicUser } from '@/lib/contracts/users';

export const SESSION_COOKIE = 'nc_session';

/** The cookie holds a random token; the table holds only its hash. */
function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function createSession({ userId }: { userId: string }): Promise<{ token: string; expiresAt: Date }> {
  const db = await getDb();
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + env().SESSION_TTL_DAYS * 24 * 60 * 60 * 1000);
  await db.insert(sessions).values({ id: hashToken(token), userId, expiresAt });
  return { token, expiresAt };
}

// Sessions are cached briefly so a hub request needs no Postgres round trip to know its caller.
// Sign-out writes a revocation marker rather than deleting the entry: a lookup that read Postgres
// just before the sign-out cannot put the session back (its fill is SET NX).
const SESSION_CACHE_TTL_MS = 60_000;
const REVOKED = 'revoked';

export async function getSessionUser({ token }: { token: string }): Promise<PublicUser | undefined> {
  if (!token || token.length > 200) return undefined;
  const id = hashToken(token);
  const cache = getCache();
  const key = cacheKeys.session(id);
  const cached = await cache.read((backend) => backend.get(key)).catch(() => null);
  if (cached === REVOKED) return undefined;
  if (cached) {
    const user = parseCachedUser(cached);
    if (user) return user;
  }
  const db = await getDb();
  const [row] = await db
    .select({ id: users.id, name: users.name, email: users.email, expiresAt: sessions.expiresAt })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, id), gt(sessions.expiresAt, new Date())))
    .limit(1);
  if (!row) return undefined;
  const user = toPublicUser(row);
  const ttlMs = Math.min(SESSION_CACHE_TTL_MS, row.expiresAt.getTime() - Date.now());
  if (ttlMs > 0) await cache.read((backend) => backend.set(key, JSON.stringify(user), { ttlMs, onlyIfAbsent: true })).catch(() => false);
  return user;
}

function parseCachedUser(text: string): PublicUser | undefined {
  try {
    const value = JSON.parse(text) as Partial<PublicUser>;
    if (typeof value.id === 'string' && typeof value.name === 'string' && typeof value.email === 'string') return toPublicUser(value as PublicUser);
  } catch {
    // garbage in the cache: fall through to Postgres
  }
  return undefined;
}

/** Ends the session on the server, so a copied cookie stops working too. */
export async function deleteSession({ token }: { token: string }): Promise<void> {
  if (!token) return;
  const id = hashToken(token);
  const db = await getDb();
  await db.delete(sessions).where(eq(sessions.id, id));
  const key = cacheKeys.session(id);
  await getCache().write(key, (backend) => backend.set(key, REVOKED, { ttlMs: SESSION_CACHE_TTL_MS }));
}

export function sessionCookieOptions(expiresAt?: Date) {
  return {
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: env().isProduction,
    path: '/',
    ...(expiresAt ? { expires: expiresAt } : { maxAge: 0 }),
  };
}
