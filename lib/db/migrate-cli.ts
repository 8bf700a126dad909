// `pnpm db:migrate`: applies supabase/migrations to DATABASE_URL (or to the embedded PGlite).
import { env } from '@/lib/env';
import { openDatabase } from './client';

async function main() {
  const { database } = env();
  const handle = await openDatabase(database.kind === 'postgres' ? { kind: 'postgres', url: database.url, max: 1 } : database);
  try {
    await handle.migrate();
    console.log(`migrations applied (${database.kind})`);
  } finally {
    await handle.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
