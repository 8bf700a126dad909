import { keyRoute } from '@/lib/auth/route';
import { json, methods } from '@/lib/http/route';
import { apiListAgents } from '@/lib/public-api';

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  GET: keyRoute('agents:read', async ({ caller }) => json({ agents: await apiListAgents(caller) })),
});
