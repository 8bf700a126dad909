import 'server-only';
import { CacheUnavailableError, type CacheBackend } from './port';

export type Repair = (backend: CacheBackend) => Promise<unknown>;

type Options = {
  timeoutMs: number;
  probeIntervalMs?: number;
  /** Most repairs remembered during one outage; past it, recovery purges `purgePrefixes` instead. */
  maxRepairs?: number;
  purgePrefixes?: string[];
  log?: (line: string) => void;
};

/** True for an error the server itself answered with (a bad key type): the server is up. */
export function isReplyError(error: unknown): boolean {
  const name = (error as Error)?.name;
  return name === 'ReplyError' || name === 'UpstashError' || /WRONGTYPE/.test(String((error as Error)?.message));
}

/**
 * Guards every cache call with a short timeout and a circuit breaker, so that if Redis goes down,
 * hangs or answers garbage, requests fall back to Postgres at full speed instead of waiting on it.
 *
 * - One log line when an outage starts and one when it ends, never one per request.
 * - While down, calls fail at once; a background probe pings every `probeIntervalMs`.
 * - A write that could not reach the cache leaves it possibly stale, so its repair (an
 *   idempotent invalidation) is remembered and replayed before the cache is trusted again.
 */
export class ResilientCache {
  private down = false;
  private downSince = 0;
  private probe?: NodeJS.Timeout;
  private readonly repairs = new Map<string, Repair>();
  private repairsOverflowed = false;
  private recovering?: Promise<boolean>;
  private readonly log: (line: string) => void;

  constructor(
    readonly backend: CacheBackend,
    private readonly options: Options,
  ) {
    this.log = options.log ?? ((line) => console.warn(line));
  }

  get kind() {
    return this.backend.kind;
  }

  get available(): boolean {
    return !this.down;
  }

  private async withTimeout<T>(call: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CacheUnavailableError(`no answer within ${this.options.timeoutMs} ms`)), this.options.timeoutMs);
    });
    try {
      return await Promise.race([call(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** A read: answers, or throws CacheUnavailableError (the caller reads Postgres instead). */
  async read<T>(call: (backend: CacheBackend) => Promise<T>): Promise<T> {
    if (this.down) throw new CacheUnavailableError('cache is down');
    try {
      return await this.withTimeout(() => call(this.backend));
    } catch (error) {
      if (!isReplyError(error)) this.trip(error);
      throw error instanceof CacheUnavailableError ? error : new CacheUnavailableError('cache read failed', { cause: error });
    }
  }

  /**
   * A write after Postgres committed. Never throws: if the cache cannot take it, `repair` (keyed,
   * so one per entry) runs when the cache is back, before any read trusts it again.
   */
  async write(key: string, call: Repair, repair: Repair = call): Promise<boolean> {
    if (!this.down) {
      try {
        await this.withTimeout(() => call(this.backend));
        return true;
      } catch (error) {
        if (isReplyError(error)) {
          // The server is up but the entry is corrupt: drop it through the repair now.
          try {
            await this.withTimeout(() => repair(this.backend));
            return true;
          } catch (repairError) {
            this.trip(repairError);
          }
        } else {
          this.trip(error);
        }
      }
    }
    if (this.repairs.has(key) || this.repairs.size < (this.options.maxRepairs ?? 50_000)) this.repairs.set(key, repair);
    else this.repairsOverflowed = true;
    return false;
  }

  private trip(error: unknown) {
    if (this.down) return;
    this.down = true;
    this.downSince = Date.now();
    const reason = error instanceof Error ? error.message : String(error);
    this.log(`[cache] ${this.backend.kind} unavailable (${reason}); serving from Postgres until it returns`);
    this.probe = setInterval(() => void this.tryRecover(), this.options.probeIntervalMs ?? 1000);
    this.probe.unref();
  }

  /**
   * Pings; when the cache answers, replays the repairs, and only then trusts it again. One
   * recovery at a time: a probe that fires while one runs waits for it instead of racing it.
   */
  tryRecover(): Promise<boolean> {
    if (!this.down) return Promise.resolve(true);
    this.recovering ??= this.recover().finally(() => {
      this.recovering = undefined;
    });
    return this.recovering;
  }

  private async recover(): Promise<boolean> {
    try {
      await this.withTimeout(() => this.backend.ping());
      // Writes keep leaving repairs until the cache is trusted: replay until none is left.
      while (this.repairsOverflowed || this.repairs.size > 0) {
        if (this.repairsOverflowed) {
          // Too many entries went stale to list them: drop the whole namespaces instead (the
          // purge covers the listed ones; any left by a write during the purge are kept).
          this.repairs.clear();
          for (const prefix of this.options.purgePrefixes ?? []) await this.backend.deleteByPrefix(prefix);
          this.repairsOverflowed = false;
        }
        for (const [key, repair] of [...this.repairs]) {
          await this.withTimeout(() => repair(this.backend));
          // A write may have replaced this key's repair meanwhile: that one still has to run.
          if (this.repairs.get(key) === repair) this.repairs.delete(key);
        }
      }
    } catch {
      return false;
    }
    clearInterval(this.probe);
    this.down = false;
    this.log(`[cache] ${this.backend.kind} is back after ${((Date.now() - this.downSince) / 1000).toFixed(1)}s; stale entries repaired`);
    return true;
  }

  async close(): Promise<void> {
    clearInterval(this.probe);
    await this.backend.close();
  }
}
