import { describe, expect, it } from 'vitest';
import { bar, duration, pipelineView, relative, renderStatus } from '../../lib/controller/status-view.js';
import type { CutoverDesired, CutoverStatus } from '../../lib/gate/contract.js';
import { renderCutoverConfigMap, renderCutoverStatus } from '../../lib/gate/contract.js';

const W = Date.parse('2026-12-01T12:00:00Z');
const desired = (over: Partial<CutoverDesired> = {}) => {
  const d: CutoverDesired = {
    pipeline: 'orders',
    active: 'blue',
    generation: 3,
    to: 'green',
    watermark: W,
    lateness: 300_000,
    gateMode: 'filter',
    colors: {
      blue: { restUrl: 'http://orders-blue-rest.streaming:8081', gate: true },
      green: { restUrl: 'http://orders-green-rest.streaming:8081', gate: true },
    },
    ...over,
  };
  if (d.generation === 0) {
    delete d.to;
    delete d.watermark;
  }
  return renderCutoverConfigMap(d);
};
const status = (s: Partial<CutoverStatus>) =>
  renderCutoverStatus({
    generation: 3,
    phase: 'Pending',
    active: 'blue',
    to: 'green',
    watermark: W,
    history: [],
    updatedAt: '2026-12-01T11:50:00Z',
    watermarks: {},
    ...s,
  });

describe('status view', () => {
  it('Armed: W absolute and relative, each color watermark with its lag to W + lateness and a bar, no step allowed', () => {
    const now = W + 60_000;
    const v = pipelineView({
      namespace: 'streaming',
      desired: desired(),
      status: status({
        phase: 'Armed',
        armedAt: '2026-12-01T11:40:00.000Z',
        reason: 'every gate subtask prepared',
        watermarks: { blue: W + 300_000, green: W - 1_500_000 },
      }),
    });
    expect(v).toMatchObject({
      active: 'blue',
      standby: 'green',
      generation: 3,
      phase: 'Armed',
      watermark: W,
    });
    expect(v.colors).toEqual([
      { color: 'blue', role: 'active', gate: true, watermark: W + 300_000, lagMs: 0, progress: 1 },
      {
        color: 'green',
        role: 'standby',
        gate: true,
        watermark: W - 1_500_000,
        lagMs: 1_800_000,
        progress: 0.5,
      },
    ]);
    expect(v.next.command).toBeUndefined();
    const text = renderStatus([v], now);
    expect(text).toContain('Pipeline streaming/orders');
    expect(text).toMatch(/Phase: +Armed/);
    expect(text).toContain('  W:                2026-12-01T12:00:00.000Z (1m 0s ago)');
    expect(text).toContain(
      'blue (active):    [####################] 2026-12-01T12:05:00.000Z  reached W + lateness',
    );
    expect(text).toContain(
      'green (standby):  [##########..........] 2026-12-01T11:35:00.000Z  30m 0s behind W + lateness',
    );
    expect(text).toContain('Armed at:');
    expect(text).toMatch(/Next: +none: the cutover completes when both watermarks reach W \+ lateness/);
  });

  it('Rejected (W too late): the exact schedule command with the status file', () => {
    const v = pipelineView({
      namespace: 'streaming',
      desired: desired(),
      status: status({
        phase: 'Rejected',
        reason: 'green flink-cutover-gate subtask 1 had already seen t=...',
      }),
    });
    expect(v.next.command).toBe(
      'kubectl get configmap orders-cutover-status -n streaming -o yaml > orders-cutover-status.yaml && flink-cutover schedule orders --at +30m --namespace streaming --status orders-cutover-status.yaml',
    );
    expect(renderStatus([v], W)).toMatch(/Reason: +green flink-cutover-gate subtask 1/);
  });

  it('Pending and Rejected name cancel as the way to withdraw the cutover', () => {
    const pending = pipelineView({
      namespace: 'streaming',
      desired: desired(),
      status: status({ phase: 'Pending' }),
    });
    expect(pending.next.note).toContain(
      'flink-cutover cancel orders --namespace streaming --status orders-cutover-status.yaml',
    );
    const unknown = pipelineView({ namespace: 'streaming', desired: desired(), status: null });
    expect(unknown.next.note).toContain('flink-cutover cancel orders --namespace streaming --assume-pending');
    const rejected = pipelineView({
      namespace: 'streaming',
      desired: desired(),
      status: status({ phase: 'Rejected', reason: 'late' }),
    });
    expect(rejected.next.note).toContain(
      'withdraw the cutover: flink-cutover cancel orders --namespace streaming',
    );
  });

  it('Completed: teardown (or rollback) as the next step', () => {
    const v = pipelineView({
      namespace: 'streaming',
      desired: desired(),
      status: status({
        phase: 'Completed',
        armedAt: '2026-12-01T11:40:00Z',
        completedAt: '2026-12-01T12:06:00Z',
        watermarks: { blue: W + 300_000, green: W + 300_000 },
      }),
    });
    expect(v.next.command).toContain(
      'flink-cutover teardown orders --namespace streaming --status orders-cutover-status.yaml',
    );
    expect(v.next.note).toContain(
      'flink-cutover rollback orders --at +30m --namespace streaming --status orders-cutover-status.yaml',
    );
  });

  it('a generation without a status yet is Pending and says the controller has not decided it', () => {
    const v = pipelineView({ namespace: 'streaming', desired: desired(), status: null });
    expect(v.phase).toBe('Pending');
    expect(v.reason).toContain('the controller has not decided');
  });

  it('no cutover with a staged standby: schedule; without one: stage', () => {
    const staged = pipelineView({ namespace: 'ns', desired: desired({ generation: 0 }), status: null });
    expect(staged.phase).toBe('None');
    expect(staged.next.command).toBe('flink-cutover schedule orders --namespace ns --at +30m');
    const steady = pipelineView({
      namespace: 'ns',
      desired: desired({ generation: 0, colors: { blue: { restUrl: 'http://b:8081', gate: true } } }),
      status: null,
    });
    expect(steady.standby).toBeUndefined();
    expect(steady.next.command).toBe(
      'flink-cutover stage orders --namespace ns --image IMAGE --from-latest-checkpoint --rest http://b:8081',
    );
  });

  it('invalid data is shown as errors, not thrown', () => {
    const v = pipelineView({ namespace: 'ns', desired: { ...desired(), watermark: 'x' }, status: null });
    expect(v.errors[0]).toContain('/watermark');
    expect(renderStatus([v], W)).toContain('Error:');
    expect(renderStatus([], W)).toContain('No pipelines found');
  });

  it('helpers: relative times, durations, bars', () => {
    expect(relative(W + 250_000, W)).toBe('in 4m 10s');
    expect(relative(W - 7_500_000, W)).toBe('2h 5m ago');
    expect(relative(W + 300, W)).toBe('now');
    expect(duration(90_000_000)).toBe('1d 1h');
    expect(bar(0.25, 8)).toBe('[##......]');
    expect(bar(2, 4)).toBe('[####]');
  });
});
