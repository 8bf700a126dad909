import { json, sessionRoute } from '@/lib/http/route';

export const GET = sessionRoute(async ({ user }) => json({ user }));
