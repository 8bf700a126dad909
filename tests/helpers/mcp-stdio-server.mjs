// A tiny MCP server over stdio (the SDK's McpServer and StdioServerTransport), started by the MCP
// tests as `node tests/helpers/mcp-stdio-server.mjs`, the way an MCP_SERVERS entry is started.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const server = new McpServer({ name: 'stdio-test-server', version: '1.0.0' });

server.registerTool('reverse', { description: 'Reverses a text.', inputSchema: { text: z.string() } }, async ({ text }) => ({
  content: [{ type: 'text', text: [...text].reverse().join('') }],
}));

// Says which variables the child can see: its entry's own, and none of the hub's secrets.
server.registerTool('environment', { description: 'Reports two variables of its environment.' }, async () => ({
  content: [{ type: 'text', text: JSON.stringify({ greeting: process.env.STDIO_GREETING ?? null, leaked: process.env.MCP_TEST_HUB_SECRET ?? null }) }],
}));

await server.connect(new StdioServerTransport());
