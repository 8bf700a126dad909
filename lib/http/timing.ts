import 'server-only';
/** Time spent per dependency during one request, for the Server-Timing header. */
export class Timings {
  private readonly spent: Record<string, number> = {};

  async measure<T>(name: 'cache' | 'db', call: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await call();
    } finally {
      this.spent[name] = (this.spent[name] ?? 0) + (performance.now() - start);
    }
  }

  /** `cache;dur=0.21, db;dur=1.35`: every dependency, 0 when untouched. */
  header(): string {
    return (['cache', 'db'] as const).map((name) => `${name};dur=${(this.spent[name] ?? 0).toFixed(2)}`).join(', ');
  }
}
