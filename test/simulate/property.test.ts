import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../lib/simulate/engine.js';
import { rng } from '../../lib/simulate/rng.js';
import { randomScenario } from '../../lib/simulate/scenario.js';
import type { Scenario } from '../../lib/simulate/scenario.js';

describe('simulator properties (fast-check)', () => {
  it('two-phase never loses or duplicates a record, and never ends undecided', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const r = simulate(randomScenario(rng(seed)), { strategy: 'two-phase' });
        expect({ duplicates: r.duplicates, missing: r.missing, heldAtEnd: r.heldAtEnd }).toEqual({
          duplicates: 0,
          missing: 0,
          heldAtEnd: 0,
        });
        expect(['Completed', 'Rejected', 'Armed']).toContain(r.phase);
      }),
      { numRuns: 400 },
    );
  });

  it('from an active color without a gate (gate: false), nothing is ever lost (at-least-once), and only records at or past W are duplicated', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const s = randomScenario(rng(seed));
        s.colors.blue.gate = false;
        const r = simulate(s, { strategy: 'two-phase', trace: true });
        expect({ missing: r.missing, heldAtEnd: r.heldAtEnd, atLeastOnce: r.atLeastOnce }).toEqual({
          missing: 0,
          heldAtEnd: 0,
          atLeastOnce: true,
        });
        expect(r.points.filter((p) => p.color === 'green' && p.t < r.watermark)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('a cutover withdrawn from git before it was armed (what the policy allows) leaves the output exact and nothing held', () => {
    let withdrawnUndecided = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.integer({ min: 0, max: 12 }),
        (seed, after) => {
          const s = randomScenario(rng(seed));
          s.cutover.withdrawAtMs = s.cutover.commitAtMs + 50 + after * 250;
          const r = simulate(s, { strategy: 'two-phase' });
          fc.pre(r.withdrawnIn === 'none' || r.withdrawnIn === 'Pending' || r.withdrawnIn === 'Rejected');
          if (r.withdrawnIn !== 'Rejected') withdrawnUndecided++;
          expect({ duplicates: r.duplicates, missing: r.missing, heldAtEnd: r.heldAtEnd }).toEqual({
            duplicates: 0,
            missing: 0,
            heldAtEnd: 0,
          });
          // Rejected as withdrawn, or never decided because no gate kept a prepare for it (all restored from before it).
          if (r.phase !== 'Rejected')
            expect({ phase: r.phase, reason: r.reason }).toEqual({
              phase: 'Pending',
              reason: 'no status written',
            });
        },
      ),
      { numRuns: 200 },
    );
    expect(withdrawnUndecided).toBeGreaterThan(50);
  });

  it('a committed W the jobs have already passed is Rejected (never a silent gap), and blue keeps all the output', () => {
    const scenario = fc.record({
      seed: fc.nat(),
      partitions: fc.integer({ min: 1, max: 6 }),
      blueP: fc.integer({ min: 1, max: 6 }),
      greenP: fc.integer({ min: 1, max: 6 }),
      ooo: fc.integer({ min: 0, max: 2000 }),
      blueLag: fc.integer({ min: 0, max: 1500 }),
      greenLag: fc.integer({ min: 0, max: 1500 }),
      passedBy: fc.integer({ min: 0, max: 5000 }),
      propMax: fc.integer({ min: 0, max: 3000 }),
      poll: fc.constantFrom(500, 1000, 2000),
      greenStart: fc.integer({ min: 500, max: 5000 }),
    });
    fc.assert(
      fc.property(scenario, (p) => {
        const commitAtMs = 9000;
        const maxLag = Math.max(p.blueLag, p.greenLag);
        const s: Scenario = {
          name: 'passed',
          seed: p.seed,
          active: 'blue',
          input: {
            partitions: p.partitions,
            ratePerSecond: 10,
            durationMs: 20000,
            outOfOrdernessMs: p.ooo,
            lateFraction: 0,
            lateByMaxMs: 0,
            idle: [],
          },
          colors: {
            blue: {
              parallelism: Math.min(p.blueP, p.partitions),
              startMs: 0,
              lagMs: p.blueLag,
              maxRecordsPerSecond: 0,
            },
            green: {
              parallelism: Math.min(p.greenP, p.partitions),
              startMs: p.greenStart,
              lagMs: p.greenLag,
              maxRecordsPerSecond: 0,
            },
          },
          checkpointIntervalMs: 1000,
          pollIntervalMs: p.poll,
          propagation: { minMs: 0, maxMs: p.propMax },
          // W lies at least 3 s of event time behind what both jobs have read when the cutover lands.
          cutover: {
            commitAtMs,
            watermarkAtMs: commitAtMs - maxLag - p.ooo - 3000 - p.passedBy,
            latenessMs: 1000,
            gateMode: 'filter',
          },
          restarts: [],
          teardownDelayMs: null,
        };
        const r = simulate(s, { strategy: 'two-phase' });
        // Rejected as withdrawn, or never decided because no gate kept a prepare for it (all restored from before it).
        if (r.phase !== 'Rejected')
          expect({ phase: r.phase, reason: r.reason }).toEqual({
            phase: 'Pending',
            reason: 'no status written',
          });
        expect(r.reason).toMatch(/had already seen t=\d+ >= W=\d+ when it prepared/);
        expect({ duplicates: r.duplicates, missing: r.missing }).toEqual({ duplicates: 0, missing: 0 });
        expect(r.emitted).toEqual({ blue: r.records, green: 0 });
      }),
      { numRuns: 120 },
    );
  });
});
