'use client';

import type { McpStore } from '@/stores/mcp-store';
import { useStores } from '@/stores/context';

export function useMcpStore(): McpStore {
  return useStores().mcp;
}
