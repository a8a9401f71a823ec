/* eslint-disable @typescript-eslint/no-explicit-any -- test fixtures are edited as plain objects */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { runCli } from '../support/cli.js';
import type { CliResult } from '../support/cli.js';
import { FakeJobManager } from '../support/fake-jobmanager.js';
import { stagedPipeline, tempDir } from '../support/pipelines.js';

/** Fast polling for tests. */
export const FAST = ['--interval', '50ms', '--request-timeout', '300ms', '--retries', '1'];

export interface Served {
  url: string;
  server: Server;
  hits: string[];
}

/** A tiny JSON server: `handler(path)` returns [status, body]. */
export async function serve(
  handler: (path: string, headers: Record<string, string | string[] | undefined>) => [number, unknown],
): Promise<Served> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const [status, body] = handler(req.url ?? '/', req.headers);
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, hits };
}

/** A staged pipeline spec file with a validation block (patched by `patch`). */
export function spec(patch: (p: any) => void = () => undefined, base = stagedPipeline): string {
  const dir = tempDir({
    'orders.yaml': base((p) => {
      p.spec.validation = {
        minRunning: '10m',
        minCompletedCheckpoints: 3,
        maxWatermarkLag: '1m',
        maxRestarts: 0,
      };
      patch(p);
    }),
  });
  return join(dir, 'orders.yaml');
}

/** Fake JobManagers for green (standby) and blue (active), fresh per test; servers closed after. */
export function useFakes(): {
  green: FakeJobManager;
  blue: FakeJobManager;
  servers: Server[];
  verify: (file: string, ...extra: string[]) => Promise<CliResult>;
  reopenGreen: () => Promise<void>;
} {
  const ctx = {
    green: undefined as unknown as FakeJobManager,
    blue: undefined as unknown as FakeJobManager,
    servers: [] as Server[],
    verify: (file: string, ...extra: string[]) =>
      runCli([
        'verify',
        '--spec',
        file,
        '--color',
        'green',
        '--rest',
        ctx.green.url,
        '--active-rest',
        ctx.blue.url,
        ...FAST,
        ...extra,
      ]),
    reopenGreen: async () => {
      ctx.green = await FakeJobManager.start();
    },
  };
  beforeEach(async () => {
    ctx.green = await FakeJobManager.start();
    ctx.blue = await FakeJobManager.start();
    const wm = Date.parse('2026-12-01T11:00:00Z');
    ctx.green.setWatermark(wm - 10_000);
    ctx.blue.setWatermark(wm);
  });
  afterEach(async () => {
    await ctx.green.close();
    await ctx.blue.close();
    for (const s of ctx.servers.splice(0)) await new Promise<void>((r) => s.close(() => r()));
  });
  return ctx;
}
