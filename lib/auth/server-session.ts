import 'server-only';
import { cookies, headers } from 'next/headers';
import { cache } from 'react';
import { env } from '@/lib/env';
import { AppError } from '@/lib/http/errors';
import { findSessionUser, type AuthUser } from './current-user';

/**
 * The caller of a server-rendered request, looked up once per request however many layouts and
 * pages ask. `problem` explains a sign-in that is valid but cannot be used (an email conflict).
 */
export const sessionState = cache(async (): Promise<{ user: AuthUser | null; problem?: string }> => {
  try {
    return { user: (await findSessionUser({ cookies: await cookies(), headers: await headers() })) ?? null };
  } catch (error) {
    if (error instanceof AppError && error.status < 500) return { user: null, problem: error.message };
    throw error;
  }
});

export async function currentUser(): Promise<AuthUser | null> {
  return (await sessionState()).user;
}

export function authProvider(): 'local' | 'clerk' {
  return env().auth.kind;
}

export function clerkPublishableKey(): string | undefined {
  const { auth } = env();
  return auth.kind === 'clerk' ? auth.publishableKey : undefined;
}
