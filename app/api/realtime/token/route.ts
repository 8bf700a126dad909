import { sessionRoute } from '@/lib/auth/route';
import { json, methods } from '@/lib/http/route';
import { realtimeUrl, signRealtimeToken } from '@/lib/realtime/token';

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  POST: sessionRoute(async ({ user }) => json({ token: await signRealtimeToken(user), url: realtimeUrl() })),
});
