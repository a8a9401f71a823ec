import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../lib/cli/main.js';
import type { Env } from '../controller/env.js';
import { LATENESS, NS, W, startEnv } from '../controller/env.js';
import { runCli } from '../support/cli.js';
import { FakeKube } from '../support/fake-kube.js';

let env: Env;
let kube: FakeKube;
beforeEach(async () => {
  env = await startEnv(async () => (kube = await FakeKube.start()));
});
afterEach(async () => env.close());

describe('flink-cutover controller', () => {
  it('runs a cutover to Completed, logs JSON lines per phase change, and releases its Lease on SIGTERM', async () => {
    await env.desired({ generation: 1 });
    let out = '';
    const io = {
      out: (t: string) => void (out += t),
      err: (t: string) => void (out += t),
      cwd: process.cwd(),
      env: { POD_NAME: 'cli-replica' },
    };
    const done = run(
      [
        'controller',
        '--kubeconfig',
        kube.kubeconfigPath,
        '--namespace',
        NS,
        '--interval',
        '50ms',
        '--metrics-port',
        '0',
        '--leader-elect',
        '--lease-duration',
        '2s',
        '--renew-deadline',
        '1s',
        '--retry-period',
        '100ms',
      ],
      io,
    );
    await env.untilPhase('Pending');
    env.gates('blue', 1, W - 1, W + LATENESS);
    env.gates('green', 1, W - 1, W + LATENESS);
    await env.untilPhase('Completed');
    await env.until('the Completed log line', () => out.includes('"phase":"Completed"'));
    process.emit('SIGTERM', 'SIGTERM');
    expect(await done).toBe(0);
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const phases = lines.filter((l) => l.msg === 'phase').map((l) => l.phase);
    expect(phases[phases.length - 1]).toBe('Completed');
    expect(lines.some((l) => l.msg === 'started leading')).toBe(true);
    expect(lines[lines.length - 1]).toMatchObject({ msg: 'stopped' });
    // Released: the holder is cleared, so another replica takes over without waiting.
    const lease = kube.get('leases', NS, 'flink-cutover-controller', 'coordination.k8s.io')!;
    expect(lease.spec.holderIdentity ?? '').toBe('');
  });

  it('usage errors exit 2 with a clear message', async () => {
    const r = await runCli([
      'controller',
      '--namespace',
      'a',
      '--all-namespaces',
      '--kubeconfig',
      kube.kubeconfigPath,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--namespace and --all-namespaces exclude each other');
    const bad = await runCli(['controller', '--kubeconfig', '/nonexistent/kubeconfig']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--kubeconfig /nonexistent/kubeconfig: no such file');
    const outside = await runCli(['controller']);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain(
      'not running in a pod (no KUBERNETES_SERVICE_HOST): pass --kubeconfig FILE',
    );
    const help = await runCli(['controller', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--leader-elect');
  });
});

describe('flink-cutover status', () => {
  it('shows the pipeline as the cluster has it, in text and JSON', async () => {
    await env.desired({ generation: 1 });
    await env.start();
    env.gates('blue', 1, W - 1, W - 120_000);
    env.gates('green', 1, W - 1, W - 1_800_000);
    await env.untilPhase('Armed');
    const text = await runCli(['status', '--kubeconfig', kube.kubeconfigPath, '--namespace', NS]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`Pipeline ${NS}/orders`);
    expect(text.stdout).toMatch(/Phase: +Armed/);
    expect(text.stdout).toMatch(/green \(standby\): +\[#{10}\.{10}\] .* 31m 0s behind W \+ lateness/);
    const json = await runCli([
      'status',
      'orders',
      '--kubeconfig',
      kube.kubeconfigPath,
      '-A',
      '--format',
      'json',
    ]);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as {
      pipelines: { phase: string; colors: { color: string; lagMs: number }[] }[];
    };
    expect(parsed.pipelines).toHaveLength(1);
    expect(parsed.pipelines[0]!.phase).toBe('Armed');
    expect(parsed.pipelines[0]!.colors.map((c) => [c.color, c.lagMs])).toEqual([
      ['blue', 180_000],
      ['green', 1_860_000],
    ]);
  });

  it('--watch redraws when the status changes and ends on SIGINT', async () => {
    await env.desired({ generation: 1 });
    await env.start();
    await env.untilPhase('Pending');
    let out = '';
    const io = {
      out: (t: string) => void (out += t),
      err: (t: string) => void (out += t),
      cwd: process.cwd(),
      env: {},
    };
    const done = run(
      [
        'status',
        '--watch',
        '--format',
        'json',
        '--interval',
        '50ms',
        '--kubeconfig',
        kube.kubeconfigPath,
        '--namespace',
        NS,
      ],
      io,
    );
    await env.until('first screen', () => out.includes('"phase": "Pending"'));
    env.gates('blue', 1, W - 1, W - 1000);
    env.gates('green', 1, W - 1, W - 1000);
    await env.until('redrawn as Armed', () => out.includes('"phase": "Armed"'));
    process.emit('SIGINT', 'SIGINT');
    expect(await done).toBe(0);
    const raw = out
      .split(/\n(?=\{)/)
      .filter((x) => x.startsWith('{'))
      .map((x) => JSON.stringify(JSON.parse(x)));
    // A screen per change, never the same one twice in a row.
    expect(raw.filter((x, i) => i > 0 && x === raw[i - 1])).toEqual([]);
    const screens = raw.map((x) => (JSON.parse(x) as { pipelines: { phase: string }[] }).pipelines[0]!.phase);
    expect(screens[0]).toBe('Pending');
    expect(screens[screens.length - 1]).toBe('Armed');
  });

  it('a pipeline that does not exist: exit 1 naming it', async () => {
    const r = await runCli(['status', 'nope', '--kubeconfig', kube.kubeconfigPath, '--namespace', NS]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no desired ConfigMap for pipeline nope in namespace streaming');
  });
});
