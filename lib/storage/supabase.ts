import 'server-only';
import type { SupabaseClient } from '@supabase/supabase-js';
import { assertFileKey, type FileStore } from './types';

export type SupabaseStorageConfig = { url: string; serviceRoleKey: string; bucket: string };

type StorageFailure = { message?: string; status?: number; statusCode?: string };

// Supabase Storage has answered "not found" both as HTTP 404 and as HTTP 400 with statusCode
// "404" in the body (older deployments), so both are read.
const answered = (error: StorageFailure, code: number) => error.status === code || error.statusCode === String(code);
const isNotFound = (error: StorageFailure) => answered(error, 404);
const isDuplicate = (error: StorageFailure) => answered(error, 409) || /already exists/i.test(error.message ?? '');
const isRefused = (error: StorageFailure) => answered(error, 401) || answered(error, 403);

/** A clear Error for a failed call: what was being done and what the service said, never the key. */
function describe(doing: string, error: StorageFailure, origin: string): Error {
  if (isRefused(error)) return new Error(`Supabase Storage refused the service role key while ${doing}: check SUPABASE_SERVICE_ROLE_KEY.`);
  if (error.status === undefined && error.statusCode === undefined) {
    return new Error(`Supabase Storage at ${origin} could not be reached while ${doing} (${error.message ?? 'no answer'}).`);
  }
  const status = error.status ?? error.statusCode;
  return new Error(`Supabase Storage failed while ${doing} (${status}: ${(error.message ?? 'no message').slice(0, 200)}).`);
}

// Node 20 has no global WebSocket and supabase-js builds its realtime client eagerly, refusing to
// start without one. The file store never opens a realtime channel, so this transport is never used.
class NoRealtime {
  constructor() {
    throw new Error('The file store does not use Supabase Realtime.');
  }
}

// Delete requests take at most 1000 paths each.
const REMOVE_BATCH = 1000;

/** Files in one private Supabase Storage bucket, created on first use if missing. */
export function createSupabaseFileStore(config: SupabaseStorageConfig): FileStore {
  const origin = new URL(config.url).origin;
  let client: Promise<SupabaseClient> | undefined;
  let bucketReady: Promise<void> | undefined;

  // Loaded on first use: embedded mode never pays for (or hears the warnings of) the SDK.
  const getClient = () =>
    (client ??= import('@supabase/supabase-js').then(({ createClient }) =>
      createClient(config.url, config.serviceRoleKey, {
        auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
        realtime: { transport: NoRealtime as never },
      }),
    ));

  const ensureBucket = () =>
    (bucketReady ??= (async () => {
      const { storage } = await getClient();
      const found = await storage.getBucket(config.bucket);
      if (!found.error) return;
      if (!isNotFound(found.error)) throw describe(`checking bucket "${config.bucket}"`, found.error, origin);
      const created = await storage.createBucket(config.bucket, { public: false });
      // Another process may have created it between the two calls.
      if (created.error && !isDuplicate(created.error)) throw describe(`creating bucket "${config.bucket}"`, created.error, origin);
    })().catch((error: unknown) => {
      bucketReady = undefined;
      throw error;
    }));

  const bucket = async () => {
    await ensureBucket();
    return (await getClient()).storage.from(config.bucket);
  };

  return {
    kind: 'supabase',
    async put(key, data, contentType) {
      assertFileKey(key);
      const { error } = await (await bucket()).upload(key, data, { upsert: true, contentType });
      if (error) throw describe(`storing ${key}`, error, origin);
    },
    async get(key) {
      assertFileKey(key);
      const { data, error } = await (await bucket()).download(key);
      if (error) {
        if (isNotFound(error)) return undefined;
        throw describe(`reading ${key}`, error, origin);
      }
      return Buffer.from(await data.arrayBuffer());
    },
    async remove(keys) {
      keys.forEach(assertFileKey);
      if (keys.length === 0) return;
      const files = await bucket();
      for (let start = 0; start < keys.length; start += REMOVE_BATCH) {
        const { error } = await files.remove(keys.slice(start, start + REMOVE_BATCH));
        if (error) throw describe(`removing ${keys.length} file(s)`, error, origin);
      }
    },
  };
}
