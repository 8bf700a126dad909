import { json, methods, sessionRoute } from '@/lib/http/route';

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  GET: sessionRoute(async ({ user }) => json({ user })),
});
