// A hub server in its own process, for tests whose own process cannot host it (jsdom).
// Prints one JSON line {"url": ...} when ready; POST /__test/faults injects HTTP faults.
import { setDatabase } from '@/lib/db';
import { openTestDatabase, type TestDatabaseKind } from './database';
import { startRouteServer } from './route-server';

async function main() {
  const kind = (process.argv[2] ?? 'pglite') as TestDatabaseKind;
  const db = await openTestDatabase(kind);
  setDatabase(db);
  const server = await startRouteServer({ control: true });
  process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
  const stop = async () => {
    await server.close();
    await db.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop); // the parent went away
  process.stdin.resume();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
