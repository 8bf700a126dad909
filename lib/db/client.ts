import 'server-only';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { btree_gin } from '@electric-sql/pglite/contrib/btree_gin';
import { vector } from '@electric-sql/pglite-pgvector';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import * as schema from './schema';

/** One drizzle type for both drivers: the services never know which Postgres they talk to. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export type DatabaseConfig =
  | { kind: 'postgres'; url: string; max?: number }
  /** sharedBuffersMb: PGlite's page cache (Postgres's own default, 128, when unset), held in the process from the start. */
  | { kind: 'pglite'; dataDir?: string; sharedBuffersMb?: number };

export type DatabaseHandle = {
  kind: DatabaseConfig['kind'];
  db: Database;
  migrate(): Promise<void>;
  close(): Promise<void>;
};

export const migrationsFolder = path.join(process.cwd(), 'supabase', 'migrations');

/** Opens a database. `pglite` without a dataDir is in memory (tests); with one it persists to disk. */
export async function openDatabase(config: DatabaseConfig): Promise<DatabaseHandle> {
  if (config.kind === 'postgres') {
    const client = postgres(config.url, { max: config.max ?? 10, onnotice: () => {} });
    const db = drizzlePostgres(client, { schema });
    return {
      kind: 'postgres',
      db: db as unknown as Database,
      migrate: () => migratePostgres(db, { migrationsFolder }),
      close: () => client.end({ timeout: 5 }),
    };
  }
  if (config.dataDir) await initializeDataDir(config.dataDir);
  // pgvector is registered, not created: `CREATE EXTENSION vector` runs only once an embeddings
  // model is configured (lib/knowledge/vectors.ts), so a full-text deployment never loads it.
  const client = await PGlite.create({ ...(config.dataDir ? { dataDir: config.dataDir } : {}), ...(config.sharedBuffersMb ? { postgresqlconf: `shared_buffers=${config.sharedBuffersMb}MB` } : {}), extensions: { btree_gin, vector } });
  const db = drizzlePglite(client, { schema });
  return {
    kind: 'pglite',
    db: db as unknown as Database,
    migrate: () => migratePglite(db, { migrationsFolder }),
    close: () => client.close(),
  };
}

/**
 * Creates a new PGlite data folder (initdb) in a short-lived child process. Creating it in the
 * server's own process leaves about 150 MB of WebAssembly memory behind for the process's life;
 * opening an existing folder does not. If the child cannot run, PGlite creates it here instead.
 */
async function initializeDataDir(dataDir: string): Promise<void> {
  fs.mkdirSync(dataDir, { recursive: true });
  if (fs.existsSync(path.join(dataDir, 'PG_VERSION'))) return;
  const script = "import { PGlite } from '@electric-sql/pglite'; const db = await PGlite.create({ dataDir: process.argv[1] }); await db.close();";
  await new Promise<void>((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '--eval', script, dataDir], { cwd: process.cwd(), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    child.once('error', () => resolve());
    child.once('exit', (code) => {
      if (code !== 0) console.warn(`[db] creating the PGlite folder in a child process failed (${code}); creating it in process.`, stderr.trim().slice(-500));
      resolve();
    });
  });
}
