import { json, keyRoute } from '@/lib/http/route';
import { apiListAgents } from '@/lib/public-api';

export const GET = keyRoute('agents:read', async ({ caller }) => json({ agents: await apiListAgents(caller) }));
