import 'server-only';
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
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

export type DatabaseConfig = { kind: 'postgres'; url: string; max?: number } | { kind: 'pglite'; dataDir?: string };

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
  if (config.dataDir) fs.mkdirSync(config.dataDir, { recursive: true });
  // pgvector is registered, not created: `CREATE EXTENSION vector` runs only once an embeddings
  // model is configured (lib/knowledge/vectors.ts), so a full-text deployment never loads it.
  const client = await PGlite.create({ ...(config.dataDir ? { dataDir: config.dataDir } : {}), extensions: { vector } });
  const db = drizzlePglite(client, { schema });
  return {
    kind: 'pglite',
    db: db as unknown as Database,
    migrate: () => migratePglite(db, { migrationsFolder }),
    close: () => client.close(),
  };
}
