/** Sweeps: many random scenarios from one seed, summarized. */
import type { Phase } from '../gate/contract.js';
import { simulate } from './engine.js';
import type { RunResult } from './engine.js';
import { rng, runSeed } from './rng.js';
import { randomScenario } from './scenario.js';
import type { Strategy } from './strategies.js';

export interface SweepSummary {
  strategy: Strategy;
  seed: number;
  runs: number;
  records: number;
  duplicates: number;
  missing: number;
  /** Runs with at least one duplicate or missing record. */
  violatingRuns: number;
  maxOutputStallMs: number;
  phases: Partial<Record<Phase | 'none', number>>;
  /** Seeds (runSeed) of up to 5 violating runs, to replay one. */
  examples: { run: number; duplicates: number; missing: number; phase: Phase | 'none' }[];
}

/** The random scenario of run `i` of a sweep with `seed` (what `--runs` simulates). */
export function sweepScenario(seed: number, i: number) {
  return randomScenario(rng(runSeed(seed, i)), `seed ${seed} run ${i}`);
}

export function sweep(
  seed: number,
  runs: number,
  strategy: Strategy,
  onRun?: (r: RunResult, i: number) => void,
): SweepSummary {
  const out: SweepSummary = {
    strategy,
    seed,
    runs,
    records: 0,
    duplicates: 0,
    missing: 0,
    violatingRuns: 0,
    maxOutputStallMs: 0,
    phases: {},
    examples: [],
  };
  for (let i = 0; i < runs; i++) {
    const r = simulate(sweepScenario(seed, i), { strategy });
    out.records += r.records;
    out.duplicates += r.duplicates;
    out.missing += r.missing;
    if (r.duplicates + r.missing > 0) {
      out.violatingRuns++;
      if (out.examples.length < 5)
        out.examples.push({ run: i, duplicates: r.duplicates, missing: r.missing, phase: r.phase });
    }
    out.maxOutputStallMs = Math.max(out.maxOutputStallMs, r.outputStallMs);
    out.phases[r.phase] = (out.phases[r.phase] ?? 0) + 1;
    onRun?.(r, i);
  }
  return out;
}
