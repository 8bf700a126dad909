import { createCache, setCache, type ResilientCache } from '@/lib/cache';
import { createUpstashCache } from '@/lib/cache/upstash';
import { giveBack, take as takeAll, takeRequest } from '@/lib/ratelimit';
import { openTestCache } from '../helpers/cache';
import { uniqueName } from '../helpers/people';
import { startUpstashBridge } from '../helpers/upstash-bridge';

const redisUrl = process.env.REDIS_URL;
const TOKEN = 'rate-limit-bridge-token';

/** The limiter on every cache: in-process always; Redis and Upstash (bridged onto Redis) with REDIS_URL. */
const caches: [string, () => Promise<{ cache: ResilientCache; close(): Promise<void> }>][] = [
  ['memory', async () => ({ cache: await openTestCache('memory'), close: async () => {} })],
];
if (redisUrl) {
  caches.push(['redis', async () => ({ cache: await openTestCache('redis'), close: async () => {} })]);
  caches.push([
    'upstash',
    async () => {
      const bridge = await startUpstashBridge({ redisUrl, token: TOKEN });
      return { cache: createCache(createUpstashCache(bridge.url, TOKEN, { commandTimeoutMs: 1000 }), 1000), close: () => bridge.close() };
    },
  ]);
}

describe.each(caches)('the sliding-log rate limit (%s)', (_kind, open) => {
  let opened: Awaited<ReturnType<typeof open>>;
  beforeAll(async () => {
    opened = await open();
    setCache(opened.cache);
  });
  afterAll(async () => {
    setCache(undefined);
    await opened.cache.close();
    await opened.close();
  });

  const take = (key: string, now: number) => takeRequest(key, { limit: 3, windowMs: 1000, now });

  it('never admits more than the limit in any window, across fixed-window boundaries', async () => {
    const key = uniqueName('key');
    const base = 1_800_000_000_000;
    // Three requests late in one second...
    for (const t of [900, 950, 990]) expect((await take(key, base + t)).allowed).toBe(true);
    // ...leave no room early in the next (a fixed window would admit three more here).
    const refused = await take(key, base + 1000);
    expect(refused).toMatchObject({ allowed: false, remaining: 0, limit: 3 });
    expect(refused.resetMs).toBe(900); // the oldest leaves the window at 1900
    expect((await take(key, base + 1899)).allowed).toBe(false);
    // Room opens as each one leaves, one at a time.
    expect((await take(key, base + 1901)).allowed).toBe(true);
    expect((await take(key, base + 1920)).allowed).toBe(false);
    expect(await take(key, base + 1951)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('counts refused requests against nobody and keeps keys apart', async () => {
    const a = uniqueName('a');
    const b = uniqueName('b');
    const t = 1_800_000_100_000;
    for (let i = 0; i < 10; i++) await take(a, t + i);
    expect((await take(b, t + 10)).remaining).toBe(2);
    // Refusals were not logged: after the window, a has its full allowance back.
    expect((await take(a, t + 1010)).remaining).toBe(2);
  });

  it('counts one request against several allowances at once or against none, and gives back what it logged', async () => {
    const a = uniqueName('a');
    const b = uniqueName('b');
    const now = 1_800_000_300_000;
    const both = (t: number) => takeAll([{ bucket: a, limit: 3, windowMs: 1000 }, { bucket: b, limit: 2, windowMs: 1000 }], now + t);
    // The decision describes the tighter allowance: b, with less room left.
    expect(await both(0)).toMatchObject({ allowed: true, bucket: b, limit: 2, remaining: 1, policy: '2;w=1' });
    const second = await both(1);
    expect(second).toMatchObject({ allowed: true, bucket: b, remaining: 0 });
    expect(await both(2)).toMatchObject({ allowed: false, bucket: b, resetMs: 998 });
    // The refusal was logged in neither: a alone still has one left.
    expect(await takeAll([{ bucket: a, limit: 3, windowMs: 1000 }], now + 3)).toMatchObject({ allowed: true, remaining: 0 });
    // Giving back the second request's entry in b makes room there; now a is the one that refuses.
    await giveBack(second, b);
    expect(await both(4)).toMatchObject({ allowed: false, bucket: a, limit: 3 });
    // Racing requests against two allowances: exactly the tighter limit is admitted, in both.
    const c = uniqueName('c');
    const d = uniqueName('d');
    const later = now + 10_000;
    const raced = await Promise.all(Array.from({ length: 20 }, () => takeAll([{ bucket: c, limit: 5, windowMs: 1000 }, { bucket: d, limit: 3, windowMs: 1000 }], later)));
    expect(raced.filter((r) => r.allowed)).toHaveLength(3);
    expect(await takeAll([{ bucket: c, limit: 5, windowMs: 1000 }], later + 1)).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('admits exactly the limit when many requests race', async () => {
    const key = uniqueName('race');
    const now = 1_800_000_200_000;
    const decisions = await Promise.all(Array.from({ length: 20 }, (_, i) => take(key, now + (i % 3))));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(3);
  });
});
