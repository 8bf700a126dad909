import 'server-only';
import type { CacheBackend, CacheScript, MemoryOps, ScriptReply, SetOptions } from './port';

type Value = { type: 'string'; value: string } | { type: 'zset'; members: string[] } | { type: 'set'; members: Set<string> };
type Entry = Value & { expiresAt?: number };

/** Binary search for the first index whose member is not below `member` (byte order, as Redis). */
function lowerBound(members: string[], member: string): number {
  let lo = 0;
  let hi = members.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (members[mid]! < member) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The embedded cache: one process, bounded to `maxKeys` entries, least recently used evicted
 * first (a Map keeps insertion order; every touch re-inserts). TTLs expire lazily on access.
 */
export class MemoryCache implements MemoryOps {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxKeys = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  private entry(key: string): Entry | undefined {
    const found = this.entries.get(key);
    if (!found) return undefined;
    if (found.expiresAt !== undefined && found.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, found);
    return found;
  }

  private put(key: string, value: Entry): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.maxKeys) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  private typed<T extends Value['type']>(key: string, type: T): Extract<Entry, { type: T }> | undefined {
    const found = this.entry(key);
    if (found && found.type !== type) throw new Error('WRONGTYPE Operation against a key holding the wrong kind of value');
    return found as Extract<Entry, { type: T }> | undefined;
  }

  // --- MemoryOps: the primitives script twins use -------------------------------------------
  get(key: string): string | null {
    return this.typed(key, 'string')?.value ?? null;
  }

  set(key: string, value: string): void {
    this.put(key, { type: 'string', value });
  }

  incr(key: string): number {
    const found = this.typed(key, 'string');
    const next = Number(found?.value ?? '0') + 1;
    this.put(key, { type: 'string', value: String(next), expiresAt: found?.expiresAt });
    return next;
  }

  del(key: string): number {
    // An expired entry is already gone, as on Redis: it is dropped but not counted.
    if (!this.entry(key)) return 0;
    this.entries.delete(key);
    return 1;
  }

  exists(key: string): boolean {
    return this.entry(key) !== undefined;
  }

  pexpire(key: string, ttlMs: number): void {
    const found = this.entry(key);
    if (found) found.expiresAt = this.now() + ttlMs;
  }

  zadd(key: string, member: string): void {
    const found = this.typed(key, 'zset');
    const members = found?.members ?? [];
    const at = lowerBound(members, member);
    if (members[at] !== member) members.splice(at, 0, member);
    if (!found) this.put(key, { type: 'zset', members });
  }

  zrange(key: string): string[] {
    return [...(this.typed(key, 'zset')?.members ?? [])];
  }

  zrem(key: string, member: string): void {
    const found = this.typed(key, 'zset');
    if (!found) return;
    const at = lowerBound(found.members, member);
    if (found.members[at] === member) found.members.splice(at, 1);
    if (found.members.length === 0) this.entries.delete(key);
  }

  zcard(key: string): number {
    return this.typed(key, 'zset')?.members.length ?? 0;
  }

  zremrangebyrank(key: string, start: number, stop: number): void {
    const found = this.typed(key, 'zset');
    if (!found) return;
    const length = found.members.length;
    const from = start < 0 ? Math.max(0, length + start) : start;
    const to = stop < 0 ? length + stop : Math.min(stop, length - 1);
    if (from <= to) found.members.splice(from, to - from + 1);
    if (found.members.length === 0) this.entries.delete(key);
  }

  sadd(key: string, member: string): void {
    const found = this.typed(key, 'set');
    if (found) found.members.add(member);
    else this.put(key, { type: 'set', members: new Set([member]) });
  }

  sismember(key: string, member: string): boolean {
    return this.typed(key, 'set')?.members.has(member) ?? false;
  }

  // --- CacheBackend -------------------------------------------------------------------------
  readonly backend: CacheBackend = {
    kind: 'memory',
    get: async (key) => this.get(key),
    set: async (key, value, options?: SetOptions) => {
      if (options?.onlyIfAbsent && this.exists(key)) return false;
      this.set(key, value);
      if (options?.ttlMs) this.pexpire(key, options.ttlMs);
      return true;
    },
    del: async (keys) => {
      for (const key of keys) this.del(key);
    },
    run: async (script: CacheScript, keys: string[], args: string[]): Promise<ScriptReply> => script.memory(this, keys, args),
    deleteByPrefix: async (prefix) => {
      let deleted = 0;
      for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) deleted += this.del(key);
      return deleted;
    },
    ping: async () => {},
    close: async () => {
      this.entries.clear();
    },
  };

  /** Lets tests drop everything, as a Redis FLUSHDB would. */
  flush(): void {
    this.entries.clear();
  }
}
