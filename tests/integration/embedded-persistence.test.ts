import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { closeDatabase, getDb } from '@/lib/db';
import { users } from '@/lib/db/schema';
import { resetEnv } from '@/lib/env';
import { newId } from '@/lib/ids';

// The embedded default as `pnpm dev` uses it: PGlite files under PGLITE_DIR, migrated at start.
describe('embedded database', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nc-pglite-'));
  const saved = { ...process.env };

  beforeAll(() => {
    delete process.env.DATABASE_URL;
    process.env.PGLITE_DIR = dataDir;
    resetEnv();
  });

  afterAll(async () => {
    await closeDatabase();
    process.env = saved;
    resetEnv();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates and migrates itself on first use, and keeps its data across a restart', async () => {
    const id = newId();
    await (await getDb()).insert(users).values({ id, name: 'Persistent Pat', email: 'pat@example.com' });
    await closeDatabase(); // the process stops

    expect(fs.readdirSync(dataDir).length).toBeGreaterThan(0);
    const [row] = await (await getDb()).select().from(users).where(eq(users.id, id)); // a new start
    expect(row?.name).toBe('Persistent Pat');
  });
});
