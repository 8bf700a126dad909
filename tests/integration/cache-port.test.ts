import { createCache } from '@/lib/cache';
import type { CachedWindow, WindowItem } from '@/lib/cache/channel-cache';
import { cacheKeys, cacheNewMessage, fillMembers, fillWindow, invalidateMembers, invalidateWindow, pageFromWindow, readChannelSnapshot } from '@/lib/cache/channel-cache';
import { MemoryCache } from '@/lib/cache/memory';
import type { CacheBackend } from '@/lib/cache/port';
import { createRedisCache } from '@/lib/cache/redis';
import { COMPLETE, fillIfUnchanged, insertIntoWindow, invalidate, MEMBER_SENTINEL, PARTIAL, parseSnapshot, readChannel } from '@/lib/cache/scripts';
import { createUpstashCache } from '@/lib/cache/upstash';
import { resetEnv } from '@/lib/env';
import { newId } from '@/lib/ids';
import { startUpstashBridge } from '../helpers/upstash-bridge';

// The seed a write gives a version that is missing (in the hub, a random one: scripts.versionSeed).
const SEED = '1000';

/*
 * One behaviour suite for every cache adapter: memory always; Redis and Upstash (through a local
 * REST bridge onto the same Redis) when REDIS_URL is set. Redis is shared with other suites, so
 * every test writes under its own prefix (or its own channel id) and deletes only those keys.
 */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const TOKEN = 'bridge-test-token';
// Short TTLs, yet long enough that a slow round trip under load does not outlive them.
const SHORT_TTL = 150;
const PAST_SHORT_TTL = 2 * SHORT_TTL;

type Opened = { backend: CacheBackend; close(): Promise<void> };
const backends: [string, () => Promise<Opened>][] = [['memory', async () => ({ backend: new MemoryCache().backend, close: async () => {} })]];
const redisUrl = process.env.REDIS_URL;
if (redisUrl) {
  backends.push(['redis', async () => {
    const backend = createRedisCache(redisUrl, { commandTimeoutMs: 1000 });
    // ioredis connects in the background; wait for its first answer.
    for (let attempt = 1; ; attempt++) {
      try {
        await backend.ping();
        break;
      } catch (error) {
        if (attempt >= 50) throw error;
        await sleep(50);
      }
    }
    return { backend, close: () => backend.close() };
  }]);
  backends.push(['upstash', async () => {
    const bridge = await startUpstashBridge({ redisUrl, token: TOKEN });
    return { backend: createUpstashCache(bridge.url, TOKEN, { commandTimeoutMs: 1000 }), close: () => bridge.close() };
  }]);
}

/** `${id}|${json}` members with real UUIDv7 ids, oldest first. */
const messages = (count: number) => Array.from({ length: count }, (_, n) => ({ id: newId(), json: JSON.stringify({ n }) }));
const member = (item: WindowItem) => `${item.id}|${item.json}`;

describe.each(backends)('cache port (%s)', (_kind, open) => {
  let backend: CacheBackend;
  let opened: Opened;
  const used: string[] = [];
  const savedHistorySize = process.env.CACHE_HISTORY_SIZE;

  beforeAll(async () => {
    opened = await open();
    backend = opened.backend;
    process.env.CACHE_HISTORY_SIZE = '10';
    resetEnv();
  });
  afterEach(async () => {
    for (const prefix of used.splice(0)) await backend.deleteByPrefix(prefix);
  });
  afterAll(async () => {
    if (savedHistorySize === undefined) delete process.env.CACHE_HISTORY_SIZE;
    else process.env.CACHE_HISTORY_SIZE = savedHistorySize;
    resetEnv();
    await opened?.close();
  });

  type Keys = ReturnType<typeof keys>;
  /** A fresh key namespace for one test, deleted after it. */
  function keys() {
    const p = `cache-port-test:${newId()}:`;
    used.push(p);
    return { p, win: `${p}win`, winVer: `${p}ver`, tomb: `${p}tomb`, mem: `${p}mem`, memVer: `${p}mver` };
  }
  // Seeded with '0' so counter values read naturally below; the app seeds a random integer.
  const read = (k: Keys, userId = 'u1', ttl = '60000', seed = '0') =>
    backend.run(readChannel, [k.mem, k.memVer, k.win, k.winVer], [userId, ttl, seed, '60000']).then(parseSnapshot);
  const fill = (k: Keys, version: string, members: string[], ttl = '60000') =>
    backend.run(fillIfUnchanged, [k.win, k.winVer], [version, ttl, 'zset', ...members]);
  const insert = (k: Keys, item: WindowItem, max = 10) =>
    backend.run(insertIntoWindow, [k.win, k.winVer, k.tomb], [item.id, member(item), String(max), '60000', '60000', SEED]);
  const drop = (k: Keys, ids: string[] = []) => backend.run(invalidate, [k.win, k.winVer, k.tomb], ['60000', '60000', SEED, ...ids]);

  describe('primitives', () => {
    it('gets, sets and deletes strings; a missing key is null', async () => {
      const { p } = keys();
      expect(await backend.get(`${p}a`)).toBeNull();
      expect(await backend.set(`${p}a`, 'one')).toBe(true);
      expect(await backend.set(`${p}a`, 'héllo {"json": [1]} ✓')).toBe(true);
      expect(await backend.get(`${p}a`)).toBe('héllo {"json": [1]} ✓');
      expect(await backend.set(`${p}ok`, 'OK')).toBe(true);
      expect(await backend.get(`${p}ok`)).toBe('OK');
      await backend.set(`${p}c`, '3');
      await backend.del([`${p}a`, `${p}ok`, `${p}missing`]);
      await backend.del([]);
      expect([await backend.get(`${p}a`), await backend.get(`${p}ok`), await backend.get(`${p}c`)]).toEqual([null, null, '3']);
    });

    it('expires a key set with ttlMs', async () => {
      const { p } = keys();
      await backend.set(`${p}short`, 'x', { ttlMs: SHORT_TTL });
      await backend.set(`${p}long`, 'y', { ttlMs: 60_000 });
      expect(await backend.get(`${p}short`)).toBe('x');
      await sleep(PAST_SHORT_TTL);
      expect(await backend.get(`${p}short`)).toBeNull();
      expect(await backend.get(`${p}long`)).toBe('y');
    });

    it('with onlyIfAbsent, sets only a missing (or expired) key', async () => {
      const { p } = keys();
      expect(await backend.set(`${p}a`, 'first', { onlyIfAbsent: true })).toBe(true);
      expect(await backend.set(`${p}a`, 'second', { onlyIfAbsent: true })).toBe(false);
      expect(await backend.get(`${p}a`)).toBe('first');
      expect(await backend.set(`${p}b`, 'b', { onlyIfAbsent: true, ttlMs: 50 })).toBe(true);
      await sleep(150);
      expect(await backend.set(`${p}b`, 'again', { onlyIfAbsent: true })).toBe(true);
      expect(await backend.get(`${p}b`)).toBe('again');
    });

    it('deletes by prefix only the matching live keys, of any type, and counts them', async () => {
      const k = keys();
      await backend.set(`${k.p}x:a`, '1');
      await backend.set(`${k.p}x:b`, '2');
      await backend.set(`${k.p}x:gone`, '3', { ttlMs: 30 });
      await backend.run(fillIfUnchanged, [`${k.p}x:set`, `${k.p}v`], ['0', '60000', 'set', 'm']);
      await backend.set(`${k.p}y:a`, 'kept');
      await backend.set(`${k.p}xa`, 'kept too');
      await sleep(80);
      expect(await backend.deleteByPrefix(`${k.p}x:`)).toBe(3);
      expect(await backend.get(`${k.p}x:a`)).toBeNull();
      expect([await backend.get(`${k.p}y:a`), await backend.get(`${k.p}xa`)]).toEqual(['kept', 'kept too']);
      expect(await backend.deleteByPrefix(`${k.p}x:`)).toBe(0);
    });

    it('treats a prefix literally, glob characters included', async () => {
      const { p } = keys();
      await backend.set(`${p}a*b?[c]`, '1');
      await backend.set(`${p}aXbY[c]`, 'kept');
      await backend.set(`${p}acb`, 'kept');
      expect(await backend.deleteByPrefix(`${p}a*b?[`)).toBe(1);
      expect([await backend.get(`${p}aXbY[c]`), await backend.get(`${p}acb`)]).toEqual(['kept', 'kept']);
    });

    it('answers a ping', () => expect(backend.ping()).resolves.toBeUndefined());
  });

  describe('scripts', () => {
    it('readChannel reads only the slice a page needs, identically on every backend', async () => {
      const k = keys();
      const items = messages(8);
      await fill(k, '0', [PARTIAL, ...items.map(member)]);
      const slice = (mode: string, cursor: string, count: number) =>
        backend.run(readChannel, [k.mem, k.memVer, k.win, k.winVer], ['u1', '60000', '0', '60000', mode, cursor, String(count)]).then(parseSnapshot);
      const ids = (snapshot: { window: string[] }) => snapshot.window.slice(1).map((m) => m.slice(0, 36));
      expect(ids(await slice('latest', '', 3))).toEqual(items.slice(-3).map((i) => i.id));
      expect(ids(await slice('latest', '', 20))).toEqual([PARTIAL, ...items.map((i) => i.id)].map((m) => m.slice(0, 36)));
      expect(ids(await slice('before', items[5]!.id, 3))).toEqual([items[4]!, items[3]!, items[2]!].map((i) => i.id));
      expect(ids(await slice('before', items[0]!.id, 3))).toEqual([]);
      expect(ids(await slice('after', items[5]!.id, 5))).toEqual([items[6]!, items[7]!].map((i) => i.id));
      expect((await slice('after', items[2]!.id, 1)).oldestId).toBe(items[0]!.id);
    });

    it('readChannel on empty keys: no membership, versions 0, empty window', async () =>
      expect(await read(keys())).toEqual({ member: undefined, membersVersion: '0', windowVersion: '0', window: [], oldestId: '' }));

    it('fillIfUnchanged (zset) fills in byte order, replaces, is refused after a bump, and sets a TTL', async () => {
      const k = keys();
      const [a, b, c] = messages(3);
      expect(await fill(k, '0', [member(c!), COMPLETE, member(a!)])).toBe(1);
      expect((await read(k)).window).toEqual([COMPLETE, member(a!), member(c!)]);
      expect(await fill(k, '0', [PARTIAL, member(b!)])).toBe(1);
      expect((await read(k)).window).toEqual([PARTIAL, member(b!)]);
      expect(await drop(k)).toBe(1);
      expect(await fill(k, '0', [COMPLETE, member(a!)])).toBe(0);
      expect(await read(k)).toMatchObject({ windowVersion: '1', window: [] });
      expect(await fill(k, '1', [COMPLETE, member(a!)], String(SHORT_TTL))).toBe(1);
      expect((await read(k, 'u1', String(SHORT_TTL))).window).toEqual([COMPLETE, member(a!)]);
      await sleep(PAST_SHORT_TTL);
      expect((await read(k)).window).toEqual([]);
    });

    it('fillIfUnchanged (set) caches membership, is refused after a bump, and sets a TTL', async () => {
      const k = keys();
      const set = (version: string, ids: string[], ttl = '60000') =>
        backend.run(fillIfUnchanged, [k.mem, k.memVer], [version, ttl, 'set', MEMBER_SENTINEL, ...ids]);
      expect(await set('0', ['u1', 'u2'])).toBe(1);
      expect((await read(k, 'u1')).member).toBe(true);
      expect((await read(k, 'u3')).member).toBe(false);
      expect(await set('0', ['u3'])).toBe(1);
      expect([(await read(k, 'u1')).member, (await read(k, 'u3')).member]).toEqual([false, true]);
      await backend.run(invalidate, [k.mem, k.memVer, k.tomb], ['60000', '0', SEED]);
      expect(await read(k, 'u3')).toMatchObject({ member: undefined, membersVersion: '1' });
      expect(await set('0', ['u1'])).toBe(0);
      expect((await read(k, 'u1')).member).toBeUndefined();
      expect(await set('1', ['u1'], String(SHORT_TTL))).toBe(1);
      expect((await read(k, 'u1', String(SHORT_TTL))).member).toBe(true);
      await sleep(PAST_SHORT_TTL);
      expect((await read(k, 'u1')).member).toBeUndefined();
    });

    it('readChannel extends the TTL of what it reads', async () => {
      const k = keys();
      await fill(k, '0', [COMPLETE], String(2 * SHORT_TTL));
      await sleep(SHORT_TTL);
      await read(k, 'u1', '60000');
      await sleep(2 * SHORT_TTL);
      expect((await read(k)).window).toEqual([COMPLETE]);
    });

    it('insertIntoWindow without a window only bumps the version, seeding a missing one rather than counting from 0', async () => {
      const k = keys();
      const [a, b] = messages(2);
      expect(await insert(k, a!)).toBe(0);
      // Not '1': a version lost to an eviction and counted up again from 0 would come back to values
      // a reader may have noted before the loss, and let its stale fill through.
      expect(await read(k)).toMatchObject({ windowVersion: SEED, window: [] });
      expect(await insert(k, b!)).toBe(0);
      expect((await read(k)).windowVersion).toBe('1001');
    });

    it('insertIntoWindow keeps id order, never duplicates, and refuses tombstoned ids', async () => {
      const k = keys();
      const [a, b, c, d] = messages(4);
      expect(await fill(k, '0', [COMPLETE, member(b!)])).toBe(1);
      expect(await insert(k, d!)).toBe(1);
      expect(await insert(k, a!)).toBe(1);
      expect(await insert(k, { id: b!.id, json: '{"n":"another copy"}' })).toBe(0);
      expect(await read(k)).toEqual({ member: undefined, membersVersion: '0', windowVersion: '1002', window: [COMPLETE, member(a!), member(b!), member(d!)], oldestId: a!.id });
      expect(await drop(k, [c!.id])).toBe(1);
      expect(await fill(k, '1003', [COMPLETE, member(a!)])).toBe(1);
      expect(await insert(k, c!)).toBe(0);
      expect((await read(k)).window).toEqual([COMPLETE, member(a!)]);
    });

    it('insertIntoWindow trims to max keeping the newest, and marks the window partial', async () => {
      const k = keys();
      const [a, b, c, d, e] = messages(5);
      await fill(k, '0', [COMPLETE, member(a!), member(b!), member(c!)]);
      expect(await insert(k, d!, 3)).toBe(1);
      expect((await read(k)).window).toEqual([PARTIAL, member(b!), member(c!), member(d!)]);
      expect(await insert(k, e!, 3)).toBe(1);
      expect((await read(k)).window).toEqual([PARTIAL, member(c!), member(d!), member(e!)]);
    });

    it('invalidate bumps the version, deletes the key, and adds tombstones only when given ids', async () => {
      const k = keys();
      const [a, b] = messages(2);
      await fill(k, '0', [COMPLETE, member(a!)]);
      expect(await drop(k)).toBe(1);
      expect(await read(k)).toMatchObject({ windowVersion: SEED, window: [] });
      expect(await backend.get(k.tomb)).toBeNull();
      expect(await drop(k, [a!.id, b!.id])).toBe(1);
      expect((await read(k)).windowVersion).toBe('1001');
      await expect(backend.get(k.tomb)).rejects.toThrow(/WRONGTYPE/);
      await fill(k, '1001', [COMPLETE]);
      expect([await insert(k, a!), await insert(k, b!)]).toEqual([0, 0]);
    });
  });

  describe('channel cache through ResilientCache', () => {
    const channel = () => {
      const channelId = newId();
      used.push(`channel:${channelId}:`);
      return { channelId, cache: createCache(backend, 1000) };
    };
    const windowOf = async (cache: ReturnType<typeof createCache>, channelId: string) => (await readChannelSnapshot(cache, { channelId, userId: 'u1' })).window;

    it('refuses a fill whose version was lost to a flush while it read Postgres', async () => {
      const { channelId, cache } = channel();
      const noted = (await readChannelSnapshot(cache, { channelId, userId: 'u1' })).windowVersion;
      await backend.deleteByPrefix(`channel:${channelId}:`); // flush or eviction mid-fill
      expect(await fillWindow(cache, { channelId, version: noted, items: [], complete: true })).toBe(false);
      const seeded = (await readChannelSnapshot(cache, { channelId, userId: 'u1' })).windowVersion;
      expect(seeded).not.toBe(noted);
      expect(await fillWindow(cache, { channelId, version: seeded, items: [], complete: true })).toBe(true);
    });

    it('caches an empty channel as empty, not as a miss', async () => {
      const { channelId, cache } = channel();
      const first = await readChannelSnapshot(cache, { channelId, userId: 'u1' });
      expect(first).toEqual({ member: undefined, membersVersion: expect.stringMatching(/^\d+$/), windowVersion: expect.stringMatching(/^\d+$/), window: undefined });
      expect(await fillWindow(cache, { channelId, version: first.windowVersion, items: [], complete: true })).toBe(true);
      expect(await windowOf(cache, channelId)).toEqual({ complete: true, items: [] });
    });

    it('fills, appends, invalidates and refuses stale fills of the window', async () => {
      const { channelId, cache } = channel();
      const [a, b, c] = messages(3);
      const v0 = (await readChannelSnapshot(cache, { channelId, userId: 'u1' })).windowVersion;
      expect(await fillWindow(cache, { channelId, version: v0, items: [a!, b!], complete: true })).toBe(true);
      expect(await cacheNewMessage(cache, { channelId, ...c! })).toBe(true);
      expect(await windowOf(cache, channelId)).toEqual({ complete: true, items: [a, b, c] });
      expect(await fillWindow(cache, { channelId, version: v0, items: [a!], complete: true })).toBe(false);
      expect(await invalidateWindow(cache, { channelId, deletedIds: [b!.id] })).toBe(true);
      const snapshot = await readChannelSnapshot(cache, { channelId, userId: 'u1' });
      expect(snapshot).toMatchObject({ windowVersion: String(Number(v0) + 2), window: undefined });
      expect(await fillWindow(cache, { channelId, version: snapshot.windowVersion, items: [a!, c!], complete: true })).toBe(true);
      expect(await cacheNewMessage(cache, { channelId, ...b! })).toBe(true); // a late insert of a deleted id
      expect(await windowOf(cache, channelId)).toEqual({ complete: true, items: [a, c] });
    });

    it('trims appended messages to the window size and marks the window partial', async () => {
      const { channelId, cache } = channel();
      const items = messages(12);
      const { windowVersion } = await readChannelSnapshot(cache, { channelId, userId: 'u1' });
      await fillWindow(cache, { channelId, version: windowVersion, items: items.slice(0, 10), complete: true });
      await cacheNewMessage(cache, { channelId, ...items[10]! });
      await cacheNewMessage(cache, { channelId, ...items[11]! });
      expect(await windowOf(cache, channelId)).toEqual({ complete: false, items: items.slice(2) });
    });

    it('fills and invalidates memberships', async () => {
      const { channelId, cache } = channel();
      const v0 = (await readChannelSnapshot(cache, { channelId, userId: 'u1' })).membersVersion;
      expect(await fillMembers(cache, { channelId, version: v0, userIds: ['u1', 'u2'] })).toBe(true);
      expect((await readChannelSnapshot(cache, { channelId, userId: 'u2' })).member).toBe(true);
      expect((await readChannelSnapshot(cache, { channelId, userId: 'u9' })).member).toBe(false);
      expect(await invalidateMembers(cache, { channelId })).toBe(true);
      const v1 = String(Number(v0) + 1);
      expect(await readChannelSnapshot(cache, { channelId, userId: 'u2' })).toMatchObject({ member: undefined, membersVersion: v1 });
      expect(await fillMembers(cache, { channelId, version: v0, userIds: ['u1'] })).toBe(false);
      expect(await fillMembers(cache, { channelId, version: v1, userIds: [] })).toBe(true);
      expect((await readChannelSnapshot(cache, { channelId, userId: 'u2' })).member).toBe(false);
    });

    it('refuses garbage instead of returning wrong data, without tripping the breaker', async () => {
      const { channelId, cache } = channel();
      await backend.set(cacheKeys.window(channelId), 'not a sorted set');
      await expect(readChannelSnapshot(cache, { channelId, userId: 'u1' })).rejects.toThrow();
      const other = channel();
      await backend.run(fillIfUnchanged, [cacheKeys.window(other.channelId), cacheKeys.windowVersion(other.channelId)], ['0', '60000', 'zset', COMPLETE, 'junk']);
      await expect(readChannelSnapshot(other.cache, { channelId: other.channelId, userId: 'u1' })).rejects.toThrow(/window member/);
      const seeded = (await backend.get(cacheKeys.windowVersion(other.channelId)))!; // the read above seeded it
      await backend.run(fillIfUnchanged, [cacheKeys.window(other.channelId), cacheKeys.windowVersion(other.channelId)], [seeded, '60000', 'zset', `${newId()}|{}`]);
      await expect(readChannelSnapshot(other.cache, { channelId: other.channelId, userId: 'u1' })).rejects.toThrow(/window sentinel/);
      expect([cache.available, other.cache.available]).toEqual([true, true]);
    });

    it('pages from a window read back from the cache', async () => {
      const { channelId, cache } = channel();
      const items = messages(6);
      const [older, ids] = [items[0]!.id, items.slice(1).map((item) => item.id)];
      await fillWindow(cache, { channelId, version: '0', items: items.slice(1), complete: true });
      const complete = (await windowOf(cache, channelId)) as CachedWindow;
      const partial: CachedWindow = { ...complete, complete: false };
      const page = (window: CachedWindow, query: Parameters<typeof pageFromWindow>[1]) => {
        const found = pageFromWindow(window, query);
        return found && { ids: found.items.map((item) => item.id), nextCursor: found.nextCursor };
      };
      // No cursor: the newest `limit`.
      expect(page(complete, { limit: 2 })).toEqual({ ids: ids.slice(3), nextCursor: ids[3] });
      expect(page(complete, { limit: 10 })).toEqual({ ids, nextCursor: null });
      expect(page(partial, { limit: 5 })).toEqual({ ids, nextCursor: ids[0] });
      expect(page(partial, { limit: 6 })).toBeUndefined();
      // before: inside the window, or reaching past a partial one.
      expect(page(complete, { limit: 2, before: ids[3] })).toEqual({ ids: ids.slice(1, 3), nextCursor: ids[1] });
      expect(page(complete, { limit: 2, before: ids[2] })).toEqual({ ids: ids.slice(0, 2), nextCursor: null });
      expect(page(partial, { limit: 2, before: ids[2] })).toEqual({ ids: ids.slice(0, 2), nextCursor: ids[0] });
      expect(page(partial, { limit: 2, before: ids[1] })).toBeUndefined();
      expect(page(complete, { limit: 2, before: ids[0] })).toEqual({ ids: [], nextCursor: null });
      // after: inside the window, or older than a partial one.
      expect(page(partial, { limit: 2, after: ids[1] })).toEqual({ ids: ids.slice(2, 4), nextCursor: ids[3] });
      expect(page(partial, { limit: 3, after: ids[1] })).toEqual({ ids: ids.slice(2), nextCursor: null });
      expect(page(partial, { limit: 2, after: ids[4] })).toEqual({ ids: [], nextCursor: null });
      expect(page(partial, { limit: 2, after: older })).toBeUndefined();
      expect(page(complete, { limit: 10, after: older })).toEqual({ ids, nextCursor: null });
    });
  });
});

// The bridge speaks to a real Redis: like the redis and upstash rows above, it exists only with REDIS_URL.
if (redisUrl) describe('upstash bridge', () => {
  it('speaks the REST protocol: auth, base64 results, errors, pipelines and transactions', async () => {
    const bridge = await startUpstashBridge({ redisUrl: redisUrl!, token: TOKEN });
    const key = `cache-port-test:${newId()}:bridge`;
    const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
      const res = await fetch(`${bridge.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, ...headers }, body: JSON.stringify(body) });
      return { status: res.status, json: await res.json() };
    };
    const base64 = { 'upstash-encoding': 'base64' };
    try {
      expect((await post('/', ['PING'], { authorization: 'Bearer wrong' })).status).toBe(401);
      await expect(createUpstashCache(bridge.url, 'wrong', { commandTimeoutMs: 1000 }).ping()).rejects.toThrow();
      expect(await post('/', ['SET', key, 'ü'], base64)).toEqual({ status: 200, json: { result: 'OK' } });
      expect(await post('/', ['EVAL', 'return {redis.call("GET", KEYS[1]), -1, false, "OK"}', 1, key], base64)).toEqual({ status: 200, json: { result: ['w7w=', -1, null, 'T0s='] } });
      expect(await post('/', ['INCR', key])).toEqual({ status: 400, json: { error: expect.stringMatching(/not an integer/) } });
      expect(await post('/pipeline', [['GET', key], ['INCR', key], ['PING']], base64)).toEqual({
        status: 200,
        json: [{ result: 'w7w=' }, { error: expect.stringMatching(/not an integer/) }, { result: 'UE9ORw==' }],
      });
      expect(await post('/multi-exec', [['SET', key, '5'], ['INCR', key], ['GET', key]])).toEqual({ status: 200, json: [{ result: 'OK' }, { result: 6 }, { result: '6' }] });
      expect(await post('/multi-exec', [['SET', key, '7'], ['NO-SUCH-COMMAND']])).toEqual({ status: 400, json: { error: expect.stringMatching(/EXECABORT/) } });
      expect((await post('/', ['GET', key])).json).toEqual({ result: '6' });
    } finally {
      await post('/', ['DEL', key]);
      await bridge.close();
    }
  });
});
