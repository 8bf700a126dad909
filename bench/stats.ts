/** Percentiles of a sample of durations in milliseconds. */
export function summarize(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return { n: sorted.length, p50_ms: round(at(0.5)), p99_ms: round(at(0.99)), mean_ms: round(sorted.reduce((a, b) => a + b, 0) / sorted.length) };
}

/** Benchmarks print JSON lines, one figure set per line. */
export function report(line: Record<string, unknown>) {
  console.log(JSON.stringify(line));
}

export async function time(call: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await call();
  return performance.now() - start;
}

/** Runs a benchmark as a script: exit 0 when it finished, 1 with the error when it did not. */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
