import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FlinkRestClient } from '../../lib/flink/client.js';
import {
  GATE_DECISION_METRICS,
  gateFromMetrics,
  gateMetricId,
  gateMetricsContract,
  gateOperatorOf,
  observeColor,
  observeGates,
} from '../../lib/flink/gate-metrics.js';
import type { CommittedWatermarkMemory } from '../../lib/flink/gate-metrics.js';
import { FakeJobManager, GATE_METRICS, gateMetricName, hexId } from '../support/fake-jobmanager.js';

describe('gate metric names (schemas/gate-metrics.contract.json)', () => {
  it('the fake JobManager serves the ids the contract file defines', async () => {
    const contract = gateMetricsContract();
    expect(GATE_METRICS).toEqual([...GATE_DECISION_METRICS]);
    // The contract's template, filled by hand: subtask 3 of operator flink-cutover-gate-orders.
    expect(gateMetricId(3, 'flink-cutover-gate-orders', 'gateWatermark')).toBe(
      '3.flink-cutover-gate-orders.flink-cutover-gate.gateWatermark',
    );
    expect(`0.${gateMetricName('preparedGeneration')}`).toBe(
      gateMetricId(0, contract.operatorName, 'preparedGeneration'),
    );
    const fake = await FakeJobManager.start();
    try {
      fake.setGates({ preparedGeneration: 2, maxTimestampAtPrepare: null, gateWatermark: 5 });
      const listed = (await (
        await fetch(`${fake.url}/jobs/${fake.job.jid}/vertices/${fake.gateVertex().id}/metrics`)
      ).json()) as { id: string }[];
      const ids = listed.map((m) => m.id);
      for (let i = 0; i < 2; i++)
        for (const m of GATE_DECISION_METRICS)
          expect(ids).toContain(gateMetricId(i, contract.operatorName, m));
      const got = (await (
        await fetch(
          `${fake.url}/jobs/${fake.job.jid}/vertices/${fake.gateVertex().id}/metrics?get=${gateMetricId(1, contract.operatorName, 'maxTimestampAtPrepare')}`,
        )
      ).json()) as unknown;
      expect(got).toEqual([
        { id: '1.flink-cutover-gate.flink-cutover-gate.maxTimestampAtPrepare', value: contract.noValue },
      ]);
    } finally {
      await fake.close();
    }
  });

  it('finds gate operators in chained vertex names, with and without a suffix', () => {
    expect(gateOperatorOf('flink-cutover-gate -> Sink: out')).toBe('flink-cutover-gate');
    expect(gateOperatorOf('Map -> flink-cutover-gate-payments -> Sink: p')).toBe(
      'flink-cutover-gate-payments',
    );
    expect(gateOperatorOf('Map -> flink-cutover-gatekeeper')).toBeUndefined();
    expect(gateOperatorOf('Source: orders')).toBeUndefined();
  });

  it('a subtask missing one metric is missing; Long.MIN_VALUE is null', () => {
    const v = { id: 'v', name: 'flink-cutover-gate', parallelism: 3 };
    const id = (i: number, m: (typeof GATE_DECISION_METRICS)[number]) =>
      gateMetricId(i, 'flink-cutover-gate', m);
    const metrics = [
      { id: id(0, 'preparedGeneration'), value: '4' },
      { id: id(0, 'maxTimestampAtPrepare'), value: '-9223372036854775808' },
      { id: id(0, 'gateWatermark'), value: '100' },
      { id: id(1, 'preparedGeneration'), value: '4' },
      { id: id(1, 'maxTimestampAtPrepare'), value: '7' },
      { id: id(2, 'preparedGeneration'), value: '3' },
      { id: id(2, 'maxTimestampAtPrepare'), value: '9' },
      { id: id(2, 'gateWatermark'), value: '-9223372036854775808' },
    ];
    const g = gateFromMetrics(v, 'flink-cutover-gate', metrics);
    expect(g.missing).toEqual([1]);
    expect(g.subtasks).toEqual([
      { subtask: 0, preparedGeneration: 4, maxTimestampAtPrepare: null, gateWatermark: 100 },
      { subtask: 2, preparedGeneration: 3, maxTimestampAtPrepare: 9, gateWatermark: null },
    ]);
  });
});

describe('observeGates', () => {
  let fake: FakeJobManager;
  let now = 1_800_000_000_000;
  beforeEach(async () => {
    now = 1_800_000_000_000;
    fake = await FakeJobManager.start({ clock: () => now });
  });
  afterEach(async () => fake.close());

  it('reads every gate vertex in one metrics request each: 2 + gates requests per poll', async () => {
    fake.job.vertices.push({
      id: hexId('sink2'),
      name: 'flink-cutover-gate-audit -> Sink: audit',
      parallelism: 3,
    });
    fake.setGates({ preparedGeneration: 5, maxTimestampAtPrepare: 1000, gateWatermark: 900 });
    fake.setGateMetric('gateWatermark', [950, 960, 970], 'flink-cutover-gate-audit');
    fake.requests.length = 0;
    const o = await observeGates(new FlinkRestClient(fake.url), true);
    expect(o.requests).toBe(4);
    expect(fake.requests).toHaveLength(4);
    expect(fake.requests.filter((r) => r.includes('/metrics?get='))).toHaveLength(2);
    expect(o.gates.map((g) => [g.operator, g.parallelism, g.subtasks.length, g.missing])).toEqual([
      ['flink-cutover-gate', 2, 2, []],
      ['flink-cutover-gate-audit', 3, 3, []],
    ]);
    expect(o.gates[1]!.subtasks.map((s) => s.gateWatermark)).toEqual([950, 960, 970]);
  });

  it('rediscovers the job on every poll (a new job id)', async () => {
    const client = new FlinkRestClient(fake.url);
    const first = await observeGates(client, true);
    fake.restart({ newJobId: true });
    const second = await observeGates(client, true);
    expect(second.jobId).not.toBe(first.jobId);
    expect(second.jobId).toBe(fake.job.jid);
  });

  it('without a gate: the job watermark seen before the last completed checkpoint was triggered', async () => {
    const client = new FlinkRestClient(fake.url);
    const mem: CommittedWatermarkMemory = { samples: [], covered: null };
    fake.watermarkRate = 0;
    fake.setWatermark(5000);
    fake.job.checkpoints.latestCompletedAt = now - 1000; // triggered before anything was seen
    expect((await observeGates(client, false, mem)).committedWatermark).toBeNull();
    now += 10_000;
    fake.setWatermark(8000);
    fake.completeCheckpoints(); // triggered 1.2 s before now: after the 5000 sample, before the 8000 one
    const o = await observeGates(client, false, mem);
    expect(o.gates).toEqual([]);
    expect(o.committedWatermark).toBe(5000);
    expect(o.requests).toBe(4);
  });

  it('a JobManager that is down is an observation error as data', async () => {
    await fake.close();
    const o = await observeColor(new FlinkRestClient(fake.url, { retries: 0, timeoutMs: 500 }), true);
    expect(o.ok).toBe(false);
    if (!o.ok) expect(o.error.message).toMatch(/connection refused/);
    fake = await FakeJobManager.start();
  });
});
