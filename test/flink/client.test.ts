import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FlinkRestClient } from '../../lib/flink/client.js';
import { FlinkRestError } from '../../lib/flink/errors.js';
import { backoffDelay } from '../../lib/flink/http.js';
import { latestRetainedCheckpoint } from '../../lib/flink/latest-checkpoint.js';
import { FakeJobManager, gateMetricName } from '../support/fake-jobmanager.js';

const fast = { timeoutMs: 300, retries: 2, backoffMs: 1 };

async function failure(p: Promise<unknown>): Promise<FlinkRestError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof FlinkRestError) return err;
    throw err;
  }
  throw new Error('expected a FlinkRestError');
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('FlinkRestClient against the fake JobManager', () => {
  let fake: FakeJobManager;
  let client: FlinkRestClient;
  beforeEach(async () => {
    fake = await FakeJobManager.start();
    client = new FlinkRestClient(fake.url + '/', fast);
  });
  afterEach(() => fake.close());

  it('reads the running job, its vertices, checkpoints, restarts, watermarks and gate metrics', async () => {
    const job = await client.currentJob();
    expect(job.jid).toBe(fake.job.jid);
    expect(job.state).toBe('RUNNING');
    const details = await client.jobDetails(job.jid);
    expect(details.vertices.map((v) => v.parallelism)).toEqual([2, 2, 2]);
    expect(details.timestamps?.RUNNING).toBe(fake.job.runningSince);
    expect(details.plan?.nodes?.[0]?.inputs).toBeUndefined();
    expect(details.plan?.nodes?.[1]?.inputs?.[0]?.id).toBe(fake.job.vertices[0]!.id);
    const cps = await client.checkpoints(job.jid);
    expect(cps.counts).toMatchObject({ completed: 12, failed: 0 });
    expect(cps.latest?.completed?.external_path).toBe('s3://b/chk/orders/blue/0000/chk-12');
    fake.restart();
    fake.restart();
    expect(await client.restarts(job.jid)).toBe(2);
    const marks = await client.vertexWatermarks(job.jid, fake.job.vertices[0]!.id);
    expect(marks.map((m) => m.value)).toEqual(['-9223372036854775808', '-9223372036854775808']);
    fake.setGateMetric('preparedGeneration', [4, 5]);
    const agg = await client.aggregatedSubtaskMetrics(job.jid, fake.gateVertex().id, [
      gateMetricName('preparedGeneration'),
    ]);
    expect(agg).toEqual([{ id: gateMetricName('preparedGeneration'), min: 4, max: 5 }]);
    const ex = await client.exceptions(job.jid);
    expect(ex.exceptionHistory?.entries).toHaveLength(2);
  });

  it('retries 5xx with backoff and succeeds when the JobManager recovers', async () => {
    fake.fault({ path: /^\/jobs\/overview$/, status: 503, times: 2 });
    const job = await client.currentJob();
    expect(job.jid).toBe(fake.job.jid);
    expect(fake.requests.filter((r) => r === '/jobs/overview')).toHaveLength(3);
  });

  it('gives up after the bounded retries with an error naming the URL, status and attempts', async () => {
    fake.fault({ path: /^\/jobs\/overview$/, status: 500 });
    const err = await failure(client.currentJob());
    expect(err.failure).toMatchObject({
      problem: 'http-status',
      status: 500,
      attempts: 3,
      url: `${fake.url}/jobs/overview`,
    });
    expect(err.message).toBe(
      `GET ${fake.url}/jobs/overview: HTTP 500 (Internal server error.) after 3 attempts; expected a JSON object with a "jobs" array (GET /jobs/overview)`,
    );
    expect(err.retryable).toBe(true);
  });

  it('times out slow responses, retries them, and reports a timeout', async () => {
    fake.fault({ path: /\/checkpoints$/, delayMs: 1000 });
    const err = await failure(client.checkpoints(fake.job.jid));
    expect(err.failure.problem).toBe('timeout');
    expect(err.failure.attempts).toBe(3);
    expect(err.message).toContain(
      `${fake.url}/jobs/${fake.job.jid}/checkpoints: no response within the timeout`,
    );
  });

  it('treats a dropped connection as retryable', async () => {
    fake.fault({ path: /^\/jobs\/overview$/, hangUp: true, times: 1 });
    await expect(client.currentJob()).resolves.toMatchObject({ jid: fake.job.jid });
  });

  it('reports a 404 for the job as not-found, without retrying', async () => {
    const err = await failure(client.jobDetails('0123456789abcdef0123456789abcdef'));
    expect(err.failure).toMatchObject({ problem: 'not-found', status: 404, attempts: 1 });
    expect(err.message).toContain('HTTP 404 (Job 0123456789abcdef0123456789abcdef not found)');
  });

  it('reports a wrong shape with the JSON pointer of the first mismatch', async () => {
    fake.fault({ path: /\/checkpoints$/, body: { counts: { completed: '12', failed: 0 } } });
    const err = await failure(client.checkpoints(fake.job.jid));
    expect(err.failure.problem).toBe('wrong-shape');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain(
      'unexpected response shape at /counts/completed: expected a number, got the string "12"',
    );
    expect(err.message).toContain('expected checkpoint statistics with "counts" (GET /jobs/');
  });

  it("rejects the OpenAPI file's wrapped metric form (the wire format is a bare array)", async () => {
    fake.fault({ path: /\/metrics$/, body: { metrics: [{ id: 'numRestarts', value: '0' }] } });
    const err = await failure(client.restarts(fake.job.jid));
    expect(err.message).toContain('unexpected response shape at (body): expected an array, got an object');
  });

  it('reports a non-JSON body', async () => {
    fake.fault({ path: /^\/jobs\/overview$/, body: '<html>proxy error</html>' });
    const err = await failure(client.jobsOverview());
    expect(err.failure.problem).toBe('bad-json');
  });

  it('reports an unreachable JobManager as connection refused', async () => {
    const port = await closedPort();
    const err = await failure(new FlinkRestClient(`http://127.0.0.1:${port}`, fast).currentJob());
    expect(err.failure).toMatchObject({ problem: 'unreachable', attempts: 3 });
    expect(err.message).toBe(
      `GET http://127.0.0.1:${port}/jobs/overview: connection refused after 3 attempts; expected a JSON object with a "jobs" array (GET /jobs/overview)`,
    );
  });

  it('names a TLS mismatch plainly (https:// to a plain-http JobManager), not with an OpenSSL dump', async () => {
    const err = await failure(
      new FlinkRestClient(fake.url.replace('http:', 'https:'), { ...fast, retries: 0 }).currentJob(),
    );
    expect(err.failure.problem).toBe('unreachable');
    expect(err.message).toContain(
      '/jobs/overview: TLS handshake failed: the server does not speak https here (use an http:// URL?)',
    );
    expect(err.message).not.toContain('SSL routines');
  });

  it('explains a port fetch refuses to use', async () => {
    const err = await failure(
      new FlinkRestClient('http://127.0.0.1:6000', { ...fast, retries: 0 }).currentJob(),
    );
    expect(err.message).toContain(
      'GET http://127.0.0.1:6000/jobs/overview: the port is one fetch refuses to connect to',
    );
  });

  it('finds the new job after a restart with a new job id', async () => {
    const before = (await client.currentJob()).jid;
    fake.restart({ newJobId: true });
    const after = (await client.currentJob()).jid;
    expect(after).not.toBe(before);
    expect((await failure(client.jobDetails(before))).failure.problem).toBe('not-found');
  });

  it('latestRetainedCheckpoint returns latest.completed.external_path, or says why there is none', async () => {
    await expect(latestRetainedCheckpoint(fake.url, fast)).resolves.toBe(
      's3://b/chk/orders/blue/0000/chk-12',
    );
    fake.restart({ newJobId: true });
    const err = await failure(latestRetainedCheckpoint(fake.url, fast));
    expect(err.message).toContain(
      `job ${fake.job.jid} (RUNNING) has no completed checkpoint yet (0 completed, 0 failed)`,
    );
    expect(err.message).toContain(`${fake.url}/jobs/${fake.job.jid}/checkpoints`);
    fake.noJob = true;
    expect((await failure(latestRetainedCheckpoint(fake.url, fast))).message).toContain(
      'the JobManager runs no job',
    );
  });
});

describe("the fake JobManager's clock", () => {
  it('advances watermarks with its clock and can script no watermark yet', async () => {
    let now = Date.parse('2026-12-01T12:00:00Z');
    const fake = await FakeJobManager.start({ clock: () => now, watermarkRate: 2 });
    try {
      const client = new FlinkRestClient(fake.url, fast);
      fake.setWatermark(now - 60_000);
      const vertex = fake.job.vertices[2]!.id;
      const read = async () =>
        (await client.vertexWatermarks(fake.job.jid, vertex)).map((m) => Number(m.value));
      expect(await read()).toEqual([now - 60_000, now - 60_000]);
      now += 1000;
      expect(await read()).toEqual([now - 61_000 + 2000, now - 61_000 + 2000]);
      fake.job.vertices[2]!.watermarks = [now, null];
      expect((await client.vertexWatermarks(fake.job.jid, vertex)).map((m) => m.value)[1]).toBe(
        '-9223372036854775808',
      );
      const details = await client.jobDetails(fake.job.jid);
      expect(details.now).toBe(now);
    } finally {
      await fake.close();
    }
  });
});

describe('backoffDelay', () => {
  it('doubles per retry up to 5s', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(250, n))).toEqual([250, 500, 1000, 2000]);
    expect(backoffDelay(250, 10)).toBe(5000);
  });
});
