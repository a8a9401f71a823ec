/** One benchmark result line, as `npm run bench` prints it. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** Name of the thing compared against, or null. */
  baseline: string | null;
  /** value / baseline value, or null. */
  ratio: number | null;
  /** The goal this figure is held to, in words (e.g. "≤ 1000 ms"), when it has one. */
  goal?: string;
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

/** Medians of `a` and `b` run alternately `runs` times each (after one warm-up of each), in ms. */
export function pairedMedians(a: () => void, b: () => void, runs = 5): [number, number] {
  a();
  b();
  const ta: number[] = [];
  const tb: number[] = [];
  const time = (fn: () => void) => {
    const t0 = process.hrtime.bigint();
    fn();
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  for (let i = 0; i < runs; i++) {
    ta.push(time(a));
    tb.push(time(b));
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  return [median(ta), median(tb)];
}

/** Reports `name` (ms) with its ratio to `baseline` (ms), both measured in this run. */
export function reportRatio(
  name: string,
  value: number,
  baseline: string,
  base: number,
  goal?: string,
): void {
  report({
    name,
    value: +value.toFixed(1),
    unit: 'ms',
    baseline,
    ratio: +(value / base).toFixed(3),
    ...(goal !== undefined ? { goal } : {}),
  });
}
