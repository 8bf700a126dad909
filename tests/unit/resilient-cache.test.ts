import { CacheUnavailableError, type CacheBackend } from '@/lib/cache/port';
import { ResilientCache, type Repair } from '@/lib/cache/resilient';

/*
 * Recovery races that the end-to-end fault suite (tests/integration/cache-faults.test.ts) cannot
 * hit on purpose: writes and probes that arrive while a recovery is still replaying repairs.
 */

/** A backend that is up or down at will; `ping` always answers at once when up. */
function fakeBackend() {
  const state = { up: true };
  const backend: CacheBackend = {
    kind: 'redis',
    get: async () => null,
    set: async () => true,
    del: async () => {},
    run: async () => null,
    deleteByPrefix: async () => 0,
    ping: async () => {
      if (!state.up) throw new CacheUnavailableError('redis is reconnecting');
    },
    close: async () => {},
  };
  return { backend, state };
}

/** A repair that waits for `open()`, recording that it ran. */
function gatedRepair() {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const calls = { started: 0, done: 0 };
  const repair: Repair = async () => {
    calls.started += 1;
    await gate;
    calls.done += 1;
  };
  return { repair, calls, open };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

async function trippedCache() {
  const { backend, state } = fakeBackend();
  const logs: string[] = [];
  // The probe interval is long: these tests drive recovery themselves.
  const cache = new ResilientCache(backend, { timeoutMs: 1000, probeIntervalMs: 60_000, log: (line) => logs.push(line) });
  state.up = false;
  return { cache, state, logs };
}

describe('ResilientCache recovery', () => {
  it('replays a repair left by a write made while recovery was replaying others', async () => {
    const { cache, state, logs } = await trippedCache();
    const first = gatedRepair();
    expect(await cache.write('a', async () => Promise.reject(new CacheUnavailableError('down')), first.repair)).toBe(false);
    state.up = true;
    const recovering = cache.tryRecover();
    while (first.calls.started === 0) await tick();
    const late = jest.fn(async () => {});
    expect(await cache.write('b', late)).toBe(false); // still down: remembered as a repair
    first.open();
    expect(await recovering).toBe(true);
    expect(late).toHaveBeenCalledTimes(1);
    expect(cache.available).toBe(true);
    expect(logs.filter((line) => line.includes('is back'))).toHaveLength(1);
    await cache.close();
  });

  it('keeps the newer repair of a key replaced while its older one was replaying', async () => {
    const { cache, state } = await trippedCache();
    const older = gatedRepair();
    await cache.write('window', async () => Promise.reject(new CacheUnavailableError('down')), older.repair);
    state.up = true;
    const recovering = cache.tryRecover();
    while (older.calls.started === 0) await tick();
    const newer = jest.fn(async () => {});
    await cache.write('window', newer);
    older.open();
    expect(await recovering).toBe(true);
    expect(newer).toHaveBeenCalledTimes(1);
    await cache.close();
  });

  it('runs one recovery at a time: overlapping probes log one line and replay each repair once', async () => {
    const { cache, state, logs } = await trippedCache();
    const repair = gatedRepair();
    await cache.write('a', async () => Promise.reject(new CacheUnavailableError('down')), repair.repair);
    state.up = true;
    const probes = [cache.tryRecover(), cache.tryRecover()];
    while (repair.calls.started === 0) await tick();
    const third = cache.tryRecover();
    repair.open();
    expect(await Promise.all([...probes, third])).toEqual([true, true, true]);
    expect(repair.calls).toEqual({ started: 1, done: 1 });
    expect(logs.filter((line) => line.includes('unavailable'))).toHaveLength(1);
    expect(logs.filter((line) => line.includes('is back'))).toHaveLength(1);
    await cache.close();
  });
});
