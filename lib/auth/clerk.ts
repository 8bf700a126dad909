import 'server-only';
import { createClerkClient, verifyToken } from '@clerk/backend';
import { and, eq, isNull } from 'drizzle-orm';
import { acceptInvitations } from '@/lib/channels/invitations';
import { getDb } from '@/lib/db';
import { isUniqueViolation } from '@/lib/db/errors';
import { users } from '@/lib/db/schema';
import { env } from '@/lib/env';
import { conflict } from '@/lib/http/errors';
import { newId } from '@/lib/ids';
import type { RequestParts } from './current-user';
import { normalizeEmail, toPublicUser } from './users';
import type { PublicUser } from '@/lib/contracts/users';

type ClerkConfig = Extract<ReturnType<typeof env>['auth'], { kind: 'clerk' }>;

/**
 * The Clerk session token travels in a Bearer header or the `__session` cookie (browser). Like
 * Clerk's own authenticateRequest, an explicit header wins: the cookie may hold an expired token.
 */
export function clerkTokenFrom(req: RequestParts): string | undefined {
  const header = req.headers.get('authorization');
  const bearer = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
  return bearer || req.cookies.get('__session')?.value || undefined;
}

type Profile = { name: string; email: string; emailVerified: boolean };

/**
 * Name and email come from custom session claims (`name`, `email`; see README) so that no
 * request needs Clerk's API. Without them we ask the Backend API once, on first sight.
 */
async function profileFor(config: ClerkConfig, payload: Record<string, unknown>): Promise<Profile> {
  const claimEmail = typeof payload.email === 'string' ? payload.email : undefined;
  const claimName = typeof payload.name === 'string' ? payload.name : undefined;
  // The documented claim is the primary email address, which Clerk verifies; a template may say
  // otherwise with an explicit `email_verified: false`.
  if (claimEmail) return { email: claimEmail, name: claimName?.trim() || claimEmail.split('@')[0]!, emailVerified: payload.email_verified !== false };
  const clerk = createClerkClient({ secretKey: config.secretKey });
  const user = await clerk.users.getUser(String(payload.sub));
  const address = user.primaryEmailAddress ?? user.emailAddresses[0];
  const email = address?.emailAddress ?? `${user.id}@users.clerk`;
  const name = [user.firstName, user.lastName].filter(Boolean).join(' ') || user.username || email.split('@')[0]!;
  return { email, name, emailVerified: address?.verification?.status === 'verified' };
}

/** Verifies a Clerk session token offline (with CLERK_JWT_KEY) and mirrors its user on first sight. */
export async function getClerkUser({ token, config }: { token: string; config: ClerkConfig }): Promise<PublicUser | undefined> {
  let payload: Record<string, unknown>;
  try {
    payload = (await verifyToken(token, {
      jwtKey: config.jwtKey,
      secretKey: config.secretKey,
      authorizedParties: config.authorizedParties.length ? config.authorizedParties : undefined,
    })) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const clerkId = String(payload.sub ?? '');
  if (!clerkId) return undefined;

  const db = await getDb();
  const [known] = await db.select().from(users).where(eq(users.clerkId, clerkId)).limit(1);
  if (known) return toPublicUser(known);

  const profile = await profileFor(config, payload);
  const email = normalizeEmail(profile.email);
  try {
    // A local account with the same, verified, email is linked rather than duplicated, but never
    // taken from another Clerk user who already holds it.
    if (profile.emailVerified) {
      const [linked] = await db.update(users).set({ clerkId }).where(and(eq(users.email, email), isNull(users.clerkId))).returning();
      if (linked) return toPublicUser(linked);
    }
    const [created] = await db.insert(users).values({ id: newId(), clerkId, email, name: profile.name }).returning();
    // Pending invitations go to a verified email only: Clerk lets anyone type any address.
    if (profile.emailVerified) await acceptInvitations({ userId: created!.id, email });
    return toPublicUser(created!);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // Two first requests raced to mirror the same user: read the winner's row.
    const [winner] = await db.select().from(users).where(eq(users.clerkId, clerkId)).limit(1);
    if (winner) return toPublicUser(winner);
    throw conflict('Another account already uses this email address. Sign in with that account, or use another email.');
  }
}
