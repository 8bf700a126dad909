import 'server-only';
import { env } from '@/lib/env';
import { openDatabase, type Database, type DatabaseHandle } from './client';

export type { Database } from './client';

// Kept on globalThis, not in module scope: Next.js bundles route handlers separately from the
// custom server (server/main.ts), and two PGlite instances on one data directory would corrupt it.
type DbGlobal = { handle?: Promise<DatabaseHandle> };
const slot = ((globalThis as { __neurocacheDb?: DbGlobal }).__neurocacheDb ??= {});

async function openFromEnv(): Promise<DatabaseHandle> {
  const { database } = env();
  const handle =
    database.kind === 'postgres'
      ? await openDatabase({ kind: 'postgres', url: database.url })
      : await openDatabase({ kind: 'pglite', dataDir: database.dataDir, sharedBuffersMb: database.sharedBuffersMb });
  // PGlite is migrated at start so a fresh clone needs no setup step; a real server is migrated
  // explicitly with `pnpm db:migrate`, so that many app processes never race on DDL.
  if (handle.kind === 'pglite') await handle.migrate();
  return handle;
}

export function getDatabaseHandle(): Promise<DatabaseHandle> {
  slot.handle ??= openFromEnv().catch((error: unknown) => {
    slot.handle = undefined;
    throw error;
  });
  return slot.handle;
}

export async function getDb(): Promise<Database> {
  return (await getDatabaseHandle()).db;
}

/** Tests point the app at a database they opened themselves (a fresh PGlite or a scratch Postgres). */
export function setDatabase(handle: DatabaseHandle | undefined): void {
  slot.handle = handle ? Promise.resolve(handle) : undefined;
}

export async function closeDatabase(): Promise<void> {
  const pending = slot.handle;
  slot.handle = undefined;
  if (pending) await (await pending).close();
}
