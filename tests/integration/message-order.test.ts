import { sql } from 'drizzle-orm';
import type { DatabaseHandle } from '@/lib/db/client';
import { setDatabase } from '@/lib/db';
import { channelMembers, channels, messageReactions, users } from '@/lib/db/schema';
import { rowsOf } from '@/lib/db/rows';
import { newId } from '@/lib/ids';
import { inChannelLock, insertInOrder } from '@/lib/messages/insert';
import { addReaction, reactionsLock } from '@/lib/messages/reactions';
import { MAX_REACTIONS_PER_MESSAGE } from '@/lib/contracts/reactions';
import { openTestDatabase } from '../helpers/database';

/**
 * Writers that wait for a lock see what its holder committed meanwhile: messages commit in id
 * order across processes, and racing reactions cannot pass a message's cap. Two connections of a real Postgres stand in for two
 * processes (PGlite has one connection, so nothing waits there).
 */
const onPostgres = process.env.DATABASE_URL ? describe : describe.skip;

onPostgres('writers under a lock, across connections (postgres)', () => {
  let handle: DatabaseHandle;
  const channelId = newId();
  const userId = newId();

  beforeAll(async () => {
    handle = await openTestDatabase('postgres');
    await handle.db.insert(users).values({ id: userId, name: 'Ordered', email: `ordered-${userId}@example.com` });
    await handle.db.insert(channels).values({ id: channelId, name: 'ordered', ownerId: userId });
    await handle.db.insert(channelMembers).values({ id: newId(), channelId, kind: 'user', userId });
    setDatabase(handle);
  });
  afterAll(async () => {
    setDatabase(undefined);
    await handle.close();
  });

  /** Resolves once some connection of this database waits for an advisory lock. */
  async function untilSomeoneWaits() {
    for (let i = 0; ; i++) {
      const blocked = await handle.db.execute(sql`select 1 from pg_stat_activity where wait_event_type = 'Lock' and wait_event = 'advisory' and datname = current_database()`);
      if (rowsOf(blocked).length > 0) return;
      if (i > 200) throw new Error('the second writer never waited for the lock');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  test("a writer waiting for the channel's lock takes an id above the one committed while it waited", async () => {
    // The holder's message has an id from a minute ahead: above anything the waiter would make
    // from its own clock, as another process's id in the same millisecond can be.
    const ahead = `${(Date.now() + 60_000).toString(16).padStart(12, '0').replace(/^(.{8})(.{4})$/, '$1-$2')}-7000-8000-000000000001`;
    let waiting!: Promise<{ id: string }[]>;
    await inChannelLock(handle.db, channelId, async (tx) => {
      waiting = insertInOrder(handle.db, channelId, { authorKind: 'user', authorUserId: userId, content: 'second' });
      // The waiter is blocked on the advisory lock (its own connection), not yet past it.
      await untilSomeoneWaits();
      await tx.execute(sql`insert into messages (id, channel_id, author_kind, author_user_id, content) values (${ahead}::uuid, ${channelId}::uuid, 'user', ${userId}::uuid, 'first')`);
    });
    const [second] = await waiting;
    expect(second!.id > ahead).toBe(true);
  });

  test("a new emoji waiting for the message's lock is refused when the one before it reached the cap", async () => {
    const [message] = await insertInOrder(handle.db, channelId, { authorKind: 'user', authorUserId: userId, content: 'react to me' });
    const messageId = message!.id;
    await handle.db.insert(messageReactions).values(Array.from({ length: MAX_REACTIONS_PER_MESSAGE - 1 }, (_, i) => ({ messageId, userId, emoji: `e${i}` })));
    let waiting!: Promise<unknown>;
    await handle.db.transaction(async (tx) => {
      await tx.execute(sql`select ${reactionsLock(messageId)}`);
      waiting = addReaction({ userId, channelId, messageId, emoji: '🎉' }).catch((error: unknown) => error);
      await untilSomeoneWaits();
      await tx.insert(messageReactions).values({ messageId, userId, emoji: '🚀' });
    });
    expect(await waiting).toMatchObject({ status: 400 });
    const kinds = rowsOf<{ kinds: number }>(await handle.db.execute(sql`select count(distinct emoji)::int as kinds from message_reactions where message_id = ${messageId}`));
    expect(kinds[0]!.kinds).toBe(MAX_REACTIONS_PER_MESSAGE);
  });
});
