import 'server-only';
import { eq } from 'drizzle-orm';
import { getDb } from '@/lib/db';
import { users, type User } from '@/lib/db/schema';
import type { PublicUser } from '@/lib/contracts/users';

export function toPublicUser(user: Pick<User, 'id' | 'name' | 'email'>): PublicUser {
  return { id: user.id, name: user.name, email: user.email };
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function getUserByEmail({ email }: { email: string }): Promise<User | undefined> {
  const db = await getDb();
  const [user] = await db.select().from(users).where(eq(users.email, normalizeEmail(email))).limit(1);
  return user;
}
