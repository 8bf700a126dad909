import { and, desc, eq } from 'drizzle-orm';
import { readChannelSnapshot } from '@/lib/cache/channel-cache';
import { messages } from '@/lib/db/schema';
import { resetEnv } from '@/lib/env';
import { createChannel } from '@/lib/channels';
import { deleteMessage, editMessage, listMessages, sendMessage } from '@/lib/messages';
import { testDatabaseKinds } from '../helpers/database';
import { useHub } from '../helpers/hub';
import { random } from '../helpers/random';

const WINDOW = 12;
const CHANNELS = 3;
const ROUNDS = 40;
const OPS_PER_ROUND = 16;

describe.each(testDatabaseKinds())('history cache under concurrent writes (%s)', (kind) => {
  const hub = useHub(kind);
  const saved = process.env.CACHE_HISTORY_SIZE;
  beforeAll(() => {
    process.env.CACHE_HISTORY_SIZE = String(WINDOW); // small, so trimming and partial windows happen
    resetEnv();
  });
  afterAll(() => {
    process.env.CACHE_HISTORY_SIZE = saved;
    resetEnv();
  });

  it('leaves every cached window equal to the newest N in Postgres, in order, without duplicates', async () => {
    const seed = Number(process.env.CACHE_SEED ?? Date.now() % 1_000_000);
    const rand = random(seed);
    const pick = <T>(items: T[]) => items[Math.floor(rand() * items.length)];
    const user = await hub.client().signUp('Racer');
    const channelIds: string[] = [];
    for (let i = 0; i < CHANNELS; i++) channelIds.push((await createChannel({ userId: user.id, input: { name: `race-${seed}-${i}` } })).id);
    const live = new Map<string, string[]>(channelIds.map((id) => [id, []]));

    const operation = async () => {
      const channelId = pick(channelIds)!;
      const ids = live.get(channelId)!;
      const roll = rand();
      if (roll < 0.4) {
        const clientId = rand() < 0.2 ? `dup-${Math.floor(rand() * 5)}-${channelId}` : undefined;
        // A repeated clientId whose first copy was deleted meanwhile is refused (409), never re-sent.
        const sent = await sendMessage({ user, channelId, content: `c${Math.floor(rand() * 1e6)}`, clientId }).catch((error: { code?: string }) => {
          if (clientId && error.code === 'conflict') return undefined;
          throw error;
        });
        if (sent && !ids.includes(sent.message.id)) ids.push(sent.message.id);
      } else if (roll < 0.55 && ids.length) {
        await editMessage({ userId: user.id, channelId, messageId: pick(ids)!, content: `edited ${rand()}` }).catch(() => {});
      } else if (roll < 0.68 && ids.length) {
        const messageId = pick(ids)!;
        await deleteMessage({ userId: user.id, channelId, messageId }).catch(() => {});
      } else if (roll < 0.92) {
        const cursor = ids.length && rand() < 0.5 ? pick(ids) : undefined;
        const query = { limit: 1 + Math.floor(rand() * 20), ...(cursor ? (rand() < 0.5 ? { before: cursor } : { after: cursor }) : {}) };
        await listMessages({ userId: user.id, channelId, query });
      } else if (roll < 0.96) {
        await hub.cache.backend.deleteByPrefix(`channel:${channelId}:messages`); // the window is evicted
      } else {
        await hub.cache.backend.deleteByPrefix(`channel:${channelId}:`); // everything of the channel is lost
      }
    };

    for (let round = 0; round < ROUNDS; round++) {
      await Promise.all(Array.from({ length: OPS_PER_ROUND }, operation));
    }

    for (const channelId of channelIds) {
      // Read once more so every channel has a window, then compare it with Postgres.
      await listMessages({ userId: user.id, channelId, query: { limit: 5 } });
      const snapshot = await readChannelSnapshot(hub.cache, { channelId, userId: user.id });
      const newest = await hub.db.db
        .select({ id: messages.id, content: messages.content, editedAt: messages.editedAt })
        .from(messages)
        .where(and(eq(messages.channelId, channelId)))
        .orderBy(desc(messages.id))
        .limit(WINDOW);
      const expected = newest.reverse().map((row) => ({ id: row.id, content: row.content, edited: Boolean(row.editedAt) }));
      const cached = (snapshot.window?.items ?? []).map((item) => {
        const message = JSON.parse(item.json) as { id: string; content: string; editedAt?: string };
        expect(message.id).toBe(item.id);
        return { id: message.id, content: message.content, edited: Boolean(message.editedAt) };
      });
      if (JSON.stringify(cached) !== JSON.stringify(expected)) console.error(`cache diverged; replay with CACHE_SEED=${seed}`);
      expect(snapshot.window).toBeDefined();
      expect(cached).toEqual(expected);
      expect(new Set(cached.map((m) => m.id)).size).toBe(cached.length);
    }
  });
});
