import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide } from '../../lib/gate/decide.js';
import { Gate } from '../../lib/gate/gate.js';
import type { GateDesired, Released } from '../../lib/gate/types.js';
import type { CutoverDesired } from '../../lib/gate/contract.js';
import type { Color } from '../../lib/spec/types.js';

const W = 1000;
const desired: CutoverDesired = {
  pipeline: 'p',
  active: 'blue',
  generation: 1,
  to: 'green',
  watermark: W,
  lateness: 100,
  gateMode: 'filter',
  colors: { blue: { restUrl: 'http://b', gate: true }, green: { restUrl: 'http://g', gate: true } },
};
const gateDesired = (gen: number): GateDesired =>
  gen === 0
    ? { active: 'blue', generation: 0, lateness: 100, gateMode: 'filter' }
    : { active: 'blue', generation: 1, to: 'green', watermark: W, lateness: 100, gateMode: 'filter' };

/**
 * Two gates (blue, green) see the same records in different orders, learn of the cutover at
 * different points, and get the controller's decision (made by decide() from their metrics) at
 * different later points. Every record must end up emitted by exactly one color, none held.
 */
describe('gate pair property', () => {
  const side = fc.record({ configAt: fc.nat(), statusAt: fc.nat(), seed: fc.nat() });
  it('a record is emitted by exactly one color and a held record is always released', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 2000 }), { minLength: 1, maxLength: 60 }),
        side,
        side,
        fc.boolean(),
        (ts, b, g, pendingFirst) => {
          const emitted = new Map<number, Color[]>();
          const count = (c: Color, id: number): void => void emitted.set(id, [...(emitted.get(id) ?? []), c]);
          const plan = (s: typeof b) => {
            // A deterministic shuffle from the side's seed: each color reads in its own order.
            const ids = ts.map((_, i) => i);
            let x = s.seed + 1;
            for (let i = ids.length - 1; i > 0; i--) {
              x = (x * 1103515245 + 12345) % 2147483648;
              const j = x % (i + 1);
              [ids[i], ids[j]] = [ids[j]!, ids[i]!];
            }
            const configAt = s.configAt % (ids.length + 1);
            const statusAt = configAt + (s.statusAt % (ids.length - configAt + 1));
            return { ids, configAt, statusAt };
          };
          const sides = { blue: plan(b), green: plan(g) };
          const gates = { blue: new Gate('blue'), green: new Gate('green') };
          const onReleased = (c: Color, rs: Released[]): void =>
            rs.forEach((r) => r.action === 'emit' && count(c, r.record.id as number));
          const feed = (c: Color, from: number, to: number): void => {
            for (const id of sides[c].ids.slice(from, to)) {
              const d = gates[c].onRecord({ id, t: ts[id]! });
              expect(d.action).not.toBe('wait');
              if (d.action === 'emit') count(c, id);
            }
          };
          for (const c of ['blue', 'green'] as const) {
            gates[c].onConfig(gateDesired(0));
            gates[c].onStatus(null);
            feed(c, 0, sides[c].configAt);
            onReleased(c, gates[c].onConfig(gateDesired(1)));
          }
          const observed = {
            blue: { running: true, parallelism: 1, subtasks: [{ subtask: 0, ...gates.blue.metrics() }] },
            green: { running: true, parallelism: 1, subtasks: [{ subtask: 0, ...gates.green.metrics() }] },
          };
          const decision = decide(desired, null, observed, { now: '2026-12-01T00:00:00Z' }).status!;
          expect(['Armed', 'Rejected']).toContain(decision.phase);
          for (const c of ['blue', 'green'] as const) {
            feed(c, sides[c].configAt, sides[c].statusAt);
            if (pendingFirst)
              onReleased(
                c,
                gates[c].onStatus({
                  generation: 1,
                  phase: 'Pending',
                  active: 'blue',
                  to: 'green',
                  watermark: W,
                  history: [],
                }),
              );
            onReleased(
              c,
              gates[c].onStatus({
                generation: 1,
                phase: decision.phase,
                active: 'blue',
                to: 'green',
                watermark: W,
                history: [],
              }),
            );
            feed(c, sides[c].statusAt, ts.length);
            expect(gates[c].held).toEqual([]);
          }
          ts.forEach((t, id) => {
            const by = emitted.get(id) ?? [];
            expect(by, `record ${id} t=${t} (${decision.phase})`).toHaveLength(1);
            if (decision.phase === 'Armed') expect(by[0]).toBe(t < W ? 'blue' : 'green');
            else expect(by[0]).toBe('blue');
          });
        },
      ),
      { numRuns: 1500 },
    );
  });
});
