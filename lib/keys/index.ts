import 'server-only';
import { and, desc, eq, gt, isNull, or, sql } from 'drizzle-orm';
import type { z } from 'zod';
import { runInBackground } from '@/lib/background';
import { getCache } from '@/lib/cache';
import { cacheKeys } from '@/lib/cache/channel-cache';
import { getDb } from '@/lib/db';
import { describeError } from '@/lib/db/errors';
import { apiKeys, apiKeyScopes, users, type ApiKey, type ApiKeyScope } from '@/lib/db/schema';
import { env } from '@/lib/env';
import { AppError, conflict, forbidden, notFound } from '@/lib/http/errors';
import type { KeyJson } from '@/lib/contracts/keys';
import { isUuid, newId } from '@/lib/ids';
import { generateKey, hashKey, isWellFormedKey, partialOf, sameHash } from './format';
import type { createKeyInput } from './schemas';

/** Who a request with a key acts as, and what it may do. */
export type KeyCaller = { keyId: string; user: { id: string; name: string }; scopes: ApiKeyScope[] };

const toKeyJson = (key: ApiKey): KeyJson => ({
  id: key.id,
  name: key.name,
  partial: key.partial,
  scopes: key.scopes,
  createdAt: key.createdAt.toISOString(),
  lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
  expiresAt: key.expiresAt?.toISOString() ?? null,
  revokedAt: key.revokedAt?.toISOString() ?? null,
});

/** Live keys, newest first (revoked ones are gone from the list; their usage stays on the charts). */
export async function listKeys({ userId }: { userId: string }): Promise<KeyJson[]> {
  const db = await getDb();
  const rows = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.ownerId, userId), isNull(apiKeys.revokedAt)))
    .orderBy(desc(apiKeys.id));
  return rows.map(toKeyJson);
}

/**
 * Makes a key. The secret is returned this once and never stored. A person holds at most
 * API_KEYS_MAX_PER_USER live keys (not revoked, not expired): each key has its own rate limit, so
 * unlimited keys would mean unlimited requests. Counting and inserting happen under a lock on the
 * owner's row, so two creates racing at the cap cannot both pass.
 */
export async function createKey({ userId, input }: { userId: string; input: z.infer<typeof createKeyInput> }): Promise<{ key: KeyJson; secret: string }> {
  const db = await getDb();
  const secret = generateKey();
  const cap = env().API_KEYS_MAX_PER_USER;
  const key = await db.transaction(async (tx) => {
    await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for('update');
    const [live] = await tx
      .select({ count: sql<number>`count(*)::int` })
      .from(apiKeys)
      .where(and(eq(apiKeys.ownerId, userId), isNull(apiKeys.revokedAt), or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, new Date()))));
    if ((live?.count ?? 0) >= cap) throw conflict(`You already have ${cap} live API keys, the most one person may hold. Revoke one you no longer use, then make this one.`);
    const [inserted] = await tx
      .insert(apiKeys)
      .values({
        id: newId(),
        ownerId: userId,
        name: input.name,
        hash: hashKey(secret),
        partial: partialOf(secret),
        scopes: [...new Set(input.scopes ?? apiKeyScopes)],
        expiresAt: input.expiresAt ? new Date(input.expiresAt) : null,
      })
      .returning();
    return inserted!;
  });
  return { key: toKeyJson(key), secret };
}

// Keys are cached briefly, like sessions: an API request needs no Postgres round trip to know its
// caller. Revocation writes a marker that outlives any fill, so it holds from the next request.
const KEY_CACHE_TTL_MS = 60_000;
const REVOKED = 'revoked';

export async function revokeKey({ userId, keyId }: { userId: string; keyId: string }): Promise<void> {
  if (!isUuid(keyId)) throw notFound('Key');
  const db = await getDb();
  const [revoked] = await db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.id, keyId), eq(apiKeys.ownerId, userId), isNull(apiKeys.revokedAt)))
    .returning({ hash: apiKeys.hash });
  if (!revoked) throw notFound('Key');
  const cacheKey = cacheKeys.apiKey(revoked.hash);
  await getCache().write(cacheKey, (backend) => backend.set(cacheKey, REVOKED, { ttlMs: KEY_CACHE_TTL_MS * 2 }));
}

type CachedKey = { keyId: string; userId: string; userName: string; scopes: ApiKeyScope[]; expiresAt: number | null; hash: string };

/**
 * The caller behind an `Authorization: Bearer nc_...` secret, or undefined for a missing,
 * malformed, unknown, revoked or expired key. A malformed key never reaches the database.
 */
export async function authenticateKey(secret: string): Promise<KeyCaller | undefined> {
  if (!isWellFormedKey(secret)) return undefined;
  const hash = hashKey(secret);
  const cache = getCache();
  const cacheKey = cacheKeys.apiKey(hash);
  const cached = await cache.read((backend) => backend.get(cacheKey)).catch(() => null);
  if (cached === REVOKED) return undefined;
  let entry = cached ? parseCachedKey(cached) : undefined;
  if (!entry) {
    const db = await getDb();
    const [row] = await db
      .select({ key: apiKeys, userName: users.name })
      .from(apiKeys)
      .innerJoin(users, eq(users.id, apiKeys.ownerId))
      .where(and(eq(apiKeys.hash, hash), isNull(apiKeys.revokedAt)))
      .limit(1);
    if (!row) return undefined;
    entry = { keyId: row.key.id, userId: row.key.ownerId, userName: row.userName, scopes: row.key.scopes, expiresAt: row.key.expiresAt?.getTime() ?? null, hash: row.key.hash };
    await cache.read((backend) => backend.set(cacheKey, JSON.stringify(entry), { ttlMs: KEY_CACHE_TTL_MS, onlyIfAbsent: true })).catch(() => false);
  }
  // The index found the row by its hash; the comparison that accepts it takes constant time.
  if (!sameHash(entry.hash, hash)) return undefined;
  if (entry.expiresAt !== null && entry.expiresAt <= Date.now()) return undefined;
  noteUse(entry.keyId);
  return { keyId: entry.keyId, user: { id: entry.userId, name: entry.userName }, scopes: entry.scopes };
}

function parseCachedKey(text: string): CachedKey | undefined {
  try {
    const value = JSON.parse(text) as CachedKey;
    if (typeof value.keyId === 'string' && typeof value.userId === 'string' && Array.isArray(value.scopes) && typeof value.hash === 'string') return value;
  } catch {
    // garbage in the cache: read Postgres instead
  }
  return undefined;
}

// last_used_at is written at most once a minute per key, per process, off the request's path:
// through Next's after() (lib/background.ts), so on Vercel the function stays alive to write it.
const LAST_USED_EVERY_MS = 60_000;
const lastWritten = ((globalThis as { __neurocacheKeyUse?: Map<string, number> }).__neurocacheKeyUse ??= new Map());

function noteUse(keyId: string) {
  const now = Date.now();
  if (now - (lastWritten.get(keyId) ?? 0) < LAST_USED_EVERY_MS) return;
  lastWritten.set(keyId, now);
  const write = getDb()
    .then((db) => db.update(apiKeys).set({ lastUsedAt: new Date(now) }).where(eq(apiKeys.id, keyId)))
    // Logged here, described without the query's values.
    .catch((error: unknown) => console.error('[keys] could not note a key as used', describeError(error)));
  runInBackground(write, 'last-used write');
}

const unauthenticatedKey = (message: string) => new AppError('unauthenticated', message, { headers: { 'WWW-Authenticate': 'Bearer realm="neurocache"' } });

/** The caller of a public API request, from `Authorization: Bearer nc_...`; 401 otherwise. */
export async function authenticateRequest(headers: Headers): Promise<KeyCaller> {
  const header = headers.get('authorization') ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw unauthenticatedKey('Send your API key as "Authorization: Bearer nc_...". Make one on the API keys page.');
  if (!isWellFormedKey(match[1]!)) throw unauthenticatedKey('That is not a Neurocache API key (they start with nc_ and carry a checksum).');
  const caller = await authenticateKey(match[1]!);
  if (!caller) throw unauthenticatedKey('This API key is not valid: it was revoked, it expired, or it never existed.');
  return caller;
}

export function requireScope(caller: KeyCaller, scope: ApiKeyScope): void {
  if (!caller.scopes.includes(scope)) throw forbidden(`This API key lacks the ${scope} scope.`);
}
