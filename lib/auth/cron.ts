import 'server-only';
import { createHash, timingSafeEqual } from 'node:crypto';
import { env } from '@/lib/env';
import { notFound, unauthenticated } from '@/lib/http/errors';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Cron routes exist only with CRON_SECRET set, and answer only to its bearer (compared in constant time). */
export function requireCronSecret(req: Request): void {
  const secret = env().CRON_SECRET;
  if (!secret) throw notFound('Route');
  const given = req.headers.get('authorization')?.replace(/^Bearer\s+/i, '') ?? '';
  if (!timingSafeEqual(digest(given), digest(secret))) throw unauthenticated('A valid cron secret is required.');
}
