import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from '../support/cli.js';
import { FakeJobManager } from '../support/fake-jobmanager.js';
import { steadyPipeline, tempDir } from '../support/pipelines.js';

describe('stage --from-latest-checkpoint --rest URL', () => {
  let blue: FakeJobManager;
  let dir: string;
  beforeEach(async () => {
    blue = await FakeJobManager.start();
    dir = tempDir({ 'pipelines/orders.yaml': steadyPipeline() });
  });
  afterEach(() => blue.close());

  const stage = (...extra: string[]) =>
    runCli(
      [
        'stage',
        'orders',
        '--pipelines',
        'pipelines',
        '--image',
        'reg/orders:1.5.0',
        '--from-latest-checkpoint',
        '--rest',
        blue.url,
        ...extra,
      ],
      { cwd: dir },
    );

  it("fills initialSavepointPath from the active job's latest retained checkpoint", async () => {
    blue.completeCheckpoints(3);
    const expected = blue.job.checkpoints.latestPath!;
    const r = await stage();
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(0);
    const spec = parse(readFileSync(join(dir, 'pipelines/orders.yaml'), 'utf8')) as {
      spec: { colors: Record<string, { image: string; initialSavepointPath?: string }> };
    };
    expect(spec.spec.colors.green).toMatchObject({
      image: 'reg/orders:1.5.0',
      initialSavepointPath: expected,
    });
    expect(blue.requests).toContain(`/jobs/${blue.job.jid}/checkpoints`);
  });

  it('refuses with a message naming the URL when the job has no retained checkpoint yet', async () => {
    blue.restart({ newJobId: true });
    const before = readFileSync(join(dir, 'pipelines/orders.yaml'), 'utf8');
    const r = await stage();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${blue.url}/jobs/${blue.job.jid}/checkpoints`);
    expect(r.stderr).toContain('has no completed checkpoint yet');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readFileSync(join(dir, 'pipelines/orders.yaml'), 'utf8')).toBe(before);
  });

  it('refuses with a message naming the URL when the JobManager is unreachable', async () => {
    const url = blue.url;
    await blue.close();
    const r = await stage('--dry-run');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`GET ${url}/jobs/overview: connection refused`);
    blue = await FakeJobManager.start(); // for afterEach
  });
});
