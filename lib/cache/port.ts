import 'server-only';
/**
 * The cache port: a handful of Redis-shaped primitives plus atomic scripts. Three adapters
 * implement it (memory, Redis over TCP, Upstash REST); one behaviour suite holds them to the
 * same semantics (tests/integration/cache-port.test.ts).
 */
export type CacheKind = 'memory' | 'redis' | 'upstash';

/** What a script reply may be, as Redis returns it: strings, integers, nil, nested arrays. */
export type ScriptReply = string | number | null | ScriptReply[];

/**
 * An atomic operation: `lua` runs on Redis and Upstash (EVALSHA, falling back to EVAL);
 * `memory` is its twin for the in-process adapter, which is single-threaded and so atomic.
 */
export type CacheScript = {
  name: string;
  lua: string;
  memory: (store: MemoryOps, keys: string[], args: string[]) => ScriptReply;
};

/** The primitives a memory twin may use; each mirrors the Redis command of the same name. */
export interface MemoryOps {
  get(key: string): string | null;
  set(key: string, value: string): void;
  incr(key: string): number;
  del(key: string): number;
  exists(key: string): boolean;
  pexpire(key: string, ttlMs: number): void;
  /** Sorted-set members all scored 0, so ordered lexicographically as Redis does. */
  zadd(key: string, member: string): void;
  zrange(key: string): string[];
  zrem(key: string, member: string): void;
  zcard(key: string): number;
  /** Removes members by rank, inclusive, like ZREMRANGEBYRANK. */
  zremrangebyrank(key: string, start: number, stop: number): void;
  sadd(key: string, member: string): void;
  sismember(key: string, member: string): boolean;
}

export type SetOptions = { ttlMs?: number; onlyIfAbsent?: boolean };

export interface CacheBackend {
  readonly kind: CacheKind;
  get(key: string): Promise<string | null>;
  /** Answers false when `onlyIfAbsent` is set and the key exists (SET NX). */
  set(key: string, value: string, options?: SetOptions): Promise<boolean>;
  del(keys: string[]): Promise<void>;
  run(script: CacheScript, keys: string[], args: string[]): Promise<ScriptReply>;
  /** Deletes every key starting with `prefix` (SCAN + UNLINK on Redis); answers how many. */
  deleteByPrefix(prefix: string): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A cache call that did not answer in time, or a backend that cannot be reached. */
export class CacheUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CacheUnavailableError';
  }
}
