'use client';

import { McpStore } from '@/stores/mcp-store';
import type { RootStore } from '@/stores/root-store';
import { useStores } from '@/stores/context';

// One McpStore per RootStore (so per tab, and fresh per test), until RootStore builds it itself.
const stores = new WeakMap<RootStore, McpStore>();

export function useMcpStore(): McpStore {
  const root = useStores();
  const own = (root as RootStore & { mcp?: McpStore }).mcp;
  if (own) return own;
  let store = stores.get(root);
  if (!store) {
    store = new McpStore(root);
    stores.set(root, store);
  }
  return store;
}
