import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { closeDatabase, getDb } from '@/lib/db';
import { rowsOf } from '@/lib/db/rows';
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

    // Created by a child process (so the server keeps none of initdb's memory), then opened here.
    expect(fs.readFileSync(path.join(dataDir, 'PG_VERSION'), 'utf8').trim()).toMatch(/^\d+$/);
    const [row] = await (await getDb()).select().from(users).where(eq(users.id, id)); // a new start
    expect(row?.name).toBe('Persistent Pat');
    const [setting] = rowsOf<{ shared_buffers: string }>(await (await getDb()).execute(sql`show shared_buffers`));
    expect(setting?.shared_buffers).toBe('64MB');
  });
});
