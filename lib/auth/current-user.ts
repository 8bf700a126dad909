import 'server-only';
import { env } from '@/lib/env';
import { unauthenticated } from '@/lib/http/errors';
import { clerkTokenFrom, getClerkUser } from './clerk';
import { getSessionUser, SESSION_COOKIE } from './sessions';
import type { PublicUser } from '@/lib/contracts/users';

export type AuthUser = PublicUser;

/** What a route handler's NextRequest and a server component's cookies()/headers() both offer. */
export type RequestParts = {
  cookies: { get(name: string): { value: string } | undefined };
  headers: { get(name: string): string | null };
};

/** The signed-in user of a hub request, from Clerk when configured, else the local session cookie. */
export async function findSessionUser(req: RequestParts): Promise<AuthUser | undefined> {
  const { auth } = env();
  if (auth.kind === 'clerk') {
    const token = clerkTokenFrom(req);
    return token ? getClerkUser({ token, config: auth }) : undefined;
  }
  const token = req.cookies.get(SESSION_COOKIE)?.value;
  return token ? getSessionUser({ token }) : undefined;
}

export async function resolveSessionUser(req: RequestParts): Promise<AuthUser> {
  const user = await findSessionUser(req);
  if (!user) throw unauthenticated();
  return user;
}
