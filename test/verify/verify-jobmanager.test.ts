import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { FakeJobManager } from '../support/fake-jobmanager.js';
import { FAST, serve, spec, useFakes } from './harness.js';

describe('flink-cutover verify: restarts, and JobManagers that fail', () => {
  const f = useFakes();

  it('starts the soak over when the job restarts mid-soak', async () => {
    f.green.job.runningSince = Date.now();
    const file = spec((p) => {
      p.spec.validation.minRunning = '1s';
      p.spec.validation.maxRestarts = 1;
    });
    // The job fails over when the second poll starts (by request count, not by wall time).
    let polls = 0;
    f.green.onRequest = (path) => {
      if (path === '/jobs/overview' && ++polls === 2) f.green.restart();
    };
    const r = await f.verify(file, '--timeout', '10s');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/waiting for running \(RUNNING for \d+ms \(soak restarted 1x\)/);
    expect(r.stdout).toMatch(/PASS {2}restarts +observed 1; expected <= 1/);
  });

  it('follows a job that is resubmitted with a new id and counts it as a restart', async () => {
    const file = spec((p) => {
      p.spec.validation.maxRestarts = 0;
    });
    f.green.job.runningSince = Date.now();
    f.green.job.checkpoints.completed = 0;
    let polls = 0;
    f.green.onRequest = (path) => {
      if (path === '/jobs/overview' && ++polls === 2) f.green.restart({ newJobId: true });
    };
    const r = await f.verify(file, '--timeout', '3s', '--format', 'json');
    expect(r.code).toBe(1);
    const restarts = (JSON.parse(r.stdout) as { checks: { name: string; observed: string }[] }).checks.find(
      (x) => x.name === 'restarts',
    )!;
    expect(restarts.observed).toBe('1');
  });

  it('ends an unreachable JobManager in exit 1 naming the URL, without a stack trace', async () => {
    await f.green.close();
    const r = await f.verify(spec(), '--timeout', '200ms');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `GET ${f.green.url}/jobs/overview: connection refused after 2 attempts; expected a JSON object with a "jobs" array (GET /jobs/overview)`,
    );
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
    await f.reopenGreen(); // for afterEach
  });

  it('ends a 404 for the job in exit 1 naming the URL', async () => {
    f.green.fault({
      path: new RegExp(`^/jobs/${f.green.job.jid}$`),
      status: 404,
      body: { errors: [`Job ${f.green.job.jid} not found`] },
    });
    const r = await f.verify(spec(), '--timeout', '200ms');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `GET ${f.green.url}/jobs/${f.green.job.jid}: HTTP 404 (Job ${f.green.job.jid} not found)`,
    );
  });

  it('ends a response of the wrong shape in exit 1 at once, naming the URL and the field', async () => {
    f.green.fault({ path: /\/checkpoints$/, body: { counts: { completed: 'many' } } });
    const r = await f.verify(spec(), '--timeout', '10s');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAILED, a check cannot pass any more');
    expect(r.stdout).toContain(
      `GET ${f.green.url}/jobs/${f.green.job.jid}/checkpoints: unexpected response shape at /counts/completed: expected a number, got the string "many"`,
    );
  });

  it('retries slow and failing responses, then succeeds', async () => {
    f.green.fault({ path: /\/checkpoints$/, delayMs: 600, times: 1 });
    f.green.fault({ path: /^\/jobs\/overview$/, status: 503, times: 1 });
    const r = await f.verify(spec(), '--timeout', '3s');
    expect(r.code).toBe(0);
    expect(f.green.requests.filter((p) => p === '/jobs/overview').length).toBeGreaterThanOrEqual(2);
  });

  it('waits while the JobManager has no metrics yet (an empty array right after a start), then passes', async () => {
    // Flink answers `[]` for /jobs/{id}/metrics until its metric fetcher ran once (10s by default).
    f.green.fault({ path: /\/metrics$/, body: [], times: 2 });
    const r = await f.verify(spec(), '--timeout', '5s');
    expect(r.stdout).toMatch(
      /\[\d+s\] waiting for the JobManager \(GET \S+\/metrics\?get=numRestarts: numRestarts is not reported yet/,
    );
    expect(r.stdout).toContain('verify orders/green: PASSED');
    expect(r.code).toBe(0);
  });

  it('picks the running job among earlier ended ones in /jobs/overview', async () => {
    const now = Date.now();
    f.green.otherJobs = [
      {
        jid: 'f'.repeat(32),
        name: 'orders',
        state: 'FAILED',
        startTime: now - 7_200_000,
        endTime: now - 3_700_000,
      },
      {
        jid: 'c'.repeat(32),
        name: 'orders',
        state: 'CANCELED',
        startTime: now - 10_000_000,
        endTime: now - 9_000_000,
      },
    ];
    const r = await f.verify(spec(), '--timeout', '2s', '--format', 'json');
    expect(r.code).toBe(0);
    const running = (JSON.parse(r.stdout) as { checks: { name: string; message: string }[] }).checks.find(
      (x) => x.name === 'running',
    )!;
    expect(running.message).toContain(`job ${f.green.job.jid} has run`);
  });

  it('reaches a JobManager behind a path prefix, with or without a trailing slash', async () => {
    const proxied = await FakeJobManager.start({ pathPrefix: '/flink' });
    try {
      proxied.setWatermark(Date.parse('2026-12-01T11:00:00Z'));
      for (const rest of [proxied.url, `${proxied.url}/`]) {
        const r = await runCli([
          'verify',
          '--spec',
          spec(),
          '--color',
          'green',
          '--rest',
          rest,
          '--active-rest',
          f.blue.url,
          ...FAST,
          '--timeout',
          '2s',
        ]);
        expect(r.stdout).toContain('verify orders/green: PASSED');
        expect(r.code).toBe(0);
      }
      expect(proxied.requests).toContain('/flink/jobs/overview');
      expect(proxied.requests.filter((p) => p.includes('//'))).toEqual([]);
    } finally {
      await proxied.close();
    }
  });

  it('sends credentials in the URL as Basic auth and never prints them', async () => {
    const auth: (string | undefined)[] = [];
    const proxy = await serve((_path, headers) => {
      auth.push(headers.authorization as string | undefined);
      return [401, { errors: ['Unauthorized'] }];
    });
    f.servers.push(proxy.server);
    const rest = proxy.url.replace('http://', 'http://flink:s3cr%40t@');
    const r = await runCli([
      'verify',
      '--spec',
      spec(),
      '--color',
      'green',
      '--rest',
      rest,
      '--active-rest',
      f.blue.url,
      ...FAST,
      '--timeout',
      '0s',
    ]);
    expect(r.code).toBe(1);
    expect(auth[0]).toBe(`Basic ${Buffer.from('flink:s3cr@t').toString('base64')}`);
    expect(r.stdout).toContain(`GET ${proxy.url}/jobs/overview: HTTP 401 (Unauthorized)`);
    expect(r.stdout + r.stderr).not.toContain('s3cr');
    // The fake answering "no job" names the URL without the credentials too.
    f.green.noJob = true;
    const noJob = await runCli([
      'verify',
      '--spec',
      spec(),
      '--color',
      'green',
      '--rest',
      f.green.url.replace('http://', 'http://flink:s3cr%40t@'),
      '--active-rest',
      f.blue.url,
      ...FAST,
      '--timeout',
      '0s',
    ]);
    expect(noJob.stdout).toContain(`GET ${f.green.url}/jobs/overview: the JobManager runs no job`);
    expect(noJob.stdout + noJob.stderr).not.toContain('s3cr');
  });

  it('gives a clear failure when the JobManager keeps failing', async () => {
    f.green.fault({ path: /\/metrics$/, status: 500 });
    const r = await f.verify(spec(), '--timeout', '200ms');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `GET ${f.green.url}/jobs/${f.green.job.jid}/metrics?get=numRestarts: HTTP 500 (Internal server error.) after 2 attempts`,
    );
  });
});
