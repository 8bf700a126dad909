import { z } from 'zod';
import { storableText } from '@/lib/validation/text';
import { getDb } from '@/lib/db';
import { isUniqueViolation } from '@/lib/db/errors';
import { users } from '@/lib/db/schema';
import { AppError, conflict } from '@/lib/http/errors';
import { newId } from '@/lib/ids';
import { burnPasswordCheck, hashPassword, verifyPassword } from './password';
import { getUserByEmail, normalizeEmail, toPublicUser, type PublicUser } from './users';

export const signUpInput = z.object({
  name: storableText().trim().min(1, 'Enter your name.').max(80, 'Use at most 80 characters.'),
  email: z.email('Enter a valid email address.').max(254),
  password: z.string().min(8, 'Use at least 8 characters.').max(256, 'Use at most 256 characters.'),
});

export const signInInput = z.object({
  email: storableText().trim().min(1, 'Enter your email.').max(254),
  password: z.string().min(1, 'Enter your password.').max(256),
});

export async function signUp(input: z.infer<typeof signUpInput>): Promise<PublicUser> {
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

export async function signIn(input: z.infer<typeof signInInput>): Promise<PublicUser> {
  const user = await getUserByEmail({ email: input.email });
  const valid = user?.passwordHash ? await verifyPassword(user.passwordHash, input.password) : await burnPasswordCheck(input.password);
  if (!user || !valid) throw new AppError('unauthenticated', 'Wrong email or password.');
  return toPublicUser(user);
}

