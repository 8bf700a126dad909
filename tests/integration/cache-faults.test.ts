import { createHash } from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import Redis from 'ioredis';
import { CACHE_PREFIXES, ResilientCache } from '@/lib/cache';
import { cacheKeys } from '@/lib/cache/channel-cache';
import { MemoryCache } from '@/lib/cache/memory';
import { createRedisCache } from '@/lib/cache/redis';
import { messages } from '@/lib/db/schema';
import { ApiClient } from '../helpers/api-client';
import { testDatabaseKinds } from '../helpers/database';
import { useHub } from '../helpers/hub';
import { startFaultProxy, type FaultMode, type FaultProxy } from '../helpers/tcp-fault-proxy';

/*
 * The cache's fault requirements, end to end: real route handlers, a real database, and real
 * Redis behind a TCP proxy that can stop it, hang it, slow it down or make it answer garbage
 * mid-run. Every request must succeed with the data that was written, the outage must log one
 * line, and the cache must come back on its own without serving anything stale.
 */

type Message = { id: string; content: string; editedAt?: string };
type Answer = Awaited<ReturnType<ApiClient['request']>>;

/** A sanity bound for one request during a fault (the cache timeout is 100 ms), not a benchmark. */
const REQUEST_BOUND_MS = 2000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean | Promise<boolean>, withinMs: number, what: string) {
  const deadline = Date.now() + withinMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

if (!process.env.REDIS_URL) {
  describe('cache faults (no REDIS_URL: in-process cache only)', () => {
    it('never trips the in-process cache', async () => {
      const logs: string[] = [];
      const cache = new ResilientCache(new MemoryCache().backend, { timeoutMs: 100, probeIntervalMs: 100, log: (line) => logs.push(line) });
      for (let i = 0; i < 50; i++) {
        expect(await cache.write(`k${i}`, (backend) => backend.set(`k${i}`, String(i)))).toBe(true);
        expect(await cache.read((backend) => backend.get(`k${i}`))).toBe(String(i));
      }
      expect(cache.available).toBe(true);
      expect(logs).toEqual([]);
      await cache.close();
    });
  });
} else {
  describe.each(testDatabaseKinds())('cache faults: Redis behind a fault proxy (%s)', (kind) => {
    const logs: string[] = [];
    const extra = {} as { proxy: FaultProxy; raw: Redis };
    // The shared hub harness, with its cache reaching Redis through the fault proxy.
    const base = useHub(kind, {
      cache: async () => {
        const real = new URL(process.env.REDIS_URL!);
        extra.proxy = await startFaultProxy({ target: { host: real.hostname, port: Number(real.port || 6379) } });
        // The proxy's port, with whatever else REDIS_URL carries (password, database number).
        const proxied = new URL(real);
        proxied.hostname = '127.0.0.1';
        proxied.port = new URL(extra.proxy.url).port;
        const backend = createRedisCache(proxied.toString(), { commandTimeoutMs: 100 });
        await until(() => backend.ping().then(() => true, () => false), 5000, 'Redis through the proxy');
        return new ResilientCache(backend, { timeoutMs: 100, probeIntervalMs: 100, log: (line) => logs.push(line), purgePrefixes: CACHE_PREFIXES });
      },
    });
    const hub = {
      get cache() {
        return base.cache;
      },
      get server() {
        return base.server;
      },
      get db() {
        return base.db;
      },
      get proxy() {
        return extra.proxy;
      },
      get raw() {
        return extra.raw;
      },
    };
    const lines = (word: 'unavailable' | 'is back') => logs.filter((line) => line.startsWith('[cache]') && line.includes(word));

    beforeAll(async () => {
      extra.raw = new Redis(process.env.REDIS_URL!).on('error', () => {});
      // Warm up (route modules compiled, scripts loaded in Redis), so no cold start meets a 100 ms timeout.
      const r = await room();
      await r.edit((await r.send('warm-up')).id, 'warm-up, edited');
      for (let i = 0; i < 3; i++) await r.read(r.member);
      await r.remove(r.model[0]!.id);
      await expectAnswer(() => r.owner.client.post('/api/auth/sign-out'), 204);
    }, 30_000);

    beforeEach(async () => {
      hub.proxy.setMode('pass');
      await until(() => hub.cache.available, 10_000, 'the cache to be healthy');
      logs.length = 0;
    });

    afterAll(async () => {
      await extra.proxy?.close();
      extra.raw?.disconnect();
    });

    /** A request that must answer `status` within the bound, whatever the cache is doing. */
    async function expectAnswer(call: () => Promise<Answer>, status: number): Promise<Answer> {
      const started = performance.now();
      const res = await call();
      const ms = performance.now() - started;
      expect({ status: res.status, withinBound: ms < REQUEST_BOUND_MS }).toEqual({ status, withinBound: true });
      return res;
    }

    async function person(name: string) {
      const client = new ApiClient(hub.server.url);
      return { client, user: await client.signUp(name) };
    }

    /** A channel with an owner and a member, and a model of what its history must be. */
    async function room() {
      const owner = await person('Olga');
      const member = await person('Mia');
      const created = await owner.client.post('/api/channels', { name: `faults-${Math.random().toString(36).slice(2, 8)}` });
      const channelId = created.json.channel.id as string;
      const base = `/api/channels/${channelId}`;
      await expectAnswer(() => owner.client.post(`${base}/members`, { email: member.user.email }), 201);
      const model: Message[] = [];
      const at = (id: string) => model.findIndex((m) => m.id === id);

      return {
        owner,
        member,
        channelId,
        base,
        model,
        async send(content: string, who = owner) {
          const res = await expectAnswer(() => who.client.post(`${base}/messages`, { content }), 201);
          model.push(res.json.message);
          return res.json.message as Message;
        },
        async edit(id: string, content: string, who = owner) {
          const res = await expectAnswer(() => who.client.patch(`${base}/messages/${id}`, { content }), 200);
          expect(res.json.message.editedAt).toEqual(expect.any(String));
          model[at(id)] = res.json.message;
        },
        async remove(id: string, who = owner) {
          await expectAnswer(() => who.client.delete(`${base}/messages/${id}`), 204);
          model.splice(at(id), 1);
        },
        /** Reads the history, checks it is exactly what was written, answers X-Cache. */
        async read(viewer = owner) {
          const res = await expectAnswer(() => viewer.client.get(`${base}/messages?limit=200`), 200);
          expect(res.json).toEqual({ messages: model, nextCursor: null });
          expect(res.headers.get('server-timing')).toMatch(/cache;dur=/);
          return res.headers.get('x-cache');
        },
        /** What Postgres holds for the channel, checked against the model. */
        async expectDatabase() {
          const rows = await hub.db.db.select({ id: messages.id, content: messages.content }).from(messages).where(eq(messages.channelId, channelId)).orderBy(asc(messages.id));
          expect(rows).toEqual(model.map(({ id, content }) => ({ id, content })));
        },
      };
    }

    /** A room whose newest window (and member set) is cached: the second read is a HIT. */
    async function cachedRoom(count = 3) {
      const r = await room();
      for (let i = 0; i < count; i++) await r.send(`before ${i}`);
      // Every read checks the data; a busy machine may trip the 100 ms timeout once here, which
      // only delays the HIT: the outage under test starts from a healthy, quiet cache.
      await until(async () => (await r.read()) === 'HIT', 10_000, 'a cached window');
      logs.length = 0;
      return r;
    }

    /**
     * Puts the proxy in `mode`, runs `during`, heals the proxy and waits for the cache to trust
     * Redis again: one 'unavailable' line for the whole outage, one 'is back' line after it.
     */
    async function outage(mode: FaultMode, during: () => Promise<void>) {
      hub.proxy.setMode(mode);
      await during();
      expect(hub.cache.available).toBe(false);
      expect(lines('unavailable')).toHaveLength(1);
      expect(lines('is back')).toHaveLength(0);
      hub.proxy.setMode('pass');
      const healed = Date.now();
      await until(() => hub.cache.available, 8000, 'the cache to recover');
      // ioredis backs off up to 2 s between reconnects, and a slow link drains its 2 s backlog first.
      expect(Date.now() - healed).toBeLessThan(5000);
    }

    it('serves from Postgres while Redis is down, logs once, and recovers with the writes made meanwhile', async () => {
      const r = await cachedRoom(4);
      const [first, second, third] = r.model.slice(0, 3) as Message[];
      await outage('down', async () => {
        for (let i = 0; i < 10; i++) expect(await r.read()).toBe('BYPASS');
        const during = await r.send('sent during the outage');
        expect(await r.read(r.member)).toBe('BYPASS');
        await r.edit(first!.id, 'edited during the outage');
        await r.remove(second!.id);
        await r.send('from the member, during the outage', r.member);
        await r.edit(during.id, 'sent and edited during the outage');
        for (let i = 0; i < 10; i++) expect(await r.read(i % 2 ? r.owner : r.member)).toBe('BYPASS');
      });
      // The first reads after recovery come from Redis again, and hold every write of the outage.
      expect(await r.read()).toMatch(/^(MISS|HIT)$/);
      expect(await r.read(r.member)).toBe('HIT');
      await r.expectDatabase();
      await r.remove(third!.id);
      await r.send('after the outage');
      expect(await r.read()).toMatch(/^(MISS|HIT)$/);
      expect(await r.read()).toBe('HIT');
      await r.expectDatabase();
      expect(lines('unavailable')).toHaveLength(1);
      expect(lines('is back')).toHaveLength(1);
      expect(logs).toHaveLength(2);
    });

    it.each(['send', 'edit', 'delete'] as const)('never serves a window cached before the outage after a %s made during it', async (write) => {
      const r = await cachedRoom();
      await outage('down', async () => {
        if (write === 'send') await r.send('the outage message');
        if (write === 'edit') await r.edit(r.model[1]!.id, 'changed while Redis was down');
        if (write === 'delete') await r.remove(r.model[1]!.id);
      });
      // No read in between: the first read after recovery is the one that could be stale.
      expect(await r.read(r.member)).toMatch(/^(MISS|HIT)$/);
      expect(await r.read()).toBe('HIT');
      await r.expectDatabase();
      expect(lines('is back')).toHaveLength(1);
    });

    it.each(['blackhole', 'slow', 'garbage'] as const)('answers every request in bounded time with correct data when Redis is %s', async (mode) => {
      const r = await cachedRoom();
      const acceptedBefore = hub.proxy.accepted;
      await outage(mode, async () => {
        expect(await r.read()).toBe('BYPASS');
        await r.send(`sent while ${mode}`);
        await r.edit(r.model[0]!.id, `edited while ${mode}`);
        await r.remove(r.model[1]!.id);
        await r.send(`from the member while ${mode}`, r.member);
        for (let i = 0; i < 5; i++) expect(await r.read(i % 2 ? r.owner : r.member)).toBe('BYPASS');
        expect((await expectAnswer(() => r.member.client.get('/api/me'), 200)).json.user.id).toBe(r.member.user.id);
      });
      expect(await r.read()).toMatch(/^(MISS|HIT)$/);
      expect(await r.read(r.member)).toBe('HIT');
      await r.expectDatabase();
      // Garbage makes the client drop its connection and dial again; the process lives on.
      if (mode === 'garbage') expect(hub.proxy.accepted).toBeGreaterThan(acceptedBefore);
      expect(lines('unavailable')).toHaveLength(1);
      expect(lines('is back')).toHaveLength(1);
    });

    it('ends a session signed out during an outage, also for a copied cookie after recovery', async () => {
      const browser = await person('Sam');
      const copy = new ApiClient(hub.server.url);
      copy.cookie = browser.client.cookie;
      // Cached before the outage: a recovery that forgot the sign-out would let the copy back in.
      await expectAnswer(() => copy.get('/api/me'), 200);
      await expectAnswer(() => copy.get('/api/me'), 200);
      await outage('down', async () => {
        await expectAnswer(() => browser.client.post('/api/auth/sign-out'), 204);
        expect((await expectAnswer(() => copy.get('/api/me'), 401)).json.error.code).toBe('unauthenticated');
      });
      expect((await expectAnswer(() => copy.get('/api/me'), 401)).json.error.code).toBe('unauthenticated');
      await expectAnswer(() => browser.client.get('/api/me'), 401);
      const token = /nc_session=([^;]+)/.exec(copy.cookie)![1]!;
      expect(await hub.raw.get(cacheKeys.session(createHash('sha256').update(token).digest('hex')))).toBe('revoked');
    });

    it('refuses a member removed during an outage, though the member set was cached before it', async () => {
      const r = await cachedRoom();
      expect(await r.read(r.member)).toBe('HIT');
      await outage('down', async () => {
        await expectAnswer(() => r.owner.client.delete(`${r.base}/members/${r.member.user.id}`), 204);
        await expectAnswer(() => r.member.client.get(`${r.base}/messages`), 404);
      });
      // The removed member's first read after recovery meets the cache first.
      expect((await expectAnswer(() => r.member.client.get(`${r.base}/messages`), 404)).json.error.code).toBe('not_found');
      await expectAnswer(() => r.member.client.post(`${r.base}/messages`, { content: 'still here?' }), 404);
      expect(await r.read()).toMatch(/^(MISS|HIT)$/);
      await expectAnswer(() => r.member.client.get(`${r.base}/messages`), 404);
      expect(await r.read()).toBe('HIT');
      await r.expectDatabase();
    });

    it('reads around garbage stored in single keys without tripping the cache', async () => {
      const r = await cachedRoom();
      const window = cacheKeys.window(r.channelId);
      // A plain string where a sorted set belongs: Redis itself refuses the read (WRONGTYPE).
      await hub.raw.set(window, 'not a window', 'PX', 60_000);
      expect(await r.read()).toBe('BYPASS');
      expect(await r.read(r.member)).toBe('BYPASS');
      // A write through the corrupt key drops it, and the cache serves the channel again.
      await r.send('heals the window');
      expect(await r.read()).toMatch(/^(MISS|HIT)$/);
      expect(await r.read()).toBe('HIT');
      // A sorted set of members we never write: refused as garbage, Postgres answers.
      await hub.raw.zadd(window, 0, '!c', 0, 'junk member');
      await hub.raw.pexpire(window, 60_000);
      expect(await r.read()).toBe('BYPASS');
      await r.edit(r.model[0]!.id, 'drops the junk');
      expect(await r.read()).toMatch(/^(MISS|HIT)$/);
      // A session entry that is not JSON: the session is read from Postgres.
      const token = /nc_session=([^;]+)/.exec(r.owner.client.cookie)![1]!;
      await hub.raw.set(cacheKeys.session(createHash('sha256').update(token).digest('hex')), '{{{ garbage', 'PX', 60_000);
      expect((await expectAnswer(() => r.owner.client.get('/api/me'), 200)).json.user.id).toBe(r.owner.user.id);
      expect(await r.read()).toBe('HIT');
      await r.expectDatabase();
      expect(hub.cache.available).toBe(true);
      expect(logs).toEqual([]);
    });
  });
}
