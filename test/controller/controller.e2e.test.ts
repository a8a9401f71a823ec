/**
 * The controller end to end on the fake Kubernetes API and fake JobManagers: lifecycles and the
 * faults of issue 8, each checked for no phase regression and no lost decision.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Env } from './env.js';
import { LATENESS, NS, W, startEnv } from './env.js';
import type { RecordedRequest } from '../support/fake-kube.js';
import { FakeKube } from '../support/fake-kube.js';

let env: Env;
let kube: FakeKube;

beforeEach(async () => {
  env = await startEnv(async () => (kube = await FakeKube.start()));
});
afterEach(async () => env.close());

const ORDER = { Pending: 0, Armed: 1, Completed: 2, Rejected: 2 } as const;

/** The status writes the fake received, in order. */
function statusWrites(
  requests: readonly RecordedRequest[] = kube.writes,
): { generation: number; phase: keyof typeof ORDER; reason: string; token?: string }[] {
  return requests
    .filter(
      (r) =>
        r.path.endsWith('-cutover-status') ||
        (r.method === 'POST' &&
          r.path.endsWith('/configmaps') &&
          (r.body as { metadata?: { name?: string } })?.metadata?.name?.endsWith('-cutover-status')),
    )
    .filter((r) => r.status !== undefined && r.status < 300)
    .map((r) => {
      const data = (r.body as { data: Record<string, string> }).data;
      return {
        generation: Number(data.generation),
        phase: data.phase as keyof typeof ORDER,
        reason: data.reason ?? '',
        ...(r.token ? { token: r.token } : {}),
      };
    });
}

/** No phase regression: generations never go down; within one, phases only move forward; final stays. */
function expectNoRegression(): void {
  const writes = statusWrites();
  for (let i = 1; i < writes.length; i++) {
    const a = writes[i - 1]!;
    const b = writes[i]!;
    expect(b.generation, `write ${i}: generation went down`).toBeGreaterThanOrEqual(a.generation);
    if (a.generation === b.generation) {
      expect(ORDER[b.phase], `write ${i}: ${a.phase} -> ${b.phase}`).toBeGreaterThanOrEqual(ORDER[a.phase]);
      if (a.phase === 'Completed' || a.phase === 'Rejected') expect(b.phase).toBe(a.phase);
    }
  }
}

function phases(generation = 1): string[] {
  const out: string[] = [];
  for (const w of statusWrites())
    if (w.generation === generation && out[out.length - 1] !== w.phase) out.push(w.phase);
  return out;
}

/** The Events in the namespace, read through the API (works against any KubeHarness). */
async function events(): Promise<{ reason: string; type: string; involved: string; message: string }[]> {
  const list = await env.core.listNamespacedEvent({ namespace: NS });
  return list.items.map((e) => ({
    reason: e.reason ?? '',
    type: e.type ?? '',
    involved: `${e.involvedObject.kind}/${e.involvedObject.name}`,
    message: e.message ?? '',
  }));
}

async function armAndComplete(
  generation = 1,
  from: 'blue' | 'green' = 'blue',
  to: 'blue' | 'green' = 'green',
  w = W,
): Promise<void> {
  env.gates(from, generation, w - 1000, w - 500_000);
  env.gates(to, generation, w - 2000, w - 500_000);
  await env.untilPhase('Armed', generation);
  env.gates(from, generation, w - 1000, w + LATENESS);
  env.gates(to, generation, w - 2000, w + LATENESS + 5);
  await env.untilPhase('Completed', generation);
}

describe('controller end to end', () => {
  it('a generation appears -> gates prepare -> Armed -> watermarks pass -> Completed; writes only the status, Events and its Lease', async () => {
    await env.desired({ generation: 0 });
    const c = await env.start(
      { leaderElection: { namespace: NS, leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 100 } },
      kube.kubeconfigFor('controller'),
    );
    await env.until('ready', () => c.ready);
    await env.until('leader', () => c.isLeader);
    await env.desired({ generation: 1 });
    await env.untilPhase('Pending');
    await armAndComplete();
    expect(phases()).toEqual(['Pending', 'Armed', 'Completed']);
    const s = (await env.status())!;
    expect(s.watermarks).toEqual({ blue: W + LATENESS, green: W + LATENESS + 5 });
    expect(s.armedAt).toBeDefined();
    expect(s.completedAt).toBeDefined();
    await env.until('CutoverCompleted', async () =>
      (await events()).some((e) => e.reason === 'CutoverCompleted'),
    );
    const ev = await events();
    expect(ev.map((e) => e.reason)).toEqual(
      expect.arrayContaining(['CutoverPending', 'CutoverArmed', 'CutoverCompleted']),
    );
    expect(new Set(ev.map((e) => e.involved))).toEqual(new Set(['ConfigMap/orders-cutover']));
    // Nothing touched what git owns: the controller (its own token) wrote only its status map,
    // Events and its Lease; never <name>-cutover, never a FlinkDeployment.
    const mine = kube.writes.filter((w) => w.token === 'controller');
    expect(mine.length).toBeGreaterThan(0);
    for (const w of mine) {
      const collection = /\/(configmaps|events|leases|flinkdeployments)$/.test(w.path);
      const what = `${w.method} ${collection ? `${w.path}/${(w.body as { metadata: { name: string } }).metadata.name}` : w.path}`;
      expect(what, what).toMatch(
        /^(POST|PUT) (\/api\/v1\/namespaces\/streaming\/configmaps\/orders-cutover-status|\/api\/v1\/namespaces\/streaming\/events\/orders-cutover\.[0-9a-f]+|\/apis\/coordination\.k8s\.io\/v1\/namespaces\/streaming\/leases\/flink-cutover-controller)$/,
      );
    }
    expect(new Set(mine.map((w) => w.method))).toEqual(new Set(['POST', 'PUT']));
    expectNoRegression();
    // Closed: no more JobManager requests once Completed.
    const before = env.blue.requests.length + env.green.requests.length;
    await env.desired({ generation: 1, lateness: LATENESS }); // a no-op change re-queues the key
    await env.until('reconciled again', () => c.reconciles > 0 && c.queue.length === 0);
    expect(env.blue.requests.length + env.green.requests.length).toBe(before);
  });

  it('a W committed too late: Rejected naming the subtask', async () => {
    await env.desired({ generation: 1 });
    await env.start();
    env.gates('blue', 1, W - 10, W - 500_000);
    env.green.setGateMetric('preparedGeneration', [1, 1]);
    env.green.setGateMetric('maxTimestampAtPrepare', [W - 5, W + 42]);
    const s = await env.untilPhase('Rejected');
    expect(s.reason).toMatch(
      /^green flink-cutover-gate subtask 1 had already seen t=1800000000042 >= W=1800000000000/,
    );
    await env.until('CutoverRejected', async () =>
      (await events()).some((e) => e.reason === 'CutoverRejected'),
    );
    expect((await events()).find((e) => e.reason === 'CutoverRejected')).toMatchObject({
      type: 'Warning',
      message: expect.stringContaining('green flink-cutover-gate subtask 1'),
    });
    expectNoRegression();
  });

  it('withdrawn while Pending: Rejected', async () => {
    await env.desired({ generation: 1 });
    await env.start();
    await env.untilPhase('Pending');
    env.gates('blue', 1, W - 10, null); // one gate prepared, the other not yet
    await env.desired({ generation: 0 });
    const s = await env.untilPhase('Rejected');
    expect(s.reason).toContain('withdrawn');
    await env.until('CutoverWithdrawn', async () =>
      (await events()).some((e) => e.reason === 'CutoverWithdrawn'),
    );
    expectNoRegression();
  });

  it('rollback as generation g+1 after g Completed', async () => {
    await env.desired({ generation: 1 });
    await env.start();
    await armAndComplete(1);
    const W2 = W + 3_600_000;
    await env.desired({ generation: 2, active: 'green', to: 'blue', watermark: W2 });
    await env.untilPhase('Pending', 2);
    await armAndComplete(2, 'green', 'blue', W2);
    expect(phases(2)).toEqual(['Pending', 'Armed', 'Completed']);
    // The rollback continues the handover chain: generation 1's handover is in its history.
    const s2 = (await env.status())!;
    expect(s2).toMatchObject({ generation: 2, active: 'green', to: 'blue', watermark: W2 });
    expect(s2.history).toEqual([{ generation: 1, active: 'blue', to: 'green', watermark: W }]);
    expectNoRegression();
  });
});

describe('controller HTTP: /metrics, /healthz, /readyz', () => {
  it('the leader reports phase, watermarks and distance to W + lateness; a standby is ready and not leader', async () => {
    await env.desired({ generation: 1 });
    const le = { namespace: NS, leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 100 };
    const a = await env.start({
      metricsPort: 0,
      metricsHost: '127.0.0.1',
      leaderElection: { ...le, identity: 'a' },
    });
    await env.until('a leads', () => a.isLeader);
    const b = await env.start({
      metricsPort: 0,
      metricsHost: '127.0.0.1',
      leaderElection: { ...le, identity: 'b' },
    });
    env.gates('blue', 1, W - 1000, W + LATENESS - 4000);
    env.gates('green', 1, W - 1000, W + LATENESS - 9000);
    await env.untilPhase('Armed');
    const get = async (c: typeof a, path: string) => {
      const r = await fetch(`http://127.0.0.1:${c.port}${path}`);
      return { status: r.status, text: await r.text() };
    };
    await env.until('b ready', async () => (await get(b, '/readyz')).status === 200);
    expect((await get(b, '/readyz')).text).toContain('standby');
    expect((await get(a, '/readyz')).text).toContain('leader');
    expect((await get(a, '/healthz')).status).toBe(200);
    const m = await env.until('armed metrics', async () => {
      const t = (await get(a, '/metrics')).text;
      return t.includes(
        'flink_cutover_watermark_distance_milliseconds{namespace="streaming",pipeline="orders",color="green"} 9000',
      )
        ? t
        : undefined;
    });
    expect(m).toContain(
      'flink_cutover_phase{namespace="streaming",pipeline="orders",generation="1",phase="Armed"} 1',
    );
    expect(m).not.toContain('phase="Pending"} 1');
    expect(m).toContain(
      `flink_cutover_gate_watermark_milliseconds{namespace="streaming",pipeline="orders",color="blue"} ${W + LATENESS - 4000}`,
    );
    expect(m).toContain('flink_cutover_leader 1');
    expect(m).toMatch(/flink_cutover_commit_to_armed_seconds_count\{namespace="streaming"\} 1/);
    expect(m).toMatch(/flink_cutover_reconcile_duration_seconds_count [1-9]/);
    const standby = (await get(b, '/metrics')).text;
    expect(standby).toContain('flink_cutover_leader 0');
    expect((await get(a, '/nope')).status).toBe(404);
  });
});

describe('controller faults: no phase regression, no lost decision', () => {
  it('watch dropped mid-stream: the next change is still seen', async () => {
    await env.desired({ generation: 0 });
    const c = await env.start();
    await env.until('watching', () => c.ready && kube.watchCount > 0);
    kube.dropWatches();
    await env.desired({ generation: 1 });
    await env.untilPhase('Pending');
    await armAndComplete();
    expect(kube.requests.filter((r) => r.query.includes('watch=true')).length).toBeGreaterThanOrEqual(2);
    expectNoRegression();
  });

  it('410 Gone after compaction: re-lists and sees the change', async () => {
    await env.desired({ generation: 0 });
    const c = await env.start();
    await env.until('watching', () => c.ready && kube.watchCount > 0);
    const lists = () =>
      kube.requests.filter(
        (r) => r.method === 'GET' && r.path.endsWith('/configmaps') && !r.query.includes('watch=true'),
      ).length;
    const before = lists();
    await env.desired({ generation: 1 });
    kube.compact();
    kube.dropWatches(); // the re-watch from the last resourceVersion now gets 410
    await env.untilPhase('Pending');
    await env.until('re-listed', () => lists() > before);
    await armAndComplete();
    expectNoRegression();
  });

  it('a watch that stalls silently: the re-list timer catches the change; bookmarks keep the resourceVersion fresh', async () => {
    await env.desired({ generation: 0 });
    const c = await env.start({ relistMs: 300 });
    await env.until('watching', () => c.ready && kube.watchCount > 0);
    kube.bookmark();
    kube.stallWatches();
    await env.desired({ generation: 1 });
    await env.untilPhase('Pending');
    await armAndComplete();
    expectNoRegression();
  });

  it('409 on a stale resourceVersion: re-reads and decides again', async () => {
    await env.desired({ generation: 1 });
    let bumped = 0;
    kube.onRequest = (r) => {
      // Someone else modifies the status between the controller's read and its write, twice.
      if (r.method === 'PUT' && r.path.endsWith('/orders-cutover-status') && bumped < 2) {
        bumped++;
        const cur = kube.get('configmaps', NS, 'orders-cutover-status')!;
        kube.put('configmaps', {
          ...cur,
          metadata: { ...cur.metadata, annotations: { touched: String(bumped) } },
        });
      }
    };
    await env.start();
    await env.untilPhase('Pending');
    await armAndComplete();
    expect(kube.requests.filter((r) => r.status === 409).length).toBeGreaterThanOrEqual(1);
    expectNoRegression();
  });

  it('API 5xx and timeouts: retried with backoff, the cutover completes', async () => {
    await env.desired({ generation: 1 });
    kube.fault({ method: 'GET', path: /\/configmaps$/, status: 503, times: 2 }); // the first lists
    kube.fault({ method: 'GET', path: /orders-cutover-status$/, status: 500, times: 3 });
    kube.fault({ method: 'PUT', path: /orders-cutover-status$/, delayMs: 1500, times: 1 }); // > apiTimeoutMs
    await env.start({ apiTimeoutMs: 500 });
    await env.untilPhase('Pending');
    await armAndComplete();
    expect(env.logs.some((l) => l.kind === 'server')).toBe(true);
    expect(env.logs.some((l) => l.kind === 'timeout')).toBe(true);
    expectNoRegression();
  });

  it('JobManager down, slow, then with a new job id: Armed holds, then Completed', async () => {
    await env.desired({ generation: 1 });
    await env.start();
    env.gates('blue', 1, W - 1000, W - 500_000);
    env.gates('green', 1, W - 1000, W - 500_000);
    await env.untilPhase('Armed');
    env.green.fault({ path: /.*/, hangUp: true });
    env.gates('blue', 1, W - 1000, W + LATENESS);
    await env.until('JobManagerUnreachable', async () =>
      (await events()).some((e) => e.reason === 'JobManagerUnreachable'),
    );
    env.green.clearFaults();
    env.green.fault({ path: /metrics$/, delayMs: 1500 }); // slower than the 1 s timeout
    await env.until('a timeout logged', () => env.logs.some((l) => l.kind === 'timeout'));
    expect((await env.status())!.phase).toBe('Armed');
    env.green.clearFaults();
    env.green.restart({ newJobId: true });
    env.gates('green', 1, W - 1000, W + LATENESS); // the restored gate reports again
    await env.untilPhase('Completed');
    expectNoRegression();
  });

  it('controller killed mid-cutover and restarted: continues from the status, never back to Pending', async () => {
    await env.desired({ generation: 1 });
    const first = await env.start();
    await env.untilPhase('Pending');
    await first.kill();
    env.gates('blue', 1, W - 1000, W - 500_000);
    env.gates('green', 1, W - 1000, W - 500_000);
    const second = await env.start();
    await env.untilPhase('Armed');
    await second.kill();
    env.gates('blue', 1, W - 1000, W + LATENESS);
    env.gates('green', 1, W - 1000, W + LATENESS);
    await env.start();
    await env.untilPhase('Completed');
    expect(phases()).toEqual(['Pending', 'Armed', 'Completed']);
    expectNoRegression();
  });

  it('two replicas: exactly one writes; kill the leader and the other takes over', async () => {
    await env.desired({ generation: 1 });
    const le = { namespace: NS, leaseDurationMs: 1000, renewDeadlineMs: 700, retryPeriodMs: 100 };
    const a = await env.start({ leaderElection: { ...le, identity: 'a' } }, kube.kubeconfigFor('replica-a'));
    await env.until('a leads', () => a.isLeader);
    const b = await env.start({ leaderElection: { ...le, identity: 'b' } }, kube.kubeconfigFor('replica-b'));
    await env.until('b ready', () => b.ready);
    await env.untilPhase('Pending');
    env.gates('blue', 1, W - 1000, W - 500_000);
    env.gates('green', 1, W - 1000, W - 500_000);
    await env.untilPhase('Armed');
    expect(b.isLeader).toBe(false);
    const byToken = (t: string) => kube.writes.filter((w) => w.token === t && !w.path.includes('/leases'));
    expect(byToken('replica-b')).toEqual([]);
    await a.kill(); // no release: b must wait for the lease to expire
    const killedAt = kube.requests.length;
    await env.until('b leads', () => b.isLeader);
    const lease = kube.get('leases', NS, 'flink-cutover-controller', 'coordination.k8s.io')!;
    expect(lease.spec.holderIdentity).toBe('b');
    expect(lease.spec.leaseTransitions).toBe(1);
    env.gates('blue', 1, W - 1000, W + LATENESS);
    env.gates('green', 1, W - 1000, W + LATENESS);
    await env.untilPhase('Completed');
    const after = kube.requests
      .slice(killedAt)
      .filter((w) => w.method !== 'GET' && !w.path.includes('/leases'));
    expect(after.length).toBeGreaterThan(0);
    expect(new Set(after.map((w) => w.token))).toEqual(new Set(['replica-b']));
    expect(
      statusWrites()
        .filter((w) => w.token === 'replica-a')
        .every((w) => w.phase !== 'Completed'),
    ).toBe(true);
    expectNoRegression();
  });
});
