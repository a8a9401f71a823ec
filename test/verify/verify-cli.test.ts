import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { cutoverPipeline, steadyPipeline, tempDir } from '../support/pipelines.js';
import { FAST, serve, spec, useFakes } from './harness.js';

describe('flink-cutover verify: the checks against fake JobManagers', () => {
  const f = useFakes();

  it('passes a healthy standby and prints each check (text)', async () => {
    const r = await f.verify(spec(), '--timeout', '2s');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `verifying orders/green at ${f.green.url} (active blue at ${f.blue.url}), timeout 2s, every 50ms`,
    );
    expect(r.stdout).toContain('verify orders/green: PASSED (4 checks, 1 poll(s)');
    expect(r.stdout).toMatch(/PASS {2}running {8}observed RUNNING for 1h(1s)?; expected RUNNING for >= 10m/);
    expect(r.stdout).toMatch(/PASS {2}watermark-lag {2}observed 10s; expected lag behind blue <= 1m/);
  });

  it('writes the documented JSON shape', async () => {
    const r = await f.verify(spec(), '--timeout', '2s', '--format', 'json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { passed: boolean; checks: Record<string, unknown>[] };
    expect(out.passed).toBe(true);
    expect(out.checks.map((c) => c.name)).toEqual(['running', 'checkpoints', 'restarts', 'watermark-lag']);
    for (const c of out.checks)
      expect(Object.keys(c)).toEqual(['name', 'passed', 'observed', 'expected', 'message']);
  });

  it('fails after the timeout while the soak is too short, with a progress line per poll', async () => {
    f.green.job.runningSince = Date.now() - 60_000;
    const r = await f.verify(spec(), '--timeout', '300ms');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\[0s\] waiting for running \(RUNNING for 1m(1s)?; want RUNNING for >= 10m\)/);
    expect(r.stdout).toContain('verify orders/green: FAILED, timed out (1 of 4 checks failing');
    expect(r.stdout).toMatch(
      /FAIL {2}running {8}observed RUNNING for 1m(1s)?; expected RUNNING for >= 10m\n {8}soaking: (9m|8m59s) to go/,
    );
  });

  it('does not count a RUNNING job whose tasks are still INITIALIZING (restoring state) as running', async () => {
    f.green.job.vertices[2]!.status = 'INITIALIZING';
    const r = await f.verify(spec(), '--timeout', '200ms', '--format', 'json');
    expect(r.code).toBe(1);
    const c = (
      JSON.parse(r.stdout) as {
        checks: { name: string; passed: boolean; observed: string; message: string }[];
      }
    ).checks.find((x) => x.name === 'running')!;
    expect(c.passed).toBe(false);
    expect(c.observed).toMatch(/^RUNNING for 1h(1s)?, 1 vertex\(es\) not RUNNING$/);
    expect(c.message).toContain(
      'is RUNNING but not all its tasks are: flink-cutover-gate -> Sink: out INITIALIZING',
    );
  });

  it('defaults the timeout to cover the soak and the checkpoints', async () => {
    const r = await f.verify(
      spec((p) => void (p.spec.template.flinkConfiguration['execution.checkpointing.interval'] = '5 min')),
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('timeout 30m, every 50ms');
  });

  it('--timeout 0s polls exactly once and gives the verdict', async () => {
    let r = await f.verify(spec(), '--timeout', '0s', '--interval', '1h');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('PASSED (4 checks, 1 poll(s)');
    f.green.job.checkpoints.completed = 1;
    r = await f.verify(spec(), '--timeout', '0s', '--interval', '1h');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAILED, timed out (1 of 4 checks failing, 1 poll(s)');
    expect(f.green.requests.filter((p) => p === '/jobs/overview')).toHaveLength(2);
  });

  it('fails on too few or failing checkpoints', async () => {
    f.green.job.checkpoints.completed = 1;
    let r = await f.verify(spec(), '--timeout', '200ms', '--format', 'json');
    expect(r.code).toBe(1);
    let c = (
      JSON.parse(r.stdout) as { checks: { name: string; passed: boolean; observed: string }[] }
    ).checks.find((x) => x.name === 'checkpoints')!;
    expect(c).toMatchObject({ passed: false, observed: '1 completed' });
    f.green.job.checkpoints.completed = 5;
    f.green.failCheckpoint('Checkpoint expired before completing.');
    r = await f.verify(spec(), '--timeout', '200ms', '--format', 'json');
    c = (
      JSON.parse(r.stdout) as { checks: { name: string; passed: boolean; observed: string }[] }
    ).checks.find((x) => x.name === 'checkpoints')!;
    expect(c.passed).toBe(false);
    expect(c.observed).toMatch(/^5 completed, checkpoint \d+ failed$/);
    f.green.completeCheckpoints();
    expect((await f.verify(spec(), '--timeout', '200ms')).code).toBe(0);
  });

  it('judges "failing now" by checkpoint id: an older attempt that expired after a newer one completed is not failing', async () => {
    const now = Date.now();
    const body = (failedId: number) => ({
      counts: { restored: 0, total: 12, in_progress: 0, completed: 10, failed: 2 },
      latest: {
        completed: {
          id: 11,
          status: 'COMPLETED',
          trigger_timestamp: now - 5000,
          latest_ack_timestamp: now - 4000,
          external_path: 's3://b/chk-11',
        },
        failed: {
          id: failedId,
          status: 'FAILED',
          trigger_timestamp: now - 60_000,
          failure_timestamp: now - 1000,
          failure_message: 'Checkpoint expired before completing.',
        },
        savepoint: null,
        restored: null,
      },
    });
    const checkpoints = async () =>
      (
        JSON.parse((await f.verify(spec(), '--timeout', '200ms', '--format', 'json')).stdout) as {
          checks: { name: string; passed: boolean; observed: string }[];
        }
      ).checks.find((c) => c.name === 'checkpoints')!;
    const fault = f.green.fault({ path: /\/checkpoints$/, body: body(10) });
    expect(await checkpoints()).toMatchObject({ passed: true, observed: '10 completed' });
    fault.body = body(12);
    expect(await checkpoints()).toMatchObject({
      passed: false,
      observed: '10 completed, checkpoint 12 failed',
    });
  });

  it('fails at once when the job restarted more than maxRestarts', async () => {
    f.green.restart();
    const r = await f.verify(spec(), '--timeout', '10s');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAILED, a check cannot pass any more');
    expect(r.stdout).toContain(
      'the job restarted 1 time(s), more than the 0 allowed; last exception: java.lang.RuntimeException: boom',
    );
  });

  it('fails when the standby lags the active color too far, and passes when it catches up', async () => {
    f.green.setWatermark(Date.parse('2026-12-01T10:57:00Z'));
    const r = await f.verify(spec(), '--timeout', '200ms');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL {2}watermark-lag {2}observed 3m(1s)?; expected lag behind blue <= 1m/);
    f.green.setWatermark(Date.parse('2026-12-01T11:00:00Z'));
    f.blue.setWatermark(Date.parse('2026-12-01T11:00:00Z'));
    expect((await f.verify(spec(), '--timeout', '500ms')).code).toBe(0);
  });

  it('takes the minimum over vertices of different parallelism and all their subtasks', async () => {
    const wm = Date.parse('2026-12-01T11:00:00Z');
    f.blue.setWatermark(wm);
    f.green.setWatermark(wm);
    const [source, map, sink] = f.green.job.vertices;
    f.green.job.vertices = [
      source!,
      { ...map!, parallelism: 2, watermarks: [wm, wm] },
      { ...sink!, parallelism: 4, watermarks: [wm, wm, wm - 120_000, wm] },
    ];
    const r = await f.verify(spec(), '--timeout', '200ms', '--format', 'json');
    const c = (
      JSON.parse(r.stdout) as {
        checks: { name: string; passed: boolean; observed: string; message: string }[];
      }
    ).checks.find((x) => x.name === 'watermark-lag')!;
    expect(c.passed).toBe(false);
    expect(c.observed).toMatch(/^2m(1s)?$/);
    expect(c.message).toContain('green is 1m');
  });

  it('waits for the first watermark (Long.MIN_VALUE means none yet)', async () => {
    f.green.setWatermark(null);
    const r = await f.verify(spec(), '--timeout', '200ms', '--format', 'json');
    const c = (
      JSON.parse(r.stdout) as { checks: { name: string; observed: string; message: string }[] }
    ).checks.find((x) => x.name === 'watermark-lag')!;
    expect(c.observed).toBe('green: no watermark yet');
    expect(c.message).toContain('Map -> Timestamps/Watermarks');
  });

  it('fails the watermark lag at once for a job whose only vertex is a source (fully chained)', async () => {
    f.green.job.vertices = [f.green.job.vertices[0]!];
    const r = await f.verify(spec(), '--timeout', '10s', '--format', 'json');
    expect(r.code).toBe(1);
    const c = (
      JSON.parse(r.stdout) as { checks: { name: string; observed: string; message: string }[] }
    ).checks.find((x) => x.name === 'watermark-lag')!;
    expect(c.observed).toBe('green: no measurable watermark');
    expect(c.message).toContain("every vertex of green's job is a source");
  });

  it('runs prometheus checks against the instant query API', async () => {
    const prom = await serve((path) => {
      const q = new URL(path, 'http://x').searchParams.get('query') ?? '';
      const value = q.includes('green') ? '0.2' : '7';
      return [
        200,
        {
          status: 'success',
          data: { resultType: 'vector', result: [{ metric: { job: 'x' }, value: [1733050800.1, value] }] },
        },
      ];
    });
    f.servers.push(prom.server);
    const file = spec((p) => {
      p.spec.validation.prometheus = [
        { name: 'errors', query: 'sum(rate(errors{color="{{color}}"}[5m]))', max: 1 },
      ];
    });
    let r = await f.verify(file, '--timeout', '200ms', '--prometheus', prom.url);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/PASS {2}prometheus:errors +observed 0.2; expected <= 1/);
    expect(decodeURIComponent(prom.hits[0]!)).toContain('errors{color="green"}');
    const strict = spec((p) => {
      p.spec.validation.prometheus = [
        { name: 'throughput', url: prom.url, query: 'sum(rate(records{color="blue"}[5m]))', min: 10 },
      ];
    });
    r = await f.verify(strict, '--timeout', '200ms');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL {2}prometheus:throughput +observed 7; expected >= 10/);
  });

  it('fails a query Prometheus refuses or one yielding a range vector at once; +Inf is a number', async () => {
    const prom = await serve((path) => {
      const q = new URL(path, 'http://x').searchParams.get('query') ?? '';
      if (q.startsWith('bad'))
        return [
          400,
          {
            status: 'error',
            errorType: 'bad_data',
            error: 'invalid parameter "query": 1:4: parse error: unexpected <EOF>',
          },
        ];
      if (q.endsWith(']'))
        return [
          200,
          { status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values: [[1, '1']] }] } },
        ];
      return [
        200,
        { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1, '+Inf'] }] } },
      ];
    });
    f.servers.push(prom.server);
    const run = async (query: string, bound: { min?: number; max?: number }) => {
      const r = await f.verify(
        spec((p) => void (p.spec.validation.prometheus = [{ name: 'q', url: prom.url, query, ...bound }])),
        '--timeout',
        '10s',
        '--format',
        'json',
      );
      return {
        code: r.code,
        check: (
          JSON.parse(r.stdout) as {
            checks: { name: string; passed: boolean; observed: string; message: string }[];
          }
        ).checks.find((c) => c.name === 'prometheus:q')!,
      };
    };
    let r = await run('bad(', { max: 1 });
    expect(r.code).toBe(1);
    expect(r.check.message).toContain(
      'Prometheus refused the query "bad(": HTTP 400 (invalid parameter "query": 1:4: parse error: unexpected <EOF>)',
    );
    r = await run('up[5m]', { max: 1 });
    expect(r.code).toBe(1);
    expect(r.check.message).toContain('the query yields "matrix", not an instant vector or scalar');
    r = await run('throughput', { min: 10 });
    expect(r).toMatchObject({ code: 0, check: { passed: true, observed: 'Infinity' } });
  });

  it('runs http checks on status and a JSON field', async () => {
    const svc = await serve((path) =>
      path === '/health' ? [200, { status: 'UP', details: { lag: 3 } }] : [503, { status: 'DOWN' }],
    );
    f.servers.push(svc.server);
    const file = spec((p) => {
      p.spec.validation.http = [
        { name: 'health', url: `${svc.url}/health`, jsonPath: 'status', equals: 'UP' },
        { name: 'down', url: `${svc.url}/other` },
      ];
    });
    const r = await f.verify(file, '--timeout', '200ms', '--format', 'json');
    expect(r.code).toBe(1);
    const checks = (JSON.parse(r.stdout) as { checks: { name: string; passed: boolean; observed: string }[] })
      .checks;
    expect(checks.find((c) => c.name === 'http:health')).toMatchObject({
      passed: true,
      observed: 'HTTP 200, status = "UP"',
    });
    expect(checks.find((c) => c.name === 'http:down')).toMatchObject({ passed: false, observed: 'HTTP 503' });
  });

  it('requires an approval of the cutover generation, from a ConfigMap file', async () => {
    const file = spec((p) => void (p.spec.validation.approval = true), cutoverPipeline);
    const cm = (gen: string) =>
      tempDir({
        'cm.yaml': {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'orders-cutover', annotations: { 'flink-cutover.dev/approved-generation': gen } },
          data: { generation: '1' },
        },
      });
    let r = await f.verify(file, '--timeout', '200ms', '--approval-file', join(cm('0'), 'cm.yaml'));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('annotate it with flink-cutover.dev/approved-generation=1');
    r = await f.verify(file, '--timeout', '200ms', '--approval-file', join(cm('1'), 'cm.yaml'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/PASS {2}approval +observed generation 1; expected approved generation 1/);
  });

  it('fails at once, before any poll, when an approval is due and no approval source is configured', async () => {
    const file = spec((p) => void (p.spec.validation.approval = true), cutoverPipeline);
    // A long timeout: the verdict must not wait for it.
    const r = await f.verify(file, '--timeout', '1h');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      'orders/green: validation.approval is true and generation 1 needs an approval, but no approval source is configured: pass --approval-file FILE',
    );
    expect(r.stderr).toContain('--configmap NAME');
    expect(f.green.requests).toEqual([]);
  });

  it('reads the approval from the Kubernetes API with the service-account token', async () => {
    const saDir = tempDir({ token: 'sekret', namespace: 'streaming' });
    const api = await serve((path, headers) => {
      if (headers.authorization !== 'Bearer sekret') return [401, { kind: 'Status', code: 401 }];
      if (path === '/api/v1/namespaces/streaming/configmaps/orders-cutover')
        return [
          200,
          {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: 'orders-cutover' },
            data: { generation: '0' },
          },
        ];
      if (path === '/api/v1/namespaces/streaming/configmaps/orders-cutover-status')
        return [
          200,
          {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: 'orders-cutover-status' },
            data: { approvedGeneration: '1' },
          },
        ];
      return [404, { kind: 'Status', code: 404 }];
    });
    f.servers.push(api.server);
    const file = spec((p) => void (p.spec.validation.approval = true), cutoverPipeline);
    const r = await runCli(
      [
        'verify',
        '--spec',
        file,
        '--color',
        'green',
        '--rest',
        f.green.url,
        '--active-rest',
        f.blue.url,
        ...FAST,
        '--timeout',
        '200ms',
        '--configmap',
        'orders-cutover',
        '--kube-api',
        api.url,
        '--format',
        'json',
      ],
      { env: { FLINK_CUTOVER_SERVICE_ACCOUNT_DIR: saDir } },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const approval = (JSON.parse(r.stdout) as { checks: { name: string; message: string }[] }).checks.find(
      (c) => c.name === 'approval',
    );
    expect(approval?.message).toBe('approved by the status ConfigMap on ConfigMap streaming/orders-cutover');
    expect(api.hits).toContain('/api/v1/namespaces/streaming/configmaps/orders-cutover-status');
  });

  it('accepts the settings as --validation-json, as the verify Job passes them', async () => {
    const settings = {
      pipeline: 'orders',
      color: 'green',
      activeColor: 'blue',
      restUrl: f.green.url,
      activeRestUrl: f.blue.url,
      validation: { minRunning: '1m', maxRestarts: 0 },
    };
    const r = await runCli([
      'verify',
      '--validation-json',
      JSON.stringify(settings),
      ...FAST,
      '--timeout',
      '200ms',
      '--format',
      'json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).checks).toHaveLength(4);
  });

  it('needs no cluster access for --configmap while no approval is due', async () => {
    const r = await f.verify(spec(), '--timeout', '0s', '--configmap', 'orders-cutover');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('rejects usage errors with exit 2 and a clear message', async () => {
    const cases: [string[], string][] = [
      [['verify', '--color', 'green'], 'missing --spec FILE'],
      [['verify', '--spec', spec()], 'missing --color blue|green'],
      [
        ['verify', '--spec', '/nonexistent/orders.yaml', '--color', 'green'],
        '--spec /nonexistent/orders.yaml: no such file',
      ],
      [
        ['verify', '--spec', spec(), '--color', 'green', '--request-timeout', '0s'],
        '--request-timeout 0s: use a duration above 0',
      ],
      [['verify', '--spec', spec(), '--color', 'red'], '--color red: use blue or green'],
      [['verify', '--spec', spec(), '--color', 'green', '--rest', 'nope'], '--rest nope: not a URL'],
      [
        ['verify', '--spec', spec(), '--color', 'green', '--timeout', '10 minutes'],
        '--timeout 10 minutes: "10 minutes" is not a duration',
      ],
      [['verify', '--validation-json', '{"color":"green"}'], '--validation-json is not valid'],
      [['verify', '--validation-json', '{'], '--validation-json is not JSON'],
      [
        [
          'verify',
          '--validation-json',
          '{"pipeline":"p","color":"green","restUrl":"orders-green-rest:8081","validation":{}}',
        ],
        '--validation-json restUrl orders-green-rest:8081: use an http:// or https:// URL',
      ],
      [
        ['verify', '--spec', spec(), '--color', 'green', '--approval-file', '/nonexistent.yaml'],
        '--approval-file /nonexistent.yaml: no such file',
      ],
      [
        [
          'verify',
          '--spec',
          spec((p) => void (p.spec.validation.approval = true)),
          '--color',
          'green',
          '--generation',
          '1',
          '--configmap',
          'orders-cutover',
        ],
        'not running in a cluster',
      ],
    ];
    for (const [argv, message] of cases) {
      const r = await runCli(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr, argv.join(' ')).toContain(message);
    }
    const bad = await runCli(['verify', '--format', 'xml', '--spec', spec(), '--color', 'green']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("argument 'xml' is invalid");
  });

  it('refuses a color the pipeline does not run, even with --rest (exit 2, nothing polled)', async () => {
    // steady: blue only. --rest points at a JobManager that would pass every check.
    const file = spec(() => undefined, steadyPipeline);
    for (const color of ['green', 'blue']) {
      // --timeout 0s: one poll for blue, whatever it finds (no waiting on a loaded machine).
      const r = await runCli([
        'verify',
        '--spec',
        file,
        '--color',
        color,
        '--rest',
        f.green.url,
        ...FAST,
        '--timeout',
        '0s',
      ]);
      if (color === 'blue') {
        expect(r.code, r.stderr).not.toBe(2);
        continue;
      }
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(
        '--color green: pipeline orders has no green color (it runs blue); stage green first (flink-cutover stage orders --image IMAGE), then verify it',
      );
    }
    expect(f.green.requests.filter((p) => p === '/jobs/overview')).toHaveLength(1); // blue's run only
  });

  it('reports an invalid spec as diagnostics (exit 1)', async () => {
    const file = spec((p) => void (p.spec.validation.minRunning = 'ten minutes'));
    const r = await f.verify(file);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('minRunning');
  });
});
