import { McpPage } from '@/components/mcp/mcp-page';

export const metadata = { title: 'MCP servers · Neurocache' };

export default function McpServersPage() {
  return <McpPage />;
}
