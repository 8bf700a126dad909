import 'server-only';

/**
 * Where documents and attachments live: local files in embedded mode, Supabase Storage when
 * configured. Keys are paths like `knowledge/<userId>/<documentId>`.
 */
export interface FileStore {
  readonly kind: 'local' | 'supabase';
  /** Writes the whole file, replacing any file at the key. */
  put(key: string, data: Uint8Array, contentType: string): Promise<void>;
  /** The file's bytes, or undefined when there is none. */
  get(key: string): Promise<Buffer | undefined>;
  /** Removes the files; keys with no file are ignored. */
  remove(keys: string[]): Promise<void>;
}

const KEY = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;

/** Throws unless the key is a relative path of safe segments (no "..", no empty or leading "/"). */
export function assertFileKey(key: string): void {
  if (typeof key !== 'string' || key.length > 1024 || !KEY.test(key) || key.split('/').some((segment) => segment === '.' || segment === '..')) {
    throw new Error(`Invalid file key ${JSON.stringify(String(key).slice(0, 100))}: use letters, digits, "_", ".", "-" and "/" between segments, without "..".`);
  }
}
