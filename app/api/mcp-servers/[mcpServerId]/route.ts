import { sessionRoute } from '@/lib/auth/route';
import { methods, noContent } from '@/lib/http/route';
import { deleteMcpServer } from '@/lib/mcp-servers';

type Params = { mcpServerId: string };

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  DELETE: sessionRoute<Params>(async ({ user, params }) => {
    await deleteMcpServer({ userId: user.id, mcpServerId: params.mcpServerId });
    return noContent();
  }),
});
