import { sessionRoute } from '@/lib/auth/route';
import { json, methods } from '@/lib/http/route';
import { listServerTools } from '@/lib/mcp-servers';

type Params = { mcpServerId: string };

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  GET: sessionRoute<Params>(async ({ req, user, params }) => json({ tools: await listServerTools({ userId: user.id, mcpServerId: params.mcpServerId, signal: req.signal }) })),
});
