import { json, sessionRoute } from '@/lib/http/route';
import { realtimeUrl, signRealtimeToken } from '@/lib/realtime/token';

export const POST = sessionRoute(async ({ user }) => json({ token: await signRealtimeToken(user), url: realtimeUrl() }));
