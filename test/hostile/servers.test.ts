import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import fc from 'fast-check';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getRaw } from '../../lib/flink/http.js';
import { readConfigMap } from '../../lib/verify/kube.js';
import { FlinkRestError } from '../../lib/flink/errors.js';
import { FakeJobManager } from '../support/fake-jobmanager.js';
import { cutoverPipeline, tempDir } from '../support/pipelines.js';
import { spec } from '../verify/harness.js';
import { count, expectNoCrash, expectRefusal, reportCounts, runCase } from './harness.js';

afterAll(() => reportCounts('hostile servers'));

interface Hostile {
  url: string;
  server: Server;
  hits: string[];
  close(): Promise<void>;
}

/** A hostile HTTP server on 127.0.0.1: `handle` does what it likes with each request. */
async function hostile(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<Hostile> {
  const hits: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    handle(req, res);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    server,
    hits,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** A spec whose validation a healthy fake JobManager passes at once. */
const easySpec = () =>
  spec((p) => {
    p.spec.validation = { minRunning: '0s', minCompletedCheckpoints: 0, maxRestarts: 10 };
  });

const FAST = ['--interval', '50ms', '--request-timeout', '300ms', '--retries', '1'];

let good: FakeJobManager;
const open: Hostile[] = [];
beforeEach(async () => {
  good = await FakeJobManager.start();
});
afterEach(async () => {
  await good.close();
  for (const h of open.splice(0)) await h.close();
});

async function server(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<Hostile> {
  const h = await hostile(handle);
  open.push(h);
  return h;
}

describe('redirects', () => {
  it('verify passes against the healthy JobManager itself (the baseline the redirects below must not reach)', async () => {
    const r = await runCase([
      'verify',
      '--spec',
      easySpec(),
      '--color',
      'green',
      '--rest',
      good.url,
      '--active-rest',
      good.url,
      ...FAST,
      '--timeout',
      '2s',
    ]);
    expect(r.code).toBe(0);
  });

  it('never follows a redirect to another origin: a failed request naming both URLs (generated statuses and targets)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(301, 302, 303, 307, 308),
        fc.constantFrom('good', 'link-local', 'other-scheme', 'localhost-name'),
        async (status, target) => {
          const to = (path: string) =>
            target === 'good'
              ? `${good.url}${path}`
              : target === 'link-local'
                ? `http://169.254.169.254${path}`
                : target === 'other-scheme'
                  ? `https://127.0.0.1:1${path}`
                  : `${good.url.replace('127.0.0.1', 'localhost')}${path}`;
          const redirector = await server((req, res) => {
            res.writeHead(status, { location: to(req.url ?? '/') });
            res.end();
          });
          const r = await runCase([
            'verify',
            '--spec',
            easySpec(),
            '--color',
            'green',
            '--rest',
            redirector.url,
            ...FAST,
            '--timeout',
            '300ms',
          ]);
          count('http: cross-origin redirect');
          expectRefusal(r, { codes: [1], mention: 'another origin: not followed' });
          expect(r.stdout).toContain(`${redirector.url}/jobs/overview`);
          expect(r.stdout).toContain(new URL(to('/jobs/overview')).origin);
          expect(r.stdout).not.toMatch(/PASSED/);
        },
      ),
      { numRuns: 12, seed: 15 },
    );
  });

  it('follows a redirect within the same origin', async () => {
    const same = await server((req, res) => {
      if (req.url?.startsWith('/moved')) {
        // Proxy to the good JobManager.
        fetch(`${good.url}${req.url.slice('/moved'.length)}`).then(
          async (g) => {
            res.writeHead(g.status, { 'content-type': 'application/json' });
            res.end(await g.text());
          },
          () => res.destroy(),
        );
        return;
      }
      res.writeHead(302, { location: `/moved${req.url}` });
      res.end();
    });
    const r = await runCase([
      'verify',
      '--spec',
      easySpec(),
      '--color',
      'green',
      '--rest',
      same.url,
      '--active-rest',
      good.url,
      ...FAST,
      '--timeout',
      '2s',
    ]);
    count('http: cross-origin redirect');
    expect(r.code).toBe(0);
  });

  it('the Kubernetes client follows no redirect and names both URLs', async () => {
    const api = await server((_req, res) => {
      res.writeHead(307, { location: 'http://169.254.169.254/latest/meta-data/' });
      res.end();
    });
    const err = await readConfigMap({ apiUrl: api.url, token: 't' }, 'streaming', 'orders-cutover').catch(
      (e: unknown) => e,
    );
    count('http: cross-origin redirect');
    expect(err).toBeInstanceOf(FlinkRestError);
    expect((err as Error).message).toContain(
      `${api.url}/api/v1/namespaces/streaming/configmaps/orders-cutover`,
    );
    expect((err as Error).message).toContain('http://169.254.169.254/latest/meta-data/');
  });
});

describe('bounded bodies and deadlines', () => {
  it('caps every response body (an endless body from the JobManager, Prometheus, an HTTP check, the API server)', async () => {
    const endless = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(1 << 20, 0x20);
      const pump = () => {
        while (res.write(chunk)) {
          /* fill the socket */
        }
        res.once('drain', pump);
      };
      res.on('error', () => undefined);
      pump();
    });
    const raw = await getRaw(`${endless.url}/x`, 'a body', {
      maxBodyBytes: 4 << 20,
      retries: 0,
      timeoutMs: 20_000,
    }).catch((e: unknown) => e);
    count('http: unbounded body');
    expect((raw as Error).message).toMatch(/longer than the 4194304 bytes read/);
    const api = await readConfigMap(
      { apiUrl: endless.url, maxBodyBytes: 1 << 20, timeoutMs: 20_000 },
      'ns',
      'cm',
    ).catch((e: unknown) => e);
    count('http: unbounded body');
    expect((api as Error).message).toMatch(/longer than the 1048576 bytes read/);
    const r = await runCase([
      'verify',
      '--spec',
      easySpec(),
      '--color',
      'green',
      '--rest',
      endless.url,
      '--interval',
      '50ms',
      '--request-timeout',
      '20s',
      '--retries',
      '0',
      '--timeout',
      '1ms',
    ]);
    count('http: unbounded body');
    expectRefusal(r, { codes: [1], mention: /longer than the \d+ bytes read|within the timeout/ });
  });

  it('a slow drip and a silent server end at the wall-clock deadline; --timeout bounds the whole run', async () => {
    const drip = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const t = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(t));
    });
    const silent = await server(() => undefined);
    for (const h of [drip, silent]) {
      // Each request may take 5s and is retried twice: without a deadline for the run this is 16s+;
      // with it, --timeout 1s ends after at most one retry (about 10s); the harness's deadline of 13s
      // makes anything longer a hang.
      const r = await runCase(
        [
          'verify',
          '--spec',
          easySpec(),
          '--color',
          'green',
          '--rest',
          h.url,
          '--interval',
          '50ms',
          '--request-timeout',
          '5s',
          '--retries',
          '2',
          '--timeout',
          '1s',
        ],
        { deadlineMs: 13_000 },
      );
      count('http: slow or silent server');
      expectRefusal(r, { codes: [1], mention: 'within the timeout' });
    }
    const slowApi = await readConfigMap({ apiUrl: drip.url, timeoutMs: 300 }, 'ns', 'cm').catch(
      (e: unknown) => e,
    );
    count('http: slow or silent server');
    expect((slowApi as FlinkRestError).failure.problem).toBe('timeout');
  }, 60_000);

  it('an approval file that is a FIFO or a device is refused by name, not read forever', async () => {
    const file = spec((p) => void (p.spec.validation.approval = true), cutoverPipeline);
    for (const dev of ['/dev/zero', '/dev/null']) {
      const r = await runCase([
        'verify',
        '--spec',
        file,
        '--color',
        'green',
        '--rest',
        good.url,
        ...FAST,
        '--timeout',
        '200ms',
        '--approval-file',
        dev,
      ]);
      count('files: not a regular file');
      expectRefusal(r, { codes: [2], mention: `${dev}: a character device, not a regular file` });
    }
  });
});

describe('a JobManager sending out-of-range values', () => {
  it('reports them, never crashes (generated watermarks and start times)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.constantFrom(8.64e15 + 1, 1e300, -1e300, Number.MAX_VALUE, 2 ** 63),
          fc.double({ noNaN: true }),
        ),
        async (w) => {
          good.setWatermark(w);
          good.job.startTime = Math.abs(w) > 1e16 ? 1 : good.job.startTime;
          const active = await FakeJobManager.start();
          try {
            active.setWatermark(Date.parse('2026-12-01T11:00:00Z'));
            const r = await runCase([
              'verify',
              '--spec',
              spec(),
              '--color',
              'green',
              '--rest',
              good.url,
              '--active-rest',
              active.url,
              ...FAST,
              '--timeout',
              '100ms',
            ]);
            count('http: out-of-range values');
            expectNoCrash(r);
            expect(r.code).not.toBe(2);
          } finally {
            await active.close();
          }
        },
      ),
      { numRuns: 15, seed: 15 },
    );
  });
});

describe('a service-account folder is not needed without an approval', () => {
  it('keeps working with --configmap when no approval is due', async () => {
    const dir = tempDir({});
    const r = await runCase(
      [
        'verify',
        '--spec',
        easySpec(),
        '--color',
        'green',
        '--rest',
        good.url,
        '--active-rest',
        good.url,
        ...FAST,
        '--timeout',
        '2s',
        '--configmap',
        'orders-cutover',
      ],
      { cwd: dir },
    );
    count('http: cross-origin redirect');
    expect(r.code).toBe(0);
  });
});
