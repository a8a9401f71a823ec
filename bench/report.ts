/** One benchmark result line, as `npm run bench` prints it. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** Name of the thing compared against, or null. */
  baseline: string | null;
  /** value / baseline value, or null. */
  ratio: number | null;
}

export function report(r: BenchResult): void {
  process.stdout.write(JSON.stringify(r) + '\n');
}

/** Median wall time in milliseconds of `fn` over `runs` runs (after one warm-up). */
export function medianMs(fn: () => void, runs = 5): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}
