import { createHash } from 'node:crypto';
import { z } from 'zod';
import { storableText } from '@/lib/validation/text';
import { getDb } from '@/lib/db';
import { isUniqueViolation } from '@/lib/db/errors';
import { users } from '@/lib/db/schema';
import { env } from '@/lib/env';
import { AppError, conflict } from '@/lib/http/errors';
import { newId } from '@/lib/ids';
import { giveBack, throttle, type Allowance } from '@/lib/ratelimit';
import { clientAddress } from './client-address';
import { burnPasswordCheck, hashPassword, verifyPassword } from './password';
import { getUserByEmail, normalizeEmail, toPublicUser } from './users';
import type { PublicUser } from '@/lib/contracts/users';

export const signUpInput = z.object({
  name: storableText().trim().min(1, 'Enter your name.').max(80, 'Use at most 80 characters.'),
  email: z.email('Enter a valid email address.').max(254),
  password: z.string().min(8, 'Use at least 8 characters.').max(256, 'Use at most 256 characters.'),
});

export const signInInput = z.object({
  email: storableText().trim().min(1, 'Enter your email.').max(254),
  password: z.string().min(1, 'Enter your password.').max(256),
});

/** The request's headers, for the client address the per-address limits count (see client-address.ts). */
type From = { get(name: string): string | null };

// Throttle logs are named by a hash of the email, so the cache holds no addresses of people.
const accountBucket = (email: string) => `signin:account:${createHash('sha256').update(normalizeEmail(email)).digest('hex').slice(0, 32)}`;

/**
 * Sign-up: at most AUTH_SIGNUP_ADDRESS_LIMIT accounts per client address per
 * AUTH_SIGNUP_WINDOW_SECONDS (attempts count, taken emails included), so one machine cannot mint
 * accounts (and their budgets) in bulk.
 */
export async function signUp(input: z.infer<typeof signUpInput>, from?: From): Promise<PublicUser> {
  const config = env();
  const address = from && clientAddress(from);
  if (address) {
    await throttle([{ bucket: `signup:address:${address}`, limit: config.AUTH_SIGNUP_ADDRESS_LIMIT, windowMs: config.AUTH_SIGNUP_WINDOW_SECONDS * 1000 }], () => 'Too many accounts were made from your address.');
  }
  const email = normalizeEmail(input.email);
  if (await getUserByEmail({ email })) throw conflict('An account with that email already exists.');
  const db = await getDb();
  const passwordHash = await hashPassword(input.password);
  try {
    const [user] = await db.insert(users).values({ id: newId(), name: input.name, email, passwordHash }).returning();
    return toPublicUser(user!);
  } catch (error) {
    // Two sign-ups racing for one email: the unique index decides, the loser gets the same 409.
    if (isUniqueViolation(error)) throw conflict('An account with that email already exists.');
    throw error;
  }
}

/**
 * Sign-in, throttled twice in one sliding window (AUTH_SIGNIN_WINDOW_SECONDS): per account, at
 * most AUTH_SIGNIN_ACCOUNT_LIMIT failed attempts (a slot is taken before the password is checked
 * and given back if it was right, so racing guesses cannot overshoot); per client address, at most
 * AUTH_SIGNIN_ADDRESS_LIMIT attempts of any outcome. While either is full even the right password
 * answers 429, or guessing would go on; the lockout ends by itself as old attempts leave the
 * window. Unknown emails are counted like known ones, so a 429 says nothing about who exists.
 */
export async function signIn(input: z.infer<typeof signInInput>, from?: From): Promise<PublicUser> {
  const config = env();
  const windowMs = config.AUTH_SIGNIN_WINDOW_SECONDS * 1000;
  const account: Allowance = { bucket: accountBucket(input.email), limit: config.AUTH_SIGNIN_ACCOUNT_LIMIT, windowMs };
  const address = from && clientAddress(from);
  const allowances = address ? [account, { bucket: `signin:address:${address}`, limit: config.AUTH_SIGNIN_ADDRESS_LIMIT, windowMs }] : [account];
  const decision = await throttle(allowances, (refused) =>
    refused.bucket === account.bucket ? 'Too many failed sign-ins for this account.' : 'Too many sign-in attempts from your address.',
  );
  const user = await getUserByEmail({ email: input.email });
  const valid = user?.passwordHash ? await verifyPassword(user.passwordHash, input.password) : await burnPasswordCheck(input.password);
  if (!user || !valid) throw new AppError('unauthenticated', 'Wrong email or password.');
  await giveBack(decision, account.bucket);
  return toPublicUser(user);
}
