import { describe, expect, it } from 'vitest';
import { STRATEGIES } from '../../lib/simulate/strategies.js';
import { sweep } from '../../lib/simulate/sweep.js';

/** Each rule of the handover protocol, dropped alone, breaks exactness in some scenarios of a sweep. */
describe('dropping one protocol rule', () => {
  const seed = 11;
  const runs = 300;
  const full = sweep(seed, runs, 'two-phase');

  it('the full protocol is exact over the same scenarios', () => {
    expect(full.violatingRuns).toBe(0);
  });

  for (const strategy of STRATEGIES.filter((s) => s.startsWith('two-phase-'))) {
    it(`${strategy} produces duplicates or missing records`, () => {
      const s = sweep(seed, runs, strategy);
      expect(s.violatingRuns, JSON.stringify(s)).toBeGreaterThan(0);
      expect(s.duplicates + s.missing).toBeGreaterThan(0);
    });
  }
});
