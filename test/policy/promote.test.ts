import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/pipelines.js';
import { git } from '../support/git.js';

const SPEC = `# orders: enriched orders, owned by payments.
apiVersion: flink-cutover.dev/v1alpha1
kind: BlueGreenPipeline
metadata:
  name: orders
  namespace: streaming
spec:
  active: blue
  colors:
    blue:
      image: reg/orders:1.4.2 # the running version
  template:
    flinkVersion: v1_20 # the operator's spelling
    flinkConfiguration:
      state.checkpoints.dir: s3://b/chk/{{pipeline}}/{{color}}
      # savepoints per color
      state: {savepoints.dir: "s3://b/sp/{{pipeline}}/{{color}}"}
    job: {jarURI: local:///opt/flink/usrlib/orders.jar, parallelism: 4, upgradeMode: savepoint}
  gate: {mode: filter, lateness: 5m}
  policy: {minLeadTime: 15m, teardownDelay: 30m}
  sources:
    - {name: in, kind: kafka, consumerGroup: "orders-{{color}}"}
  sinks:
    - {name: out, kind: kafka, deliveryGuarantee: exactly-once, transactionalIdPrefix: "orders-{{color}}"}
`;

const T0 = Date.parse('2026-12-01T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const H = 3_600_000;

function repo(spec = SPEC): string {
  const dir = tempDir({ 'p/orders.yaml': spec }, 'fc-promote-');
  git(dir, 'init', '-q');
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'steady');
  return dir;
}

function statusFile(dir: string, data: Record<string, string>): string {
  const path = join(dir, 'status.json');
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'orders-cutover-status', namespace: 'streaming' },
          data,
        },
      ],
    }),
  );
  return path;
}

/** Runs a promotion command, commits it, runs check against the previous commit; returns check's JSON. */
async function step(dir: string, argv: string[], now: number, status?: string) {
  const extra = status ? ['--status', status] : [];
  const r = await runCli([...argv, '--pipelines', 'p', '--now', iso(now), ...extra], { cwd: dir });
  expect(r.stderr, argv.join(' ')).not.toMatch(/refused/);
  expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(0);
  git(dir, 'commit', '-q', '-am', argv.join(' '));
  const c = await runCli(
    ['check', '--head', 'p', '--base-ref', 'HEAD~1', '--now', iso(now), '--format', 'json', ...extra],
    { cwd: dir },
  );
  const j = JSON.parse(c.stdout) as {
    results: { ruleId: string; severity: string; message: string }[];
    summary: { errors: number };
  };
  expect(
    j.results.filter((x) => x.severity === 'error'),
    argv.join(' '),
  ).toEqual([]);
  expect(c.code).toBe(0);
  return { out: r.stdout, check: j, text: readFileSync(join(dir, 'p/orders.yaml'), 'utf8') };
}

/** Stage green of orders in folder p, and schedule it an hour after T0. */
const STAGE = [
  'stage',
  'orders',
  '--pipelines',
  'p',
  '--image',
  'reg/orders:1.5.0',
  '--from-savepoint',
  's3://x',
];
const SCHEDULE = ['schedule', 'orders', '--pipelines', 'p', '--at', '+1h', '--now', iso(T0)];

describe('promotion lifecycle over a git repository', () => {
  it('Steady → Staged → Cutover → Steady, then rollback and abandon, each step passing check', async () => {
    const dir = repo();
    const s1 = await step(
      dir,
      ['stage', 'orders', '--image', 'reg/orders:1.5.0', '--from-savepoint', 's3://b/chk/orders/blue/chk-7'],
      T0,
    );
    expect(s1.out).toMatch(/PR title: orders: stage green \(reg\/orders:1\.5\.0\)/);
    expect(s1.text).toContain(
      '    green:\n      image: reg/orders:1.5.0\n      initialSavepointPath: s3://b/chk/orders/blue/chk-7\n',
    );

    const plan = await runCli(['plan', '--head', 'p', '--base-ref', 'HEAD~1', '--now', iso(T0)], {
      cwd: dir,
    });
    expect(plan.stdout).toMatch(
      /orders: stage green \(reg\/orders:1\.5\.0\) from s3:\/\/b\/chk\/orders\/blue\/chk-7/,
    );
    expect(plan.stdout).toMatch(/\+ FlinkDeployment streaming\/orders-green \(added\)/);

    const s2 = await step(dir, ['schedule', 'orders', '--at', '+18h'], T0);
    expect(s2.text).toContain('  cutover: {generation: 1, to: green, watermark: "2026-12-02T04:00:00Z"}\n');
    const plan2 = await runCli(['plan', '--head', 'p', '--base-ref', 'HEAD~1', '--now', iso(T0)], {
      cwd: dir,
    });
    expect(plan2.stdout).toMatch(
      /orders: schedule cutover #1 blue → green at 2026-12-02T04:00:00Z, 18h after now/,
    );

    const done1 = statusFile(dir, {
      generation: '1',
      phase: 'Completed',
      completedAt: '2026-12-02T04:10:00Z',
    });
    const s3 = await step(dir, ['teardown', 'orders'], T0 + 19 * H, done1);
    expect(s3.text).not.toContain('blue:');
    expect(s3.text).toContain('  active: green\n');
    expect(s3.text).toContain('flink-cutover.dev/last-generation: "1"');

    // Second promotion, rolled back after it completed.
    const T1 = T0 + 24 * H;
    await step(
      dir,
      ['stage', 'orders', '--image', 'reg/orders:1.6.0', '--from-savepoint', 's3://b/chk/orders/green/chk-9'],
      T1,
    );
    const s5 = await step(dir, ['schedule', 'orders', '--at', '+1h'], T1);
    expect(s5.text).toMatch(/cutover: \{generation: 2, to: blue, watermark: "2026-12-02T11:00:00Z"\}/);
    const done2 = statusFile(dir, {
      generation: '2',
      phase: 'Completed',
      armedAt: '2026-12-02T10:30:00Z',
      completedAt: '2026-12-02T11:10:00Z',
    });
    const s6 = await step(dir, ['rollback', 'orders', '--at', '+30m'], T1 + 2 * H, done2);
    expect(s6.text).toMatch(/active: blue/);
    expect(s6.text).toMatch(/cutover: \{generation: 3, to: green, watermark: "2026-12-02T12:30:00Z"\}/);
    const done3 = statusFile(dir, {
      generation: '3',
      phase: 'Completed',
      completedAt: '2026-12-02T12:40:00Z',
    });
    const s7 = await step(dir, ['teardown', 'orders'], T1 + 4 * H, done3);
    expect(s7.text).toContain('  active: green\n');
    expect(s7.text).toContain('image: reg/orders:1.5.0');
    expect(s7.text).toContain('flink-cutover.dev/last-generation: "3"');

    // Third promotion, abandoned.
    const T2 = T1 + 48 * H;
    await step(
      dir,
      [
        'stage',
        'orders',
        '--image',
        'reg/orders:1.7.0-rc1',
        '--from-savepoint',
        's3://b/chk/orders/green/chk-12',
      ],
      T2,
    );
    const s9 = await step(dir, ['abandon', 'orders'], T2);
    expect(s9.text).not.toContain('1.7.0-rc1');

    // Comments and formatting survived every edit.
    for (const keep of [
      '# orders: enriched orders, owned by payments.',
      "# the operator's spelling",
      '# savepoints per color',
      'state: {savepoints.dir: "s3://b/sp/{{pipeline}}/{{color}}"}',
      '  gate: {mode: filter, lateness: 5m}',
      '    - {name: in, kind: kafka, consumerGroup: "orders-{{color}}"}',
    ]) {
      expect(s9.text).toContain(keep);
    }
    expect(git(dir, 'log', '--oneline').trim().split('\n')).toHaveLength(10);
  });

  it('check refuses two steps committed together', async () => {
    const dir = repo();
    await step(dir, ['stage', 'orders', '--image', 'reg/orders:1.5.0', '--from-savepoint', 's3://x'], T0);
    await step(dir, ['schedule', 'orders', '--at', '+1h'], T0);
    const c = await runCli(['check', '--head', 'p', '--base-ref', 'HEAD~2', '--now', iso(T0)], { cwd: dir });
    expect(c.code).toBe(1);
    expect(c.stdout).toMatch(/one-step/);
    expect(c.stdout).toMatch(/cutover-target/);
  });
});

describe('promotion refusals', () => {
  it('refuses a step illegal from the current state, writing nothing', async () => {
    const dir = repo();
    const before = readFileSync(join(dir, 'p/orders.yaml'), 'utf8');
    for (const argv of [
      ['schedule', 'orders', '--at', '+1h'],
      ['teardown', 'orders'],
      ['rollback', 'orders', '--at', '+1h'],
      ['abandon', 'orders'],
    ]) {
      const r = await runCli([...argv, '--pipelines', 'p'], { cwd: dir });
      expect(r.code, argv[0]).toBe(1);
      expect(r.stderr).toMatch(/refused: orders is Steady/);
    }
    expect(readFileSync(join(dir, 'p/orders.yaml'), 'utf8')).toBe(before);
  });
  it('refuses an edit that would fail check (lead time, missing state), writing nothing', async () => {
    const dir = repo();
    const noState = await runCli(['stage', 'orders', '--pipelines', 'p', '--image', 'reg/orders:1.5.0'], {
      cwd: dir,
    });
    expect(noState.code).toBe(1);
    expect(noState.stderr).toMatch(/missing-initial-state/);
    await runCli(
      ['stage', 'orders', '--pipelines', 'p', '--image', 'reg/orders:1.5.0', '--from-savepoint', 's3://x'],
      { cwd: dir },
    );
    git(dir, 'commit', '-qam', 'stage');
    const soon = await runCli(['schedule', 'orders', '--pipelines', 'p', '--at', '+5m', '--now', iso(T0)], {
      cwd: dir,
    });
    expect(soon.code).toBe(1);
    expect(soon.stderr).toMatch(/cutover-lead-time.*only 5m after now/);
    expect(readFileSync(join(dir, 'p/orders.yaml'), 'utf8')).not.toContain('cutover:');
  });
  it('refuses a teardown before the cutover completed', async () => {
    const dir = repo();
    await runCli(
      ['stage', 'orders', '--pipelines', 'p', '--image', 'reg/orders:1.5.0', '--from-savepoint', 's3://x'],
      { cwd: dir },
    );
    git(dir, 'commit', '-qam', 'stage');
    await runCli(['schedule', 'orders', '--pipelines', 'p', '--at', '+1h', '--now', iso(T0)], { cwd: dir });
    git(dir, 'commit', '-qam', 'schedule');
    const st = statusFile(dir, { generation: '1', phase: 'Armed' });
    const r = await runCli(
      ['teardown', 'orders', '--pipelines', 'p', '--status', st, '--now', iso(T0 + 2 * H)],
      { cwd: dir },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/teardown-before-complete.*cutover #1 is Armed/);
  });
  it('without --status a teardown is refused; --allow-unknown-status lets it through as a warning', async () => {
    const dir = repo();
    await runCli(
      ['stage', 'orders', '--pipelines', 'p', '--image', 'reg/orders:1.5.0', '--from-savepoint', 's3://x'],
      { cwd: dir },
    );
    git(dir, 'commit', '-qam', 'stage');
    await runCli(['schedule', 'orders', '--pipelines', 'p', '--at', '+1h', '--now', iso(T0)], { cwd: dir });
    git(dir, 'commit', '-qam', 'schedule');
    const before = readFileSync(join(dir, 'p/orders.yaml'), 'utf8');
    const args = ['teardown', 'orders', '--pipelines', 'p', '--no-synth', '--now', iso(T0 + 2 * H)];
    const refused = await runCli(args, { cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/error \[teardown-before-complete\]/);
    expect(readFileSync(join(dir, 'p/orders.yaml'), 'utf8')).toBe(before);

    const both = await runCli([...args, '--allow-unknown-status', '--status', 'x.yaml'], { cwd: dir });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--allow-unknown-status and --status contradict/);

    const allowed = await runCli([...args, '--allow-unknown-status'], { cwd: dir });
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stderr).toMatch(/warning \[teardown-before-complete\]/);
    expect(readFileSync(join(dir, 'p/orders.yaml'), 'utf8')).not.toContain('blue:');
  });
  it.each([
    [['stage', 'orders'], /stage needs --image/],
    [
      ['stage', 'orders', '--image', 'x', '--from-latest-checkpoint'],
      /--from-latest-checkpoint needs --rest/,
    ],
    [['stage', 'orders', '--image', 'x', '--set', 'novalue'], /--set novalue: use key=value/],
    [['schedule', 'orders'], /schedule needs --at/],
    [['schedule', 'orders', '--at', 'tomorrow'], /--at tomorrow: use an ISO-8601 date-time/],
    [['schedule', 'orders', '--at', '+1y'], /--at \+1y: "1y" is not a duration/],
    [['abandon', 'shipments'], /no pipeline named shipments in p \(pipelines: orders\)/],
    [['abandon', 'orders', '--pipelines', 'nope'], /--pipelines nope: cannot read pipelines folder/],
  ])('usage error %j', async (argv, message) => {
    const dir = repo();
    const r = await runCli(argv.includes('--pipelines') ? argv : [...argv, '--pipelines', 'p'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
  it('--set overrides fields of the new color, keeping Flink keys whole', async () => {
    const dir = repo();
    const r = await runCli(
      [
        'stage',
        'orders',
        '--pipelines',
        'p',
        '--image',
        'i:2',
        '--from-savepoint',
        's3://x',
        '--set',
        'flinkConfiguration.taskmanager.numberOfTaskSlots=4',
        '--set',
        'taskManager.resource.memory=8192m',
        '--dry-run',
      ],
      { cwd: dir },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^would edit .*orders\.yaml/);
    expect(r.stdout).toContain('flinkConfiguration.taskmanager.numberOfTaskSlots="4"');
    expect(readFileSync(join(dir, 'p/orders.yaml'), 'utf8')).not.toContain('green');
  });
  it('edits only its document in a multi-document file', async () => {
    const other = SPEC.replace('name: orders', 'name: shipments').replace(/^# .*\n/, '');
    const dir = repo(`${SPEC}---\n${other}`);
    const r = await runCli(
      ['stage', 'shipments', '--pipelines', 'p', '--image', 'reg/shipments:2', '--from-savepoint', 's3://x'],
      { cwd: dir },
    );
    expect(r.code).toBe(0);
    const text = readFileSync(join(dir, 'p/orders.yaml'), 'utf8');
    expect(text.startsWith(SPEC + '---\n')).toBe(true);
    expect(text.split('reg/shipments:2')).toHaveLength(2);
  });
});

describe('schedule after a rejected cutover', () => {
  it('reschedules as the next generation, passing check with the Rejected status; refused once Armed', async () => {
    const dir = repo();
    await step(dir, ['stage', 'orders', '--image', 'reg/orders:1.5.0', '--from-savepoint', 's3://x'], T0);
    await step(dir, ['schedule', 'orders', '--at', '+1h'], T0);
    const armed = statusFile(dir, { generation: '1', phase: 'Armed', armedAt: iso(T0 + H / 2) });
    const refused = await runCli(
      ['schedule', 'orders', '--pipelines', 'p', '--at', '+3h', '--now', iso(T0 + H), '--status', armed],
      { cwd: dir },
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/lifecycle-transition.*cutover #1 is Armed; rescheduling/);
    const rejected = statusFile(dir, {
      generation: '1',
      phase: 'Rejected',
      reason: 'green subtask 2 saw 11:00:03 before it prepared',
    });
    const s = await step(dir, ['schedule', 'orders', '--at', '+3h'], T0 + H, rejected);
    expect(s.out).toMatch(/PR title: orders: reschedule cutover blue → green as #2 at 2026-12-01T14:00:00Z/);
    expect(s.text).toContain('  cutover: {generation: 2, to: green, watermark: "2026-12-01T14:00:00Z"}\n');
  });
});

describe('schedule with the clock as now', () => {
  it('counts whole seconds: --at +2h is 2h after now, not 2h0s231ms', async () => {
    const dir = repo();
    await runCli(
      ['stage', 'orders', '--pipelines', 'p', '--image', 'reg/orders:1.5.0', '--from-savepoint', 's3://x'],
      { cwd: dir },
    );
    git(dir, 'commit', '-qam', 'stage');
    const r = await runCli(
      ['schedule', 'orders', '--pipelines', 'p', '--at', '+2h', '--now', '2026-12-01T10:00:00.231Z'],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('That is 2h after 2026-12-01T10:00:00Z');
    expect(readFileSync(join(dir, 'p/orders.yaml'), 'utf8')).toContain('watermark: "2026-12-01T12:00:00Z"');
  });
});

describe('file conventions', () => {
  it('keeps CRLF line endings and a byte-order mark: the diff is only the edit', async () => {
    const crlf = '\uFEFF' + SPEC.replace(/\n/g, '\r\n');
    const dir = repo(crlf);
    const r = await runCli(
      ['stage', 'orders', '--pipelines', 'p', '--image', 'reg/orders:1.5.0', '--from-savepoint', 's3://x'],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    const after = readFileSync(join(dir, 'p/orders.yaml'), 'utf8');
    const added = '    green:\r\n      image: reg/orders:1.5.0\r\n      initialSavepointPath: s3://x\r\n';
    expect(after.replace(added, '')).toBe(crlf);
    expect(git(dir, 'diff', '--numstat').trim()).toBe('3\t0\tp/orders.yaml');
  });
});

describe('stage --from-latest-checkpoint', () => {
  it('fills initialSavepointPath from the active JobManager', async () => {
    const server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/jobs/overview')
        return res.end(
          JSON.stringify({ jobs: [{ jid: 'j1', name: 'orders', state: 'RUNNING', 'start-time': 1 }] }),
        );
      if (req.url === '/jobs/j1/checkpoints')
        return res.end(
          JSON.stringify({
            counts: { completed: 3, failed: 0 },
            latest: { completed: { id: 42, external_path: 's3://b/chk/orders/blue/j1/chk-42' } },
          }),
        );
      res.statusCode = 404;
      res.end('{}');
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const dir = repo();
      const r = await runCli(
        [
          'stage',
          'orders',
          '--pipelines',
          'p',
          '--image',
          'reg/orders:1.5.0',
          '--from-latest-checkpoint',
          '--rest',
          url,
        ],
        { cwd: dir },
      );
      // The only remark: this spec names no service account.
      expect(r.stderr.trim().split('\n')[0]).toMatch(
        /^\/.*orders\.yaml:\d+:\d+: warning \[pod-security\] at \/spec\/template: no serviceAccount/,
      );
      expect(r.stderr).not.toMatch(/error/);
      expect(r.code).toBe(0);
      expect(readFileSync(join(dir, 'p/orders.yaml'), 'utf8')).toContain(
        'initialSavepointPath: s3://b/chk/orders/blue/j1/chk-42',
      );
    } finally {
      server.close();
    }
  });
});

it('keeps files byte-identical outside the edit for the example specs', async () => {
  const dir = tempDir({}, 'fc-examples-');
  mkdirSync(join(dir, 'p'));
  const src = readFileSync(new URL('../../apps/pipelines/orders.yaml', import.meta.url), 'utf8');
  writeFileSync(join(dir, 'p/orders.yaml'), src);
  const r = await runCli(
    ['stage', 'orders', '--pipelines', 'p', '--image', 'reg/orders:9', '--from-savepoint', 's3://x'],
    { cwd: dir },
  );
  expect(r.code).toBe(0);
  const after = readFileSync(join(dir, 'p/orders.yaml'), 'utf8');
  const added = '    green:\n      image: reg/orders:9\n      initialSavepointPath: s3://x\n';
  expect(after.replace(added, '')).toBe(src);
});

describe('cancel', () => {
  async function cutover() {
    const dir = repo();
    await step(dir, ['stage', 'orders', '--image', 'reg/orders:1.5.0', '--from-savepoint', 's3://x'], T0);
    await step(dir, ['schedule', 'orders', '--at', '+1h'], T0);
    return dir;
  }
  const cancel = (dir: string, ...extra: string[]) =>
    runCli(['cancel', 'orders', '--pipelines', 'p', '--now', iso(T0 + H / 4), ...extra], { cwd: dir });

  it('withdraws a Pending cutover: the block goes, the generation is kept, check passes, the next schedule is #2', async () => {
    const dir = await cutover();
    const pending = statusFile(dir, { generation: '1', phase: 'Pending' });
    const s = await step(dir, ['cancel', 'orders'], T0 + H / 4, pending);
    expect(s.out).toMatch(/PR title: orders: cancel cutover #1 blue → green/);
    expect(s.text).not.toContain('cutover:');
    expect(s.text).toContain('flink-cutover.dev/last-generation: "1"');
    expect(s.text).toContain('    green:\n');
    expect(git(dir, 'diff', '--numstat', 'HEAD~1').trim()).toBe('2\t1\tp/orders.yaml');
    const withdrawn = statusFile(dir, { generation: '1', phase: 'Rejected', reason: 'withdrawn' });
    const again = await step(dir, ['schedule', 'orders', '--at', '+2h'], T0 + H / 2, withdrawn);
    expect(again.text).toContain('cutover: {generation: 2, to: green');
  });

  it('is refused once the status says Armed or Completed, pointing at teardown and rollback', async () => {
    const dir = await cutover();
    const before = readFileSync(join(dir, 'p/orders.yaml'), 'utf8');
    for (const phase of ['Armed', 'Completed']) {
      const st = statusFile(dir, { generation: '1', phase, armedAt: iso(T0), completedAt: iso(T0 + H) });
      const r = await cancel(dir, '--status', st);
      expect(r.code, phase).toBe(1);
      expect(r.stderr).toContain(`refused: cutover #1 of orders is ${phase}; it can no longer be withdrawn`);
      expect(r.stderr).toMatch(
        /fix: an Armed cutover always completes: .*flink-cutover teardown.*flink-cutover rollback/,
      );
    }
    expect(readFileSync(join(dir, 'p/orders.yaml'), 'utf8')).toBe(before);
  });

  it('needs --status or --assume-pending; --assume-pending withdraws with the check warning', async () => {
    const dir = await cutover();
    const r = await cancel(dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /refused: cancel withdraws cutover #1 only when it is not Armed, and no --status was given/,
    );
    expect(r.stderr).toMatch(/fix: pass --status .* or --assume-pending/);
    const old = statusFile(dir, { generation: '0', phase: 'Completed' });
    expect((await cancel(dir, '--status', old)).stderr).toMatch(/the status is for generation 0, not #1/);
    const ok = await cancel(dir, '--assume-pending');
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(/warning \[lifecycle-transition\].*withdraws cutover #1 without knowing/);
    expect(readFileSync(join(dir, 'p/orders.yaml'), 'utf8')).not.toContain('cutover:');
  });

  it('is refused without a committed cutover', async () => {
    const dir = repo();
    const r = await cancel(dir, '--assume-pending');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refused: orders is Steady; cancel needs it Cutover/);
  });

  it('--help', async () => {
    const r = await runCli(['cancel', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: flink-cutover cancel \[options\] <pipeline>/);
    expect(r.stdout).toContain('--assume-pending');
  });
});

describe('fix texts point at the legal way', () => {
  it('a Rejected cutover: teardown and abandon point at cancel, not at abandoning the standby alone', async () => {
    const dir = repo();
    await step(dir, ['stage', 'orders', '--image', 'reg/orders:1.5.0', '--from-savepoint', 's3://x'], T0);
    await step(dir, ['schedule', 'orders', '--at', '+1h'], T0);
    const rejected = statusFile(dir, { generation: '1', phase: 'Rejected', reason: 'late' });
    const t = await runCli(
      ['teardown', 'orders', '--pipelines', 'p', '--status', rejected, '--now', iso(T0 + H)],
      { cwd: dir },
    );
    expect(t.code).toBe(1);
    expect(t.stderr).toMatch(/teardown-before-complete/);
    expect(t.stderr).toMatch(
      /withdraw the cutover \(flink-cutover cancel orders --status status.yaml\) and then abandon/,
    );
    const a = await runCli(['abandon', 'orders', '--pipelines', 'p'], { cwd: dir });
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/fix: .*withdraw it \(flink-cutover cancel orders/);
    const pending = statusFile(dir, { generation: '1', phase: 'Pending' });
    const rb = await runCli(
      ['rollback', 'orders', '--pipelines', 'p', '--at', '+1h', '--status', pending, '--now', iso(T0)],
      { cwd: dir },
    );
    expect(rb.code).toBe(1);
    expect(rb.stderr).toMatch(
      /rollback-before-armed[\s\S]*fix: withdraw it \(flink-cutover cancel --status\)/,
    );
  });
});

describe('promotion commands judge the merge base, like check --base-ref', () => {
  const spec = (dir: string) => readFileSync(join(dir, 'p/orders.yaml'), 'utf8');

  it('refuses schedule on top of an uncommitted stage, naming the step and where it is', async () => {
    const dir = repo();
    expect((await runCli(STAGE, { cwd: dir })).code).toBe(0);
    const staged = spec(dir);
    const r = await runCli(SCHEDULE, { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /refused: orders has an unmerged stage step against master \(merge base [0-9a-f]{12}\), in the working tree \(not committed yet\); schedule on top of it would make one pull request take more than one lifecycle step/,
    );
    expect(r.stderr).toMatch(
      /fix: merge the pull request with the stage step first, then run schedule on the updated master; or pass --base-ref/,
    );
    expect(r.stderr).toMatch(/p\/orders\.yaml:\d+:\d+: error \[one-step\]/);
    expect(spec(dir)).toBe(staged);
  });

  it('refuses it on a branch whose stage is committed but not merged; allows it once merged', async () => {
    const dir = repo();
    git(dir, 'checkout', '-q', '-b', 'stage-orders');
    expect((await runCli(STAGE, { cwd: dir })).code).toBe(0);
    git(dir, 'commit', '-qam', 'stage');
    git(dir, 'checkout', '-q', '-b', 'schedule-orders');
    const r = await runCli(SCHEDULE, { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('committed on this branch but not merged into master');
    // A pull request stacked on the stage branch: its base is that branch.
    const stacked = await runCli([...SCHEDULE, '--base-ref', 'stage-orders', '--dry-run'], { cwd: dir });
    expect(stacked.code, stacked.stderr).toBe(0);
    git(dir, 'checkout', '-q', 'master');
    git(dir, 'merge', '-q', '--ff-only', 'stage-orders');
    const ok = await runCli(SCHEDULE, { cwd: dir });
    expect(ok.code, ok.stderr).toBe(0);
    expect(spec(dir)).toContain('cutover: {generation: 1');
  });

  it('uses origin/HEAD when there is one: a local commit not pushed is not merged', async () => {
    const origin = repo();
    const dir = tempDir({}, 'fc-clone-');
    git(dir, 'clone', '-q', origin, 'c');
    const clone = join(dir, 'c');
    expect((await runCli(STAGE, { cwd: clone })).code).toBe(0);
    git(clone, 'commit', '-qam', 'stage');
    const r = await runCli(SCHEDULE, { cwd: clone });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('has an unmerged stage step against origin/master');
  });

  it('outside a git repository: today’s behaviour, nothing said; --base-ref is a usage error', async () => {
    const dir = tempDir({ 'p/orders.yaml': SPEC }, 'fc-nogit-');
    expect((await runCli([...STAGE, '--no-synth'], { cwd: dir })).code).toBe(0);
    const r = await runCli([...SCHEDULE, '--no-synth'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/note:|merge base/);
    const bad = await runCli(
      ['cancel', 'orders', '--pipelines', 'p', '--assume-pending', '--dry-run', '--base-ref', 'main'],
      { cwd: dir },
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--base-ref main: p is not in a git repository/);
  });

  it('a repository without main or master: a note says only the working tree was compared', async () => {
    const dir = repo();
    git(dir, 'branch', '-m', 'trunk');
    const r = await runCli(STAGE, { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/note: no default branch \(origin\/HEAD, main or master\).*pass --base-ref/);
  });
});

describe('promotion commands render the pipeline into dist/ in the same edit', () => {
  const synthCheck = (dir: string) =>
    runCli(['synth', '--pipelines', 'p', '--out', 'dist', '--check'], { cwd: dir });
  function project(): string {
    const dir = tempDir({ 'p/orders.yaml': SPEC, 'package.json': '{"private": true}\n' }, 'fc-project-');
    git(dir, 'init', '-q');
    return dir;
  }
  async function synthed(): Promise<string> {
    const dir = project();
    expect((await runCli(['synth', '--pipelines', 'p', '--out', 'dist'], { cwd: dir })).code).toBe(0);
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'steady');
    return dir;
  }
  const OUT = 'dist/streaming.orders.k8s.yaml';

  it('after stage, synth --check passes; the PR body names the spec and the rendered file', async () => {
    const dir = await synthed();
    const r = await runCli(STAGE, { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`rendered ${OUT}`);
    expect(r.stdout).toMatch(/Changed: `[^`]*p\/orders\.yaml`/);
    expect(r.stdout).toContain(`Rendered: \`${OUT}\``);
    expect(readFileSync(join(dir, OUT), 'utf8')).toContain('name: orders-green');
    const c = await synthCheck(dir);
    expect(c.code, c.stderr).toBe(0);
    expect(git(dir, 'status', '--porcelain').split('\n').filter(Boolean).sort()).toEqual([
      ` M ${OUT}`,
      ' M p/orders.yaml',
    ]);
  });

  it('with --no-synth only the spec changes and synth --check says dist is stale', async () => {
    const dir = await synthed();
    const r = await runCli([...STAGE, '--no-synth'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('rendered');
    const c = await synthCheck(dir);
    expect(c.code).toBe(1);
    expect(c.stderr).toContain(`dist/ is not up to date`);
    expect(c.stderr).toContain(`${OUT} (differs or missing)`);
  });

  it('--dry-run writes neither the spec nor dist', async () => {
    const dir = await synthed();
    const r = await runCli([...STAGE, '--dry-run'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`would render ${OUT}`);
    expect(git(dir, 'status', '--porcelain')).toBe('');
  });

  it('nothing half-written: when rendering or writing dist fails, the spec is not written either', async () => {
    const dir = await synthed();
    writeFileSync(join(dir, 'flink-cutover.yaml'), 'verify: {image: 5}\n');
    const bad = await runCli(STAGE, { cwd: dir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/refused: stage cannot be rendered into dist\/; nothing was written/);
    expect(bad.stderr).toMatch(/flink-cutover\.yaml/);
    rmSync(join(dir, 'flink-cutover.yaml'));
    rmSync(join(dir, OUT));
    mkdirSync(join(dir, OUT));
    const blocked = await runCli(STAGE, { cwd: dir });
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toMatch(/is a folder where a rendered file goes; nothing was written/);
    expect(git(dir, 'diff', '--name-only', '--', 'p')).toBe('');
  });

  it('every promotion command renders: schedule puts the cutover into the ConfigMap', async () => {
    const dir = await synthed();
    expect((await runCli(STAGE, { cwd: dir })).code).toBe(0);
    git(dir, 'commit', '-qam', 'stage');
    const r = await runCli(['schedule', 'orders', '--pipelines', 'p', '--at', '+1h', '--now', iso(T0)], {
      cwd: dir,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, OUT), 'utf8')).toMatch(/generation: "1"/);
    expect((await synthCheck(dir)).code).toBe(0);
  });
});

describe('stage --set with a Flink key edits it in the form the template holds it', () => {
  const HA = 'flinkConfiguration.high-availability.storageDir=s3://b/ha2/orders/green';
  async function stageWith(spec: string, ...sets: string[]) {
    const dir = tempDir({ 'p/orders.yaml': spec }, 'fc-set-');
    const r = await runCli(
      [
        'stage',
        'orders',
        '--pipelines',
        'p',
        '--image',
        'reg/orders:1.5.0',
        '--from-savepoint',
        's3://x',
        '--no-synth',
        ...sets.flatMap((x) => ['--set', x]),
      ],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    return readFileSync(join(dir, 'p/orders.yaml'), 'utf8');
  }

  it('nested in the template: the override is nested too (one key, not a second dotted form)', async () => {
    const spec = SPEC.replace(
      '      # savepoints per color\n',
      '      high-availability:\n        type: kubernetes\n        storageDir: s3://b/ha/{{pipeline}}/{{color}}\n      # savepoints per color\n',
    );
    const text = await stageWith(spec, HA);
    expect(text).toContain(
      '    green:\n      image: reg/orders:1.5.0\n      initialSavepointPath: s3://x\n      flinkConfiguration:\n        high-availability:\n          storageDir: s3://b/ha2/orders/green\n',
    );
    expect(text).not.toContain('high-availability.storageDir');
  });

  it('partly nested (`state: {savepoints.dir: ...}`): under the map that holds it', async () => {
    const text = await stageWith(SPEC, 'flinkConfiguration.state.savepoints.dir=s3://b/sp2/orders/green');
    expect(text).toContain(
      '      flinkConfiguration:\n        state:\n          savepoints.dir: s3://b/sp2/orders/green\n',
    );
  });

  it('dotted in the template (or absent): the dotted key', async () => {
    const spec = SPEC.replace(
      '      # savepoints per color\n',
      '      high-availability.storageDir: s3://b/ha/{{pipeline}}/{{color}}\n      # savepoints per color\n',
    );
    expect(await stageWith(spec, HA)).toContain(
      '      flinkConfiguration:\n        high-availability.storageDir: s3://b/ha2/orders/green\n',
    );
    expect(await stageWith(SPEC, HA)).toContain(
      '      flinkConfiguration:\n        high-availability.storageDir: s3://b/ha2/orders/green\n',
    );
  });
});

describe('promotion commands load only the files that can define the pipeline, with the same answers', () => {
  const OTHER = SPEC.replace('name: orders', 'name: shipments').replace(/orders\.jar/, 'shipments.jar');
  function repoOf(files: Record<string, string>): string {
    const dir = tempDir(files, 'fc-promote-select-');
    git(dir, 'init', '-q');
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'steady');
    return dir;
  }

  it('a name spelled with an escape is found, and the merge base is judged through it', async () => {
    const escaped = SPEC.replace('  name: orders\n', '  name: "ord\\x65rs"\n');
    const dir = repoOf({ 'p/a.yaml': escaped, 'p/b.yaml': OTHER });
    expect((await runCli(STAGE, { cwd: dir })).code).toBe(0);
    expect(readFileSync(join(dir, 'p/a.yaml'), 'utf8')).toContain('reg/orders:1.5.0');
    const r = await runCli(SCHEDULE, { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refused: orders has an unmerged stage step against master/);
  });

  it('a pipeline whose file was renamed since the merge base is still matched there', async () => {
    const dir = repoOf({ 'p/a.yaml': SPEC, 'p/b.yaml': OTHER });
    git(dir, 'checkout', '-q', '-b', 'work');
    expect((await runCli(STAGE, { cwd: dir })).code).toBe(0);
    git(dir, 'mv', 'p/a.yaml', 'p/z.yaml');
    git(dir, 'commit', '-q', '-am', 'stage, renamed');
    const r = await runCli(SCHEDULE, { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /refused: orders has an unmerged stage step against master \(merge base [0-9a-f]{12}\), committed on this branch/,
    );
  });

  it('the same name in two namespaces is still ambiguous, and a missing one still lists the others', async () => {
    const dir = repoOf({
      'p/a.yaml': SPEC,
      'p/b.yaml': SPEC.replace('namespace: streaming', 'namespace: batch'),
      'p/c.yaml': OTHER,
    });
    const r = await runCli(['abandon', 'orders', '--pipelines', 'p'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /several pipelines named orders in p \(streaming\/orders, batch\/orders\): give --namespace/,
    );
    const m = await runCli(['abandon', 'ord', '--pipelines', 'p'], { cwd: dir });
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(/no pipeline named ord in p \(pipelines: orders, orders, shipments\)/);
  });
});
