import 'server-only';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { storableText } from '@/lib/validation/text';
import { acceptInvitations } from '@/lib/channels/invitations';
import { getDb } from '@/lib/db';
import { isUniqueViolation } from '@/lib/db/errors';
import { users } from '@/lib/db/schema';
import { env } from '@/lib/env';
import { AppError, conflict } from '@/lib/http/errors';
import { newId } from '@/lib/ids';
import { giveBack, throttle, type Allowance } from '@/lib/ratelimit';
import { clientAddress } from './client-address';
import { isKnownDevice } from './device';
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

// Throttle logs are named by a hash of the email, so the cache holds nobody's email address.
const accountHash = (email: string) => createHash('sha256').update(normalizeEmail(email)).digest('hex').slice(0, 32);

/** Failures spread over addresses may reach this multiple of AUTH_SIGNIN_ACCOUNT_LIMIT before the account-wide cap refuses. */
export const ACCOUNT_WIDE_FACTOR = 10;

/** The log sign-ups from one client address count against (exported for the tests of its window). */
export function signUpAllowance(address: string): Allowance {
  const config = env();
  return { bucket: `signup:address:${address}`, limit: config.AUTH_SIGNUP_ADDRESS_LIMIT, windowMs: config.AUTH_SIGNUP_WINDOW_SECONDS * 1000 };
}

/** Sign-ups from unknown addresses share one log, this many times AUTH_SIGNUP_ADDRESS_LIMIT. */
export const UNKNOWN_ADDRESS_SIGNUP_FACTOR = 10;

/**
 * The one log all sign-ups count against where client addresses are unknown (see
 * client-address.ts): nothing tells their senders apart, so they share it, with room for several
 * addresses' worth; else such a deployment would mint accounts without any limit.
 */
export function unknownAddressSignUpAllowance(): Allowance {
  const config = env();
  return { bucket: 'signup:unknown-address', limit: config.AUTH_SIGNUP_ADDRESS_LIMIT * UNKNOWN_ADDRESS_SIGNUP_FACTOR, windowMs: config.AUTH_SIGNUP_WINDOW_SECONDS * 1000 };
}

type SignInLogs = { pair: Allowance; account?: Allowance; address?: Allowance };

/**
 * The logs one sign-in attempt counts against (exported for the tests of their window):
 * - `pair`: failures on this account from this client address (AUTH_SIGNIN_ACCOUNT_LIMIT), so an
 *   attacker's guesses lock out only the attacker's address. Where addresses are unknown, people
 *   without the device cookie share one such log per account, and its holders another;
 * - `account`: failures on this account from anywhere (ACCOUNT_WIDE_FACTOR times as many), against
 *   guessing spread over many addresses; the holder of this account's device cookie skips it;
 * - `address`: every attempt from this address, any outcome (AUTH_SIGNIN_ADDRESS_LIMIT).
 */
export function signInAllowances({ email, address, knownDevice }: { email: string; address?: string; knownDevice: boolean }): SignInLogs {
  const config = env();
  const windowMs = config.AUTH_SIGNIN_WINDOW_SECONDS * 1000;
  const account = accountHash(email);
  const origin = address ?? (knownDevice ? 'known-device' : 'unknown');
  return {
    pair: { bucket: `signin:pair:${account}:${origin}`, limit: config.AUTH_SIGNIN_ACCOUNT_LIMIT, windowMs },
    ...(knownDevice ? {} : { account: { bucket: `signin:account:${account}`, limit: config.AUTH_SIGNIN_ACCOUNT_LIMIT * ACCOUNT_WIDE_FACTOR, windowMs } }),
    ...(address ? { address: { bucket: `signin:address:${address}`, limit: config.AUTH_SIGNIN_ADDRESS_LIMIT, windowMs } } : {}),
  };
}

function signInRefusal(logs: SignInLogs, bucket: string): string {
  if (bucket === logs.pair.bucket) return 'Too many failed sign-ins for this account from your address.';
  if (bucket === logs.account?.bucket) return 'Too many failed sign-ins for this account. A browser that has signed in to it before can still sign in.';
  return 'Too many sign-in attempts from your address.';
}

/**
 * Sign-up: at most AUTH_SIGNUP_ADDRESS_LIMIT accounts per client address per
 * AUTH_SIGNUP_WINDOW_SECONDS (attempts count, taken emails included), so one machine cannot mint
 * accounts (and their budgets) in bulk. Where addresses are unknown, all sign-ups share
 * unknownAddressSignUpAllowance.
 */
export async function signUp(input: z.infer<typeof signUpInput>, from?: From): Promise<PublicUser> {
  // Without `from` the caller is the hub's own code (benchmarks, scripts), not a request.
  const address = from && clientAddress(from);
  if (address) await throttle([signUpAllowance(address)], () => 'Too many accounts were made from your address.');
  else if (from) await throttle([unknownAddressSignUpAllowance()], () => 'Too many accounts were made recently from addresses the hub cannot tell apart.');
  const email = normalizeEmail(input.email);
  if (await getUserByEmail({ email })) throw conflict('An account with that email already exists.');
  const db = await getDb();
  const passwordHash = await hashPassword(input.password);
  try {
    const [user] = await db.insert(users).values({ id: newId(), name: input.name, email, passwordHash }).returning();
    // Channels that invited this email before it had an account (lib/channels/invitations).
    await acceptInvitations({ userId: user!.id, email });
    return toPublicUser(user!);
  } catch (error) {
    // Two sign-ups racing for one email: the unique index decides, the loser gets the same 409.
    if (isUniqueViolation(error)) throw conflict('An account with that email already exists.');
    throw error;
  }
}

/**
 * Sign-in, throttled in one sliding window (AUTH_SIGNIN_WINDOW_SECONDS) by the logs of
 * signInAllowances. A failure slot is taken in the account's logs before the password is checked
 * and given back if it was right, so racing guesses cannot overshoot and a right password never
 * counts. While a log is full even the right password answers 429, or guessing would go on; but
 * an attacker fills only their own address's log, the account-wide cap does not apply to the
 * person's own devices (the device cookie), and every lockout ends by itself as old attempts leave
 * the window. Unknown emails are counted like known ones, so a 429 says nothing about who exists.
 */
export async function signIn(input: z.infer<typeof signInInput>, from?: From): Promise<PublicUser> {
  const address = from && clientAddress(from);
  const user = await getUserByEmail({ email: input.email });
  const logs = signInAllowances({ email: input.email, address, knownDevice: isKnownDevice(user?.id, from?.get('cookie')) });
  const decision = await throttle(Object.values(logs), (refused) => signInRefusal(logs, refused.bucket));
  const valid = user?.passwordHash ? await verifyPassword(user.passwordHash, input.password) : await burnPasswordCheck(input.password);
  if (!user || !valid) throw new AppError('unauthenticated', 'Wrong email or password.');
  await giveBack(decision, logs.pair.bucket);
  if (logs.account) await giveBack(decision, logs.account.bucket);
  return toPublicUser(user);
}
