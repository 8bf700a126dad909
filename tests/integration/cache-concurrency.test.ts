import { and, count, desc, eq, inArray, isNull } from 'drizzle-orm';
import type { MessageJson } from '@/lib/contracts/messages';
import { readChannelSnapshot } from '@/lib/cache/channel-cache';
import { messageReactions, messages } from '@/lib/db/schema';
import { resetEnv } from '@/lib/env';
import { createChannel } from '@/lib/channels';
import { deleteMessage, editMessage, listMessages, sendMessage } from '@/lib/messages';
import { addReaction, removeReaction } from '@/lib/messages/reactions';
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

  it('leaves every cached window (channels and threads) equal to the newest N in Postgres, in order, without duplicates, stale parents or stale reactions', async () => {
    const seed = Number(process.env.CACHE_SEED ?? Date.now() % 1_000_000);
    const rand = random(seed);
    const pick = <T>(items: T[]) => items[Math.floor(rand() * items.length)];
    const user = await hub.client().signUp('Racer');
    const channelIds: string[] = [];
    for (let i = 0; i < CHANNELS; i++) channelIds.push((await createChannel({ userId: user.id, input: { name: `race-${seed}-${i}` } })).id);
    const live = new Map<string, string[]>(channelIds.map((id) => [id, []]));
    // Replies by thread, per channel: a reply changes its parent's summary in the channel window.
    const replies = new Map<string, Map<string, string[]>>(channelIds.map((id) => [id, new Map()]));
    const tolerated = (error: { code?: string }) => {
      // The parent (or the reply) was deleted by a racing operation: refused, never half-stored.
      if (error.code === 'not_found' || error.code === 'conflict') return undefined;
      throw error;
    };

    const operation = async () => {
      const channelId = pick(channelIds)!;
      const ids = live.get(channelId)!;
      const threads = replies.get(channelId)!;
      const roll = rand();
      if (roll < 0.12 && ids.length) {
        const threadId = pick(ids)!;
        const sent = await sendMessage({ user, channelId, threadId, content: `r${Math.floor(rand() * 1e6)}` }).catch(tolerated);
        if (sent) threads.set(threadId, [...(threads.get(threadId) ?? []), sent.message.id]);
      } else if (roll < 0.17 && threads.size) {
        const threadId = pick([...threads.keys()])!;
        const reply = pick(threads.get(threadId)!);
        if (reply) await deleteMessage({ userId: user.id, channelId, messageId: reply }).catch(() => {});
      } else if (roll < 0.22 && threads.size) {
        const threadId = pick([...threads.keys()])!;
        await listMessages({ userId: user.id, channelId, query: { limit: 1 + Math.floor(rand() * 8), threadId } }).catch(tolerated);
      } else if (roll < 0.5) {
        const clientId = rand() < 0.2 ? `dup-${Math.floor(rand() * 5)}-${channelId}` : undefined;
        // A repeated clientId whose first copy was deleted meanwhile is refused (409), never re-sent.
        const sent = await sendMessage({ user, channelId, content: `c${Math.floor(rand() * 1e6)}`, clientId }).catch((error: { code?: string }) => {
          if (clientId && error.code === 'conflict') return undefined;
          throw error;
        });
        if (sent && !ids.includes(sent.message.id)) ids.push(sent.message.id);
      } else if (roll < 0.6 && ids.length) {
        // A reaction added or taken off, on a top-level message or on a thread reply.
        const replyPool = [...threads.values()].flat();
        // Mostly the newest messages, the ones the cached window holds.
        const messageId = (rand() < 0.3 && replyPool.length ? pick(replyPool) : pick(ids.slice(-WINDOW / 2)))!;
        const emoji = pick(['👍', '🎉', '👀'])!;
        const change = rand() < 0.65 ? addReaction : removeReaction;
        await change({ userId: user.id, channelId, messageId, emoji }).catch(tolerated);
      } else if (roll < 0.64 && ids.length) {
        await editMessage({ userId: user.id, channelId, messageId: pick(ids)!, content: `edited ${rand()}` }).catch(() => {});
      } else if (roll < 0.72 && ids.length) {
        const messageId = pick(ids)!;
        await deleteMessage({ userId: user.id, channelId, messageId }).catch(() => {});
      } else if (roll < 0.92) {
        const cursor = ids.length && rand() < 0.5 ? pick(ids) : undefined;
        const query = { limit: 1 + Math.floor(rand() * 20), ...(cursor ? (rand() < 0.5 ? { before: cursor } : { after: cursor }) : {}) };
        await listMessages({ userId: user.id, channelId, query });
      } else if (roll < 0.96) {
        // The channel's window is evicted, or its threads' windows.
        await hub.cache.backend.deleteByPrefix(rand() < 0.7 ? `channel:${channelId}:messages` : `channel:${channelId}:thread:`);
      } else {
        await hub.cache.backend.deleteByPrefix(`channel:${channelId}:`); // everything of the channel is lost
      }
    };

    for (let round = 0; round < ROUNDS; round++) {
      await Promise.all(Array.from({ length: OPS_PER_ROUND }, operation));
    }
    // A last round where every channel's newest message gets a reaction while its window is read,
    // so the comparison below always covers reactions (a seed could otherwise leave none there).
    await Promise.all(
      channelIds.map(async (channelId) => {
        const { message } = await sendMessage({ user, channelId, content: `last ${seed}` });
        await Promise.all([addReaction({ userId: user.id, channelId, messageId: message.id, emoji: '👍' }), listMessages({ userId: user.id, channelId, query: { limit: 5 } })]);
      }),
    );

    // A message's reactions as one comparable string: each emoji with its count, in a fixed order.
    const signature = (message: MessageJson) =>
      (message.reactions ?? [])
        .map((r) => `${r.emoji}${r.count}`)
        .sort()
        .join(' ');
    const reactionSignatures = async (ids: string[]) => {
      const found = new Map<string, string>();
      if (ids.length === 0) return found;
      const rows = await hub.db.db.select({ messageId: messageReactions.messageId, emoji: messageReactions.emoji, n: count() }).from(messageReactions).where(inArray(messageReactions.messageId, ids)).groupBy(messageReactions.messageId, messageReactions.emoji);
      for (const id of ids) {
        const mine = rows.filter((row) => row.messageId === id).map((row) => `${row.emoji}${row.n}`).sort();
        if (mine.length) found.set(id, mine.join(' '));
      }
      return found;
    };
    let reactionsChecked = 0;
    let threadsChecked = 0;
    for (const channelId of channelIds) {
      // Read once more so every channel has a window, then compare it with Postgres.
      await listMessages({ userId: user.id, channelId, query: { limit: 5 } });
      const snapshot = await readChannelSnapshot(hub.cache, { channelId, userId: user.id });
      const newest = await hub.db.db
        .select({ id: messages.id, content: messages.content, editedAt: messages.editedAt, replyCount: messages.replyCount, threadParticipants: messages.threadParticipants })
        .from(messages)
        .where(and(eq(messages.channelId, channelId), isNull(messages.threadId)))
        .orderBy(desc(messages.id))
        .limit(WINDOW);
      const reactionsIn = await reactionSignatures(newest.map((row) => row.id));
      const expected = newest.reverse().map((row) => ({
        id: row.id,
        content: row.content,
        edited: Boolean(row.editedAt),
        // The parent's summary as Postgres counts it, never a stale one.
        replies: row.replyCount,
        participants: (row.threadParticipants ?? []).map((p) => p.id),
        reactions: reactionsIn.get(row.id) ?? '',
      }));
      const cached = (snapshot.window?.items ?? []).map((item) => {
        const message = JSON.parse(item.json) as MessageJson;
        expect(message.id).toBe(item.id);
        return { id: message.id, content: message.content, edited: Boolean(message.editedAt), replies: message.thread?.replyCount ?? 0, participants: (message.thread?.participants ?? []).map((p) => p.id), reactions: signature(message) };
      });
      if (JSON.stringify(cached) !== JSON.stringify(expected)) console.error(`cache diverged; replay with CACHE_SEED=${seed}`);
      expect(snapshot.window).toBeDefined();
      expect(cached).toEqual(expected);
      reactionsChecked += expected.filter((m) => m.reactions).length;
      expect(new Set(cached.map((m) => m.id)).size).toBe(cached.length);
      // Each summary agrees with the replies themselves.
      for (const row of newest) {
        const [{ n } = { n: 0 }] = await hub.db.db.select({ n: count() }).from(messages).where(eq(messages.threadId, row.id));
        expect(row.replyCount).toBe(n);
      }

      // Every thread's cached window equals its replies in Postgres (the newest N, oldest first).
      for (const threadId of replies.get(channelId)!.keys()) {
        const page = await listMessages({ userId: user.id, channelId, query: { limit: 5, threadId } }).catch(tolerated);
        if (!page) continue; // the parent was deleted, and its thread with it
        const thread = await readChannelSnapshot(hub.cache, { channelId, userId: user.id, threadId });
        const rows = await hub.db.db.select({ id: messages.id, content: messages.content }).from(messages).where(eq(messages.threadId, threadId)).orderBy(desc(messages.id)).limit(WINDOW);
        const cachedReplies = (thread.window?.items ?? []).map((item) => {
          const message = JSON.parse(item.json) as MessageJson;
          return { id: item.id, content: message.content, reactions: signature(message) };
        });
        const replyReactions = await reactionSignatures(rows.map((row) => row.id));
        const expectedReplies = rows.reverse().map((row) => ({ ...row, reactions: replyReactions.get(row.id) ?? '' }));
        if (JSON.stringify(cachedReplies) !== JSON.stringify(expectedReplies)) console.error(`thread cache diverged; replay with CACHE_SEED=${seed}`);
        expect(thread.window).toBeDefined();
        expect(cachedReplies).toEqual(expectedReplies);
        threadsChecked += expectedReplies.length > 0 ? 1 : 0;
      }
    }
    // The run did put replies in threads that lasted, so the thread windows above were compared.
    expect(threadsChecked).toBeGreaterThan(0);
    // And reactions were on some cached messages when they were compared.
    expect(reactionsChecked).toBeGreaterThan(0);
  });
});
