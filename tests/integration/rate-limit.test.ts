import { setCache } from '@/lib/cache';
import { takeRequest } from '@/lib/ratelimit';
import { openTestCache, type TestCacheKind } from '../helpers/cache';
import { uniqueName } from '../helpers/people';

const kinds: TestCacheKind[] = process.env.REDIS_URL ? ['memory', 'redis'] : ['memory'];

describe.each(kinds)('the sliding-log rate limit (%s)', (kind) => {
  beforeAll(async () => setCache(await openTestCache(kind)));
  afterAll(async () => {
    const { getCache } = await import('@/lib/cache');
    await getCache().close();
    setCache(undefined);
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
});
