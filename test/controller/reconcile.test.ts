import { describe, expect, it } from 'vitest';
import { observationNeeded, reconcile } from '../../lib/controller/reconcile.js';
import type { ColorReport, Observed, ObjectRef, ReconcileMemory } from '../../lib/controller/reconcile.js';
import type { CutoverDesired, CutoverStatus } from '../../lib/gate/contract.js';
import { renderCutoverConfigMap, renderCutoverStatus } from '../../lib/gate/contract.js';
import type { ObservedGate } from '../../lib/flink/gate-metrics.js';

const W = 1_800_000_000_000;
const LATENESS = 60_000;
const NOW = W - 600_000;
const ref: ObjectRef = {
  kind: 'ConfigMap',
  apiVersion: 'v1',
  namespace: 'streaming',
  name: 'orders-cutover',
  uid: 'u-1',
};

function desired(over: Partial<CutoverDesired> = {}): Record<string, string> {
  const d: CutoverDesired = {
    pipeline: 'orders',
    active: 'blue',
    generation: 1,
    to: 'green',
    watermark: W,
    lateness: LATENESS,
    gateMode: 'filter',
    colors: {
      blue: { restUrl: 'http://orders-blue-rest:8081', gate: true },
      green: { restUrl: 'http://orders-green-rest:8081', gate: true },
    },
    ...over,
  };
  if (d.generation === 0) {
    delete d.to;
    delete d.watermark;
  }
  return renderCutoverConfigMap(d);
}

function status(s: Partial<CutoverStatus>): Record<string, string> {
  return renderCutoverStatus({
    generation: 1,
    phase: 'Pending',
    active: 'blue',
    to: 'green',
    watermark: W,
    history: [],
    updatedAt: new Date(NOW - 1000).toISOString(),
    watermarks: {},
    ...s,
  });
}

function gate(
  op: string,
  parallelism: number,
  prepared: number,
  max: number | null,
  wm: number | null,
  missing: number[] = [],
): ObservedGate {
  const subtasks = Array.from({ length: parallelism }, (_, i) => i)
    .filter((i) => !missing.includes(i))
    .map((subtask) => ({
      subtask,
      preparedGeneration: prepared,
      maxTimestampAtPrepare: max,
      gateWatermark: wm,
    }));
  return { vertexId: `v-${op}`, operator: op, parallelism, subtasks, missing };
}

function job(
  gates: ObservedGate[],
  over: Partial<{ state: 'RUNNING' | 'RESTARTING'; committedWatermark: number | null }> = {},
): ColorReport {
  return {
    ok: true,
    job: {
      jobId: 'j',
      state: over.state ?? 'RUNNING',
      gates,
      requests: 3,
      ...(over.committedWatermark !== undefined ? { committedWatermark: over.committedWatermark } : {}),
    },
  };
}

const down: ColorReport = {
  ok: false,
  problem: 'unreachable',
  message: 'GET http://orders-green-rest:8081/jobs/overview: connection refused',
};

function both(prepared: number, max: number | null, wm: number | null): Observed {
  return {
    blue: job([gate('flink-cutover-gate', 2, prepared, max, wm)]),
    green: job([gate('flink-cutover-gate', 2, prepared, max, wm)]),
  };
}

const run = (
  d: Record<string, string>,
  s: Record<string, string> | null,
  o: Observed,
  now = NOW,
  memory?: ReconcileMemory,
) =>
  reconcile(d, s, o, now, {
    desiredRef: ref,
    ...(memory ? { memory } : {}),
    options: { resyncMs: 1000, stallMs: 60_000 },
  });

describe('reconcile: transitions', () => {
  it('no cutover, no status: nothing to write, no Event, no requeue', () => {
    const r = run(desired({ generation: 0 }), null, {});
    expect(r).toMatchObject({ write: null, events: [], requeueAfterMs: null, transition: 'no-cutover' });
  });

  it('a new generation without reports: Pending written whole, CutoverPending, requeue at the resync interval', () => {
    const r = run(desired(), null, {
      blue: job([gate('flink-cutover-gate', 2, 0, null, W - 1e6)]),
      green: job([gate('flink-cutover-gate', 2, 1, 5, null, [1])]),
    });
    expect(r.write).toMatchObject({ generation: '1', phase: 'Pending' });
    expect(r.write!.reason).toBe('waiting for gate reports: blue 0/2 subtasks, green 1/2 subtasks');
    expect(r.write!.updatedAt).toBe(new Date(NOW).toISOString());
    expect(r.events).toEqual([
      {
        type: 'Normal',
        reason: 'CutoverPending',
        involvedObject: ref,
        message: expect.stringContaining(
          'generation 1 (blue -> green at W 2027-01-15T08:00:00.000Z) Pending: waiting',
        ),
      },
    ]);
    expect(r.requeueAfterMs).toBe(1000);
  });

  it('Pending, unchanged: no write, no Event', () => {
    const o = {
      blue: job([gate('flink-cutover-gate', 2, 0, null, null)]),
      green: job([gate('flink-cutover-gate', 2, 0, null, null)]),
    };
    const first = run(desired(), null, o);
    const again = run(desired(), first.write, o, NOW + 5000);
    expect(again.write).toBeNull();
    expect(again.events).toEqual([]);
    expect(again.requeueAfterMs).toBe(1000);
  });

  it('Pending -> Armed when every subtask of both gates prepared before W', () => {
    const r = run(desired(), status({}), both(1, W - 10, W - 100));
    expect(r.write).toMatchObject({ phase: 'Armed', armedAt: new Date(NOW).toISOString() });
    expect(r.events.map((e) => [e.type, e.reason])).toEqual([['Normal', 'CutoverArmed']]);
    expect(r.from).toBe('Pending');
    expect(r.requeueAfterMs).toBe(1000);
  });

  it('no status yet and every gate prepared: Armed directly (one Event)', () => {
    const r = run(desired(), null, both(1, W - 10, W - 100));
    expect(r.write?.phase).toBe('Armed');
    expect(r.events.map((e) => e.reason)).toEqual(['CutoverArmed']);
  });

  it('Pending -> Rejected naming the gate operator and subtask that had seen t >= W (several gates)', () => {
    const o: Observed = {
      blue: job([gate('flink-cutover-gate', 2, 1, W - 10, null)]),
      green: job([
        gate('flink-cutover-gate-orders', 2, 1, W - 10, null),
        {
          ...gate('flink-cutover-gate-audit', 3, 1, W - 10, null),
          subtasks: [0, 1, 2].map((subtask) => ({
            subtask,
            preparedGeneration: 1,
            maxTimestampAtPrepare: subtask === 2 ? W + 5 : W - 10,
            gateWatermark: null,
          })),
        },
      ]),
    };
    const r = run(desired(), status({}), o);
    expect(r.write?.phase).toBe('Rejected');
    expect(r.write!.reason).toMatch(
      /^green flink-cutover-gate-audit subtask 2 had already seen t=1800000000005 >= W=1800000000000/,
    );
    expect(r.events).toEqual([
      expect.objectContaining({
        type: 'Warning',
        reason: 'CutoverRejected',
        message: expect.stringContaining('flink-cutover-gate-audit subtask 2'),
      }),
    ]);
    expect(r.requeueAfterMs).toBeNull();
  });

  it('Armed, watermarks short of W + lateness: stays Armed, no phase Event', () => {
    const s = status({
      phase: 'Armed',
      armedAt: new Date(NOW - 1000).toISOString(),
      watermarks: { blue: W - 5000, green: W - 5000 },
    });
    const r = run(desired(), s, both(1, W - 10, W + 10));
    expect(r.status?.phase).toBe('Armed');
    expect(r.events).toEqual([]);
    expect(r.requeueAfterMs).toBe(1000);
  });

  it('Armed -> Completed when both watermarks reach W + lateness; then nothing is open', () => {
    const s = status({ phase: 'Armed', armedAt: new Date(NOW - 1000).toISOString() });
    const r = run(desired(), s, both(1, W - 10, W + LATENESS));
    expect(r.write).toMatchObject({
      phase: 'Completed',
      armedAt: new Date(NOW - 1000).toISOString(),
      completedAt: new Date(NOW).toISOString(),
      'blue.watermark': String(W + LATENESS),
    });
    expect(r.events.map((e) => e.reason)).toEqual(['CutoverCompleted']);
    expect(r.requeueAfterMs).toBeNull();
  });

  it('Armed and both JobManagers down: stays Armed (no regression), one JobManagerUnreachable per color', () => {
    const s = status({ phase: 'Armed', armedAt: new Date(NOW - 1000).toISOString() });
    const r = run(desired(), s, { blue: down, green: down });
    expect(r.status?.phase).toBe('Armed');
    expect(r.events.map((e) => [e.type, e.reason])).toEqual([
      ['Warning', 'JobManagerUnreachable'],
      ['Warning', 'JobManagerUnreachable'],
    ]);
    expect(r.events[1]!.message).toContain(
      'green JobManager http://orders-green-rest:8081: GET http://orders-green-rest:8081/jobs/overview: connection refused',
    );
    const again = run(desired(), r.write ?? s, { blue: down, green: down }, NOW + 1000, r.memory);
    expect(again.events).toEqual([]);
    const back = run(desired(), r.write ?? s, both(1, W - 10, W), NOW + 2000, again.memory);
    expect(back.events).toEqual([]);
    const downAgain = run(
      desired(),
      back.write ?? s,
      { blue: both(1, W - 10, W).blue, green: down },
      NOW + 3000,
      back.memory,
    );
    expect(downAgain.events.map((e) => e.reason)).toEqual(['JobManagerUnreachable']);
  });

  it('Completed and Rejected are final: no write, no Event, no requeue', () => {
    for (const phase of ['Completed', 'Rejected'] as const) {
      const s = status({
        phase,
        ...(phase === 'Completed'
          ? { armedAt: new Date(NOW).toISOString(), completedAt: new Date(NOW).toISOString() }
          : {}),
      });
      const r = run(desired(), s, both(1, W + 100, W - 100000));
      expect(r).toMatchObject({ write: null, events: [], requeueAfterMs: null, transition: 'final' });
    }
  });

  it('withdrawn while Pending: Rejected for that generation, CutoverWithdrawn', () => {
    const r = run(desired({ generation: 0 }), status({ generation: 2 }), {});
    expect(r.write).toMatchObject({ generation: '2', phase: 'Rejected' });
    expect(r.events.map((e) => [e.type, e.reason])).toEqual([['Normal', 'CutoverWithdrawn']]);
    expect(r.events[0]!.message).toMatch(/^generation 2 Rejected: generation 2 was withdrawn/);
    expect(r.requeueAfterMs).toBeNull();
  });

  it("withdrawn from git after it was armed: stays open and completes on the status's own W", () => {
    const armed = status({ phase: 'Armed', armedAt: new Date(NOW).toISOString() });
    const waiting = run(desired({ generation: 0 }), armed, both(1, W - 1, W));
    expect(waiting.status?.phase).toBe('Armed');
    expect(waiting.requeueAfterMs).toBe(1000);
    expect(observationNeeded(desired({ generation: 0 }), armed)).toBe('always');
    const done = run(
      desired({ generation: 0 }),
      waiting.write ?? armed,
      both(1, W - 1, W + LATENESS),
      NOW + 1000,
      waiting.memory,
    );
    expect(done.write).toMatchObject({ generation: '1', phase: 'Completed', watermark: String(W) });
    expect(done.events.map((e) => e.reason)).toEqual(['CutoverCompleted']);
    expect(done.requeueAfterMs).toBeNull();
  });

  it('withdrawn before any status named it: the gates still name it, Rejected', () => {
    const r = run(desired({ generation: 0 }), null, both(3, W - 1, null));
    expect(r.write).toMatchObject({ generation: '3', phase: 'Rejected' });
    expect(r.events.map((e) => e.reason)).toEqual(['CutoverWithdrawn']);
  });

  it('a status about a newer generation than git (stale read): nothing written, nothing open', () => {
    const r = run(
      desired({ generation: 1 }),
      status({ generation: 2, phase: 'Armed', armedAt: new Date(NOW).toISOString() }),
      both(1, 0, 0),
    );
    expect(r).toMatchObject({ write: null, events: [], requeueAfterMs: null, transition: 'older-desired' });
  });

  it('a rollback as generation g+1 after g Completed: a new Pending', () => {
    const s = status({
      generation: 1,
      phase: 'Completed',
      armedAt: new Date(NOW).toISOString(),
      completedAt: new Date(NOW).toISOString(),
    });
    const r = run(
      desired({ generation: 2, active: 'green', to: 'blue', watermark: W + 3_600_000 }),
      s,
      both(1, W, W + 100),
    );
    expect(r.write).toMatchObject({ generation: '2', phase: 'Pending' });
    expect(r.events.map((e) => e.reason)).toEqual(['CutoverPending']);
    expect(r.events[0]!.message).toContain('(green -> blue at W');
  });

  it('a color without a gate: Armed on the gated color alone, Completed when its committed job watermark reaches W + lateness', () => {
    const d = desired({
      colors: {
        blue: { restUrl: 'http://b:8081', gate: false },
        green: { restUrl: 'http://g:8081', gate: true },
      },
    });
    const o = (blueWm: number | null): Observed => ({
      blue: job([], { committedWatermark: blueWm }),
      green: job([gate('flink-cutover-gate', 2, 1, W - 1, W + LATENESS)]),
    });
    const armed = run(d, null, o(W - 1000));
    expect(armed.write?.phase).toBe('Armed');
    expect(armed.events.map((e) => e.reason)).toEqual(['CutoverArmed']);
    const still = run(d, armed.write, o(W + LATENESS - 1), NOW + 1000, armed.memory);
    expect(still.status?.phase).toBe('Armed');
    const done = run(d, still.write ?? armed.write, o(W + LATENESS), NOW + 2000, still.memory);
    expect(done.write?.phase).toBe('Completed');
    expect(done.write!.reason).toContain('(no gate: job watermark)');
  });
});

describe('reconcile: warnings', () => {
  it('invalid desired data: InvalidDesired once, no write, no requeue', () => {
    const bad = { ...desired(), watermark: 'soon' };
    const r = run(bad, null, {});
    expect(r.write).toBeNull();
    expect(r.events).toEqual([
      expect.objectContaining({
        type: 'Warning',
        reason: 'InvalidDesired',
        message: expect.stringContaining('/watermark'),
      }),
    ]);
    expect(r.requeueAfterMs).toBeNull();
    expect(run(bad, null, {}, NOW + 1, r.memory).events).toEqual([]);
  });

  it('an unreadable status is never overwritten: InvalidStatus', () => {
    const r = run(desired(), { generation: '1', phase: 'Armd', updatedAt: 'x' }, both(1, 0, 0));
    expect(r.write).toBeNull();
    expect(r.transition).toBe('invalid-status');
    expect(r.events.map((e) => [e.type, e.reason])).toEqual([['Warning', 'InvalidStatus']]);
  });

  it('W has passed and it is not armed: CutoverNotArmedPastWatermark once per generation', () => {
    const o = both(0, null, null);
    const before = run(
      desired(),
      status({ reason: 'waiting for gate reports: blue 0/2 subtasks, green 0/2 subtasks' }),
      o,
      W - 1,
    );
    expect(before.events).toEqual([]);
    const after = run(
      desired(),
      status({ reason: 'waiting for gate reports: blue 0/2 subtasks, green 0/2 subtasks' }),
      o,
      W,
      before.memory,
    );
    expect(after.events.map((e) => [e.type, e.reason])).toEqual([
      ['Warning', 'CutoverNotArmedPastWatermark'],
    ]);
    expect(after.events[0]!.message).toContain('waiting for gate reports');
    expect(
      run(desired(), status({}), o, W + 5000, after.memory).events.filter(
        (e) => e.reason === 'CutoverNotArmedPastWatermark',
      ),
    ).toEqual([]);
  });

  it('Armed and a watermark not moving for stallMs: CutoverWatermarkStalled once; moving again re-arms the warning', () => {
    const armed = status({ phase: 'Armed', armedAt: new Date(NOW).toISOString() });
    const o = (green: number): Observed => ({
      blue: both(1, 0, W + LATENESS).blue,
      green: job([gate('flink-cutover-gate', 2, 1, 0, green)]),
    });
    let r = run(desired(), armed, o(W), NOW);
    let s = r.write ?? armed;
    r = run(desired(), s, o(W), NOW + 59_999, r.memory);
    expect(r.events).toEqual([]);
    r = run(desired(), s, o(W), NOW + 60_000, r.memory);
    expect(r.events.map((e) => [e.type, e.reason])).toEqual([['Warning', 'CutoverWatermarkStalled']]);
    expect(r.events[0]!.message).toContain(
      "green's watermark has stayed at 2027-01-15T08:00:00.000Z for 60 s",
    );
    r = run(desired(), s, o(W), NOW + 120_000, r.memory);
    expect(r.events).toEqual([]);
    r = run(desired(), s, o(W + 1), NOW + 121_000, r.memory);
    s = r.write ?? s;
    r = run(desired(), s, o(W + 1), NOW + 181_000, r.memory);
    expect(r.events.map((e) => e.reason)).toEqual(['CutoverWatermarkStalled']);
  });

  it('a gated color whose running job has no gate operator: GateNotFound', () => {
    const r = run(desired(), null, { blue: both(1, 0, 0).blue, green: job([]) });
    expect(r.write?.phase).toBe('Pending');
    expect(r.events.map((e) => e.reason)).toEqual(['CutoverPending', 'GateNotFound']);
    expect(r.events[1]!.message).toContain('green job j has no operator named flink-cutover-gate');
  });
});

describe('observationNeeded', () => {
  it('always while open, once without a cutover, never when decided or unreadable', () => {
    expect(observationNeeded(desired(), null)).toBe('always');
    expect(
      observationNeeded(desired(), status({ phase: 'Armed', armedAt: new Date(NOW).toISOString() })),
    ).toBe('always');
    expect(observationNeeded(desired(), status({ phase: 'Rejected' }))).toBe('never');
    expect(observationNeeded(desired({ generation: 0 }), null)).toBe('once');
    expect(observationNeeded(desired({ generation: 0 }), status({ generation: 4 }))).toBe('always');
    expect(observationNeeded({ ...desired(), generation: 'x' }, null)).toBe('never');
  });
});
