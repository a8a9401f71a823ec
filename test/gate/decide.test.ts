import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CutoverDesired, CutoverStatus, Phase } from '../../lib/gate/contract.js';
import { decide } from '../../lib/gate/decide.js';
import { Gate } from '../../lib/gate/gate.js';
import type { ObservedColor, ObservedGateMetrics } from '../../lib/gate/decide.js';

const W = 1_796_126_400_000;
const L = 60_000;
const desired: CutoverDesired = {
  pipeline: 'orders',
  active: 'blue',
  generation: 3,
  to: 'green',
  watermark: W,
  lateness: L,
  gateMode: 'filter',
  colors: { blue: { restUrl: 'http://b:8081', gate: true }, green: { restUrl: 'http://g:8081', gate: true } },
};
const now = '2026-12-01T11:00:00.000Z';

function color(n: number, max: number | null, wm: number | null = null, gen = 3): ObservedColor {
  return {
    running: true,
    parallelism: n,
    subtasks: Array.from({ length: n }, (_, i) => ({
      subtask: i,
      preparedGeneration: gen,
      maxTimestampAtPrepare: max,
      gateWatermark: wm,
    })),
  };
}

function status(phase: Phase, extra: Partial<CutoverStatus> = {}): CutoverStatus {
  return {
    generation: 3,
    phase,
    reason: 'x',
    active: 'blue',
    to: 'green',
    watermark: W,
    history: [],
    updatedAt: now,
    watermarks: {},
    ...(phase === 'Armed' || phase === 'Completed' ? { armedAt: now } : {}),
    ...extra,
  };
}

describe('decide', () => {
  it('does nothing without a cutover', () => {
    const d = decide({ ...desired, generation: 0, to: undefined, watermark: undefined }, null, {}, { now });
    expect(d).toEqual({ status: null, changed: false, transition: 'no-cutover' });
  });

  it('waits while a job is missing or a subtask has not reported, naming what it waits for', () => {
    const d1 = decide(desired, null, { blue: color(2, W - 1) }, { now });
    expect(d1.status).toMatchObject({
      generation: 3,
      phase: 'Pending',
      active: 'blue',
      to: 'green',
      watermark: W,
      history: [],
    });
    expect(d1.status!.reason).toBe('waiting for gate reports: blue 2/2 subtasks, green: job not found');
    const partial = color(3, W - 1);
    partial.subtasks[2]!.preparedGeneration = 2; // still on the previous generation
    const d2 = decide(desired, null, { blue: color(2, W - 1), green: partial }, { now });
    expect(d2.status!.phase).toBe('Pending');
    expect(d2.status!.reason).toContain('green 2/3 subtasks');
    const fewer = color(3, W - 1);
    fewer.subtasks.pop(); // a subtask without metrics at all
    expect(decide(desired, null, { blue: color(2, W - 1), green: fewer }, { now }).status!.phase).toBe(
      'Pending',
    );
    expect(
      decide(desired, null, { blue: color(2, W - 1), green: { ...color(3, W - 1), running: false } }, { now })
        .status!.reason,
    ).toContain('green: job not running');
  });

  it('arms when every subtask of both colors prepared before W; deciding again changes nothing', () => {
    const obs: ObservedGateMetrics = { blue: color(2, W - 1), green: color(3, null) };
    const d = decide(desired, null, obs, { now });
    expect(d).toMatchObject({
      changed: true,
      transition: 'pending-armed',
      status: { phase: 'Armed', armedAt: now },
    });
    const again = decide(desired, d.status, obs, { now: '2026-12-01T11:00:05.000Z' });
    expect(again).toMatchObject({ changed: false, transition: 'armed-waiting' });
    expect(again.status).toBe(d.status);
  });

  it('rejects as soon as one subtask had seen t >= W at prepare, even with reports missing', () => {
    const late = color(2, W - 5);
    late.subtasks[1]!.maxTimestampAtPrepare = W;
    const d = decide(desired, status('Pending'), { blue: late }, { now });
    expect(d.status).toMatchObject({ phase: 'Rejected' });
    expect(d.status!.reason).toMatch(
      /^blue subtask 1 had already seen t=\d+ >= W=\d+ when it prepared; commit a later watermark$/,
    );
    expect(d.status!.armedAt).toBeUndefined();
  });

  it("completes only when both colors' committed watermarks (every subtask) reach W + lateness", () => {
    const armed = status('Armed');
    expect(
      decide(desired, armed, { blue: color(2, W - 1, W + L), green: color(2, W - 1, W + L - 1500) }, { now })
        .status,
    ).toMatchObject({
      phase: 'Armed',
      reason: `every gate subtask prepared for generation 3 before W; completes when both watermarks reach W + lateness = ${W + L} (now: blue ${W + L}, green ${W + L - 1500} (1.5 s short))`,
    });
    const oneMissing = color(2, W - 1, W + L);
    oneMissing.subtasks[1]!.gateWatermark = null;
    // What completion waits for is in the reason (an operator sees it in the status ConfigMap).
    expect(
      decide(desired, armed, { blue: color(2, W - 1, W + L), green: oneMissing }, { now }).status,
    ).toMatchObject({
      phase: 'Armed',
      reason: expect.stringContaining(
        '(now: blue 1796126460000, green: 1 of 2 subtask(s) without a committed watermark (idle input, or no checkpoint yet))',
      ),
    });
    const done = decide(
      desired,
      armed,
      { blue: color(2, W - 1, W + L + 5), green: color(2, W - 1, W + L) },
      { now: '2026-12-01T12:10:00.000Z' },
    );
    expect(done.status).toMatchObject({
      phase: 'Completed',
      armedAt: now,
      completedAt: '2026-12-01T12:10:00.000Z',
      watermarks: { blue: W + L + 5, green: W + L },
    });
  });

  it('is monotonic: Armed never goes back, Rejected and Completed are final', () => {
    const late = { blue: color(2, W + 10), green: color(1, W + 10) };
    expect(decide(desired, status('Armed'), late, { now })).toMatchObject({
      transition: 'armed-waiting',
      status: { phase: 'Armed' },
    });
    expect(decide(desired, status('Armed'), {}, { now }).status!.phase).toBe('Armed');
    expect(
      decide(desired, status('Rejected'), { blue: color(2, W - 1), green: color(1, W - 1) }, { now }),
    ).toMatchObject({ transition: 'final', changed: false });
    expect(decide(desired, status('Completed'), {}, { now })).toMatchObject({
      transition: 'final',
      changed: false,
    });
  });

  it('rejects a Pending generation withdrawn from the desired ConfigMap, so the gates release what they hold', () => {
    const cleared = { ...desired, generation: 0, to: undefined, watermark: undefined };
    const d = decide(cleared, status('Pending'), {}, { now });
    expect(d).toMatchObject({
      changed: true,
      transition: 'withdrawn',
      status: { generation: 3, phase: 'Rejected', active: 'blue', to: 'green', watermark: W, history: [] },
    });
    expect(d.status!.reason).toBe(
      'generation 3 was withdrawn from the desired ConfigMap before it was armed; blue keeps the output',
    );
    // A gate holding t >= W for generation 3 ignores the clear (it cannot tell it from a stale read) but follows the status.
    const gate = new Gate('blue');
    gate.onConfig({
      active: 'blue',
      generation: 3,
      to: 'green',
      watermark: W,
      lateness: L,
      gateMode: 'filter',
    });
    gate.onStatus({
      generation: 3,
      phase: 'Pending',
      active: 'blue',
      to: 'green',
      watermark: W,
      history: [],
    });
    expect(gate.onRecord({ id: 'r', t: W + 1 })).toEqual({ action: 'hold' });
    expect(gate.onConfig({ active: 'blue', generation: 0, lateness: L, gateMode: 'filter' })).toEqual([]);
    expect(
      gate.onStatus({
        generation: 3,
        phase: d.status!.phase,
        active: 'blue',
        to: 'green',
        watermark: W,
        history: [],
      }),
    ).toEqual([{ record: { id: 'r', t: W + 1 }, action: 'emit', owner: 'blue' }]);
    // Completed and Rejected are left alone; deciding again on the withdrawn status changes nothing.
    for (const p of ['Completed', 'Rejected'] as const)
      expect(decide(cleared, status(p), {}, { now })).toMatchObject({
        changed: false,
        transition: 'no-cutover',
      });
    expect(decide(cleared, d.status, {}, { now })).toMatchObject({
      changed: false,
      transition: 'no-cutover',
    });
  });

  it('rejects a generation withdrawn before any status was written for it, named by the gates that prepared for it', () => {
    const cleared = { ...desired, generation: 0, to: undefined, watermark: undefined };
    const d = decide(
      cleared,
      { ...status('Completed'), generation: 2 },
      { blue: color(2, W - 1), green: color(1, null, null, 2) },
      { now },
    );
    expect(d).toMatchObject({
      changed: true,
      transition: 'withdrawn',
      status: { generation: 3, phase: 'Rejected', watermarks: {} },
    });
    // Git no longer says where W was: Rejected hands nothing over, whatever W was (0 stands for unknown).
    expect(decide(cleared, null, { green: color(1, null) }, { now }).status).toMatchObject({
      generation: 3,
      phase: 'Rejected',
      active: 'blue',
      to: 'green',
      watermark: 0,
      history: [],
    });
    // After a teardown the gates still name the completed generation: nothing to do.
    expect(decide(cleared, status('Completed'), { blue: color(2, W - 1, W + L) }, { now })).toMatchObject({
      changed: false,
      transition: 'no-cutover',
    });
    expect(decide(cleared, null, { blue: color(2, null, null, 0) }, { now })).toMatchObject({
      status: null,
      changed: false,
      transition: 'no-cutover',
    });
  });

  it('completes an Armed generation withdrawn from git (a merge racing the arm) on the values the status carries', () => {
    const cleared = { ...desired, generation: 0, to: undefined, watermark: undefined };
    const armed = status('Armed');
    const waiting = decide(cleared, armed, { blue: color(2, W - 1, W), green: color(2, W - 1, W) }, { now });
    expect(waiting).toMatchObject({
      transition: 'withdrawn-after-armed',
      status: { generation: 3, phase: 'Armed', active: 'blue', to: 'green', watermark: W },
    });
    const done = decide(
      cleared,
      waiting.status,
      { blue: color(2, W - 1, W + L), green: color(2, W - 1, W + L) },
      { now },
    );
    expect(done).toMatchObject({
      changed: true,
      transition: 'armed-completed',
      status: { generation: 3, phase: 'Completed', watermark: W },
    });
  });

  it('carries the handover chain into a rollback: the status of generation g+1 names g in its history', () => {
    const completed = status('Completed', { completedAt: now, watermarks: { blue: W + L, green: W + L } });
    const rollback: CutoverDesired = {
      ...desired,
      generation: 4,
      active: 'green',
      to: 'blue',
      watermark: W + 10 * L,
    };
    const d = decide(rollback, completed, { blue: color(2, W + L), green: color(2, W + L) }, { now });
    expect(d.status).toMatchObject({
      generation: 4,
      active: 'green',
      to: 'blue',
      watermark: W + 10 * L,
      history: [{ generation: 3, active: 'blue', to: 'green', watermark: W }],
    });
    // Rescheduled after a rejection: the rejected generation moved nothing.
    const rejected = decide(
      { ...desired, generation: 5, watermark: W + 20 * L },
      { ...status('Rejected'), generation: 4 },
      {},
      { now },
    );
    expect(rejected.status!.history).toEqual([]);
  });

  it('never overwrites the status of a newer generation than the desired one (a stale read of git)', () => {
    const newer = { ...status('Armed'), generation: 4 };
    expect(decide(desired, newer, { blue: color(2, W - 1), green: color(2, W - 1) }, { now })).toEqual({
      status: newer,
      changed: false,
      transition: 'older-desired',
    });
  });

  it('starts a new generation from Pending whatever the status of an older one says', () => {
    const d = decide(desired, { ...status('Completed'), generation: 2 }, { blue: color(1, W - 1) }, { now });
    expect(d.status).toMatchObject({
      generation: 3,
      phase: 'Pending',
      active: 'blue',
      to: 'green',
      watermark: W,
      history: [],
    });
  });

  it('ignores a color without a gate (an adopted job: at-least-once)', () => {
    const gateless = {
      ...desired,
      colors: { ...desired.colors, blue: { restUrl: 'http://b:8081', gate: false } },
    };
    expect(decide(gateless, null, { green: color(2, W - 1) }, { now }).status!.phase).toBe('Armed');
  });

  it('completes a cutover from a color without a gate only when its job watermark (as committed) reaches W + lateness too: its teardown discards what it has not committed', () => {
    const gateless = {
      ...desired,
      colors: { ...desired.colors, blue: { restUrl: 'http://b:8081', gate: false } },
    };
    const armed = status('Armed');
    expect(decide(gateless, armed, { green: color(2, W - 1, W + L) }, { now }).status).toMatchObject({
      phase: 'Armed',
      reason: expect.stringContaining('(now: blue: job not found, green 1796126460000)'),
    });
    expect(
      decide(gateless, armed, { blue: color(2, null, W + L - 1, 0), green: color(2, W - 1, W + L) }, { now })
        .status!.phase,
    ).toBe('Armed');
    expect(
      decide(gateless, armed, { blue: color(2, null, W + L, 0), green: color(2, W - 1, W + L) }, { now })
        .status,
    ).toMatchObject({
      phase: 'Completed',
      reason: `both watermarks reached W + lateness (blue ${W + L} (no gate: job watermark), green ${W + L})`,
      watermarks: { blue: W + L, green: W + L },
    });
  });

  it('never arms (let alone completes) a cutover between two colors without a gate: no report at all is not a yes', () => {
    const none = {
      ...desired,
      colors: {
        blue: { restUrl: 'http://b:8081', gate: false },
        green: { restUrl: 'http://g:8081', gate: false },
      },
    };
    const d = decide(none, null, {}, { now });
    expect(d.status).toMatchObject({
      phase: 'Pending',
      reason: 'neither blue nor green has a gate (gate: false): nothing can arm generation 3',
    });
  });

  it("treats Flink's Long.MIN_VALUE gate watermark as none: no completion, and it is not written to the status", () => {
    const LONG_MIN = -9223372036854775808;
    const d = decide(
      desired,
      status('Armed'),
      { blue: color(2, W - 1, W + L), green: color(2, W - 1, LONG_MIN) },
      { now },
    );
    expect(d.status).toMatchObject({ phase: 'Armed', watermarks: { blue: W + L } });
    expect(d.status!.watermarks.green).toBeUndefined();
  });

  it('variants: arming without all reports, and a non-monotonic controller rejecting an armed cutover', () => {
    expect(
      decide(desired, null, {}, { now, rules: { requireAllReports: false, monotonic: true } }).status!.phase,
    ).toBe('Armed');
    const d = decide(
      desired,
      status('Armed'),
      { blue: color(2, W - 1), green: { ...color(2, W - 1), running: false } },
      { now, rules: { requireAllReports: true, monotonic: false } },
    );
    expect(d).toMatchObject({ transition: 'variant.target-down-rejected', status: { phase: 'Rejected' } });
  });
});

describe('decide properties', () => {
  const report = fc.record({
    prepared: fc.boolean(),
    max: fc.option(fc.integer({ min: W - 5000, max: W + 5000 }), { nil: null }),
    wm: fc.option(fc.integer({ min: W - 5000, max: W + L + 5000 }), { nil: null }),
  });
  const observedColor = fc.option(
    fc.record({
      running: fc.boolean(),
      parallelism: fc.integer({ min: 1, max: 4 }),
      reports: fc.array(report, { minLength: 0, maxLength: 4 }),
    }),
    { nil: undefined },
  );
  const phase = fc.option(fc.constantFrom<Phase>('Pending', 'Armed', 'Rejected', 'Completed'), {
    nil: undefined,
  });
  const toObserved = (
    o:
      | {
          running: boolean;
          parallelism: number;
          reports: { prepared: boolean; max: number | null; wm: number | null }[];
        }
      | undefined,
  ): ObservedColor | undefined =>
    o && {
      running: o.running,
      parallelism: o.parallelism,
      subtasks: o.reports.slice(0, o.parallelism).map((r, i) => ({
        subtask: i,
        preparedGeneration: r.prepared ? 3 : 2,
        maxTimestampAtPrepare: r.max,
        gateWatermark: r.wm,
      })),
    };
  const allowed: Record<string, Phase[]> = {
    none: ['Pending', 'Armed', 'Rejected'],
    Pending: ['Pending', 'Armed', 'Rejected'],
    Armed: ['Armed', 'Completed'],
    Rejected: ['Rejected'],
    Completed: ['Completed'],
  };

  it('phases only move forward, a missing report is never a yes, and a passed W is always Rejected', () => {
    fc.assert(
      fc.property(phase, observedColor, observedColor, (p, b, g) => {
        const observed: ObservedGateMetrics = {};
        const ob = toObserved(b);
        const og = toObserved(g);
        if (ob) observed.blue = ob;
        if (og) observed.green = og;
        const cur = p ? status(p) : null;
        const next = decide(desired, cur, observed, { now }).status!;
        expect(allowed[p ?? 'none']).toContain(next.phase);
        const colors = [ob, og];
        const everyoneReported = colors.every(
          (c) =>
            c &&
            c.running &&
            c.subtasks.length === c.parallelism &&
            c.subtasks.every((s) => s.preparedGeneration === 3),
        );
        const anyLate = colors.some(
          (c) =>
            c?.running &&
            c.subtasks.some(
              (s) =>
                s.preparedGeneration === 3 &&
                s.maxTimestampAtPrepare !== null &&
                s.maxTimestampAtPrepare >= W,
            ),
        );
        if (p === undefined || p === 'Pending') {
          if (next.phase === 'Armed') expect(everyoneReported && !anyLate).toBe(true);
          if (anyLate) expect(next.phase).toBe('Rejected');
        }
      }),
      { numRuns: 2000 },
    );
  });
});
