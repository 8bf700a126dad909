import 'server-only';
import { env } from '@/lib/env';
import { createLocalFileStore } from './local';
import { createSupabaseFileStore } from './supabase';
import type { FileStore } from './types';

export { assertFileKey, type FileStore } from './types';
export { createLocalFileStore } from './local';
export { createSupabaseFileStore, type SupabaseStorageConfig } from './supabase';

// Kept on globalThis, like the database: Next.js bundles route handlers apart from the custom
// server, and each copy should share one store (and one bucket check).
type StorageGlobal = { store?: FileStore };
const slot = ((globalThis as { __neurocacheFiles?: StorageGlobal }).__neurocacheFiles ??= {});

function storeFromEnv(): FileStore {
  const { storage } = env();
  return storage.kind === 'supabase' ? createSupabaseFileStore(storage) : createLocalFileStore(storage.dir);
}

/** The file store this deployment is configured for (FILES_DIR, or SUPABASE_URL + key). */
export function getFileStore(): FileStore {
  slot.store ??= storeFromEnv();
  return slot.store;
}

/** Tests use a store of their own; undefined goes back to the configured one on next use. */
export function setFileStore(store: FileStore | undefined): void {
  slot.store = store;
}
