import { sessionRoute } from '@/lib/auth/route';
import { json, methods } from '@/lib/http/route';
import { createMcpServer, listMcpServers } from '@/lib/mcp-servers';
import { createMcpServerInput } from '@/lib/mcp-servers/schemas';

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  GET: sessionRoute(async ({ user }) => json({ mcpServers: await listMcpServers({ userId: user.id }) })),

  POST: sessionRoute(async ({ body, user }) => {
    const input = await body(createMcpServerInput);
    return json({ mcpServer: await createMcpServer({ userId: user.id, input }) }, 201);
  }),
});
