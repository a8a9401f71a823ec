import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { lockFile, lockPathOf, replaceFile, STALE_LOCK_MS } from '../../lib/policy/promote/write.js';
import { stagedPipeline, steadyPipeline, tempDir } from '../support/pipelines.js';
import {
  count,
  expectNoCrash,
  expectRefusal,
  expectUnchanged,
  reportCounts,
  runCase,
  runChild,
  snapshot,
} from './harness.js';
import { git } from '../support/git.js';

afterAll(() => reportCounts('files, times, promotion, PR check'));

const NOW = '2026-12-01T00:00:00Z';
const STAGE = ['--image', 'reg/orders:9', '--from-savepoint', 's3://b/sp/1', '--now', NOW];

/** A project with p/orders.yaml (steady) and a synthesized dist/. */
async function project(spec: object = steadyPipeline()): Promise<string> {
  const dir = tempDir({ 'p/orders.yaml': stringify(spec), 'package.json': '{"name":"x"}' });
  const r = await runCase(['synth', '--pipelines', 'p', '--out', 'dist'], { cwd: dir });
  expect(r.code).toBe(0);
  return dir;
}

describe('links and special files in the pipelines folder', () => {
  it.each([
    [
      'a symlink loop',
      (d: string) => {
        symlinkSync('loop-b.yaml', join(d, 'p/loop-a.yaml'));
        symlinkSync('loop-a.yaml', join(d, 'p/loop-b.yaml'));
      },
      'loop-a.yaml',
    ],
    ['a dangling link', (d: string) => symlinkSync('gone.yaml', join(d, 'p/dangling.yaml')), 'dangling.yaml'],
    ['a FIFO', (d: string) => execFileSync('mkfifo', [join(d, 'p/fifo.yaml')]), 'fifo.yaml'],
    ['a link to /dev/zero', (d: string) => symlinkSync('/dev/zero', join(d, 'p/zero.yaml')), 'zero.yaml'],
  ])(
    '%s is a diagnostic naming it (check, synth, stage), nothing written',
    async (_n, plant, name) => {
      const dir = await project();
      plant(dir);
      const watched = [join(dir, 'p'), join(dir, 'dist')];
      for (const argv of [
        ['check', '--head', 'p'],
        ['synth', '--pipelines', 'p', '--out', 'dist'],
        ['stage', 'orders', '--pipelines', 'p', ...STAGE],
      ]) {
        const before = watched.map(snapshot);
        // A child process: a blocking read of a FIFO would stall an in-process run past its deadline.
        const r = await runChild(argv, { cwd: dir });
        count('files: links and special files');
        expect(r.hung, `${argv[0]} hung`).toBe(false);
        if (argv[0] === 'stage') {
          // Another file's problem does not block editing orders.yaml; it must not crash either.
          expectNoCrash(r);
          expect(r.code).toBe(0);
          continue;
        }
        expectRefusal(r, { codes: [1], mention: name });
        expectUnchanged(before, watched);
      }
    },
    180_000,
  );

  it.each([['--status'], ['--from']])(
    '%s given a FIFO or /dev/zero is refused by name (exit 2)',
    async (flag) => {
      const dir = await project();
      execFileSync('mkfifo', [join(dir, 'fifo')]);
      for (const file of ['fifo', '/dev/zero', 'p']) {
        const argv =
          flag === '--from' ? ['init', '--from', file] : ['check', '--head', 'p', '--status', file];
        const r = await runChild(argv, { cwd: dir });
        count('files: not a regular file');
        expect(r.hung, `${argv.join(' ')} hung`).toBe(false);
        expectRefusal(r, { codes: [2], mention: `${flag} ${file}: ` });
        expect(r.stderr).toMatch(/not a regular file|EISDIR/);
      }
    },
    180_000,
  );
});

describe('hostile --status and init --from contents', () => {
  const bomb = (n: number) => {
    let y = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < n; i++)
      y += `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(', ')}]\n`;
    return y;
  };
  it('alias bombs, deep nesting and junk are diagnostics naming the file, never internal errors (generated)', async () => {
    const dir = await project();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.integer({ min: 2, max: 10 }).map(bomb),
          fc.integer({ min: 1, max: 20_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
          fc.integer({ min: 1, max: 5_000 }).map((n) => '{a: '.repeat(n) + '1' + '}'.repeat(n)),
          fc.constant(
            'kind: ConfigMap\nmetadata: {name: orders-cutover-status}\ndata: {generation: "1e300", phase: Armed}\n',
          ),
          fc.constant(
            'kind: ConfigMap\nmetadata: {name: orders-cutover-status}\ndata: {generation: "1", phase: Armed, armedAt: "2027-02-30T00:00:00Z"}\n',
          ),
          fc.constant(
            'kind: ConfigMap\nmetadata: {name: orders-cutover-status}\ndata: {generation: "1", phase: Armed, blue.watermark: "99999999999999999999"}\n',
          ),
          fc.constant('x: &a [*a]\n'),
          fc.string({ maxLength: 300 }),
        ),
        async (text) => {
          writeFileSync(join(dir, 'in.yaml'), text);
          for (const argv of [
            ['check', '--head', 'p', '--status', 'in.yaml'],
            ['init', '--from', 'in.yaml'],
          ]) {
            const r = await runCase(argv, { cwd: dir });
            count('files: hostile --status / --from');
            expectNoCrash(r);
            if (r.code !== 0) expect(r.stderr).toContain('in.yaml');
          }
        },
      ),
      { numRuns: 40, seed: 15 },
    );
  });
});

describe('times and durations', () => {
  it('out-of-range and impossible --at / --now are usage errors (generated)', async () => {
    const dir = await project(stagedPipeline());
    const before = [snapshot(join(dir, 'p'))];
    const month = fc.integer({ min: 1, max: 12 });
    const impossible = fc.tuple(fc.integer({ min: 2000, max: 2100 }), month).map(([y, m]) => {
      const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
      return `${y}-${String(m).padStart(2, '0')}-${days + 1}T00:00:00Z`;
    });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.bigInt({ min: 36_501n, max: 10n ** 30n }).map((d) => `+${d}d`),
          fc.bigInt({ min: 10n ** 13n, max: 10n ** 40n }).map((ms) => `+${ms}ms`),
          impossible,
          fc.constantFrom(
            '+100000000d',
            '275760-09-14T00:00:00Z',
            '2026-12-01T24:00:00Z',
            '2026-12-01T12:60:00Z',
            '2026-12-01T12:00:00+25:00',
            '',
            '+',
            '+-1s',
            'now',
          ),
        ),
        async (at) => {
          for (const argv of [
            ['schedule', 'orders', '--pipelines', 'p', '--at', at, '--now', NOW],
            ['check', '--head', 'p', '--now', at],
          ]) {
            const r = await runCase(argv, { cwd: dir });
            count('times: out of range or impossible');
            expectRefusal(r, { codes: [2], mention: at === '' ? /--(at|now)/ : at });
          }
          expectUnchanged(before, [join(dir, 'p')]);
        },
      ),
      { numRuns: 40, seed: 15 },
    );
  });
});

describe('synth output', () => {
  it('a folder where a rendered file goes, or dist under a file: exit 2 naming it, dist byte-identical', async () => {
    const dir = tempDir({
      'p/a.yaml': stringify(
        steadyPipeline((p) => {
          p.metadata.name = 'alpha';
        }),
      ),
      'p/orders.yaml': stringify(steadyPipeline()),
      'package.json': '{"name":"x"}',
    });
    expect((await runCase(['synth', '--pipelines', 'p', '--out', 'dist'], { cwd: dir })).code).toBe(0);
    // Change both specs, then put a folder where the second rendered file is.
    writeFileSync(
      join(dir, 'p/a.yaml'),
      stringify(
        steadyPipeline((p) => {
          p.metadata.name = 'alpha';
          p.metadata.labels.team = 'x';
        }),
      ),
    );
    writeFileSync(
      join(dir, 'p/orders.yaml'),
      stringify(
        steadyPipeline((p) => {
          p.metadata.labels.team = 'y';
        }),
      ),
    );
    rmSync(join(dir, 'dist/streaming.orders.k8s.yaml'));
    mkdirSync(join(dir, 'dist/streaming.orders.k8s.yaml'));
    const before = [snapshot(join(dir, 'dist'))];
    const r = await runCase(['synth', '--pipelines', 'p', '--out', 'dist'], { cwd: dir });
    count('synth: output preconditions');
    expectRefusal(r, { codes: [2], mention: 'streaming.orders.k8s.yaml is a folder' });
    expectUnchanged(before, [join(dir, 'dist')]);
    writeFileSync(join(dir, 'afile'), 'x');
    for (const out of ['afile/dist', 'afile']) {
      const s = await runCase(['synth', '--pipelines', 'p', '--out', out], { cwd: dir });
      count('synth: output preconditions');
      expectRefusal(s, { codes: [2], mention: 'afile' });
    }
  });

  it.skipIf(process.getuid?.() === 0)(
    'a read-only output folder: exit 2, nothing changed (skipped as root: root writes anyway)',
    async () => {
      const dir = await project();
      writeFileSync(
        join(dir, 'p/orders.yaml'),
        stringify(
          steadyPipeline((p) => {
            p.metadata.labels.team = 'y';
          }),
        ),
      );
      chmodSync(join(dir, 'dist'), 0o555);
      const before = [snapshot(join(dir, 'dist'))];
      const r = await runCase(['synth', '--pipelines', 'p', '--out', 'dist'], { cwd: dir });
      count('synth: output preconditions');
      expectRefusal(r, { codes: [2], mention: 'read-only' });
      expectUnchanged(before, [join(dir, 'dist')]);
    },
  );

  it('two pipelines rendering one object is an error naming both files', async () => {
    const dir = await project();
    writeFileSync(
      join(dir, 'p/other.yaml'),
      stringify(
        steadyPipeline((p) => {
          p.metadata.name = 'other';
          p.spec.colors.blue.deploymentName = 'orders-blue';
        }),
      ),
    );
    const before = [snapshot(join(dir, 'dist')), snapshot(join(dir, 'p'))];
    const r = await runCase(['synth', '--pipelines', 'p', '--out', 'dist'], { cwd: dir });
    count('synth: collisions');
    expectRefusal(r, {
      codes: [1],
      mention:
        /FlinkDeployment\S* streaming\/orders-blue is rendered both by \S*p\/orders\.yaml .* and by \S*p\/other\.yaml/,
    });
    expectUnchanged(before, [join(dir, 'dist'), join(dir, 'p')]);
  });
});

describe('init --out', () => {
  it('a folder there, a path under a file, a missing folder: exit 2 naming it, nothing written', async () => {
    const manifest = {
      apiVersion: 'flink.apache.org/v1beta1',
      kind: 'FlinkDeployment',
      metadata: { name: 'legacy-orders', namespace: 'streaming' },
      spec: {
        image: 'flink:1.20',
        flinkVersion: 'v1_20',
        serviceAccount: 'flink',
        job: { jarURI: 'local:///x.jar', parallelism: 2, upgradeMode: 'savepoint' },
      },
    };
    const dir = tempDir({ 'd.yaml': stringify(manifest), afile: 'x' });
    mkdirSync(join(dir, 'adir'));
    for (const out of ['adir', 'afile/p.yaml', 'missing/p.yaml']) {
      const before = [snapshot(dir)];
      const r = await runCase(['init', '--from', 'd.yaml', '--out', out, '--force'], { cwd: dir });
      count('init: output paths');
      expectRefusal(r, { codes: [2], mention: `--out ${out}` });
      expectUnchanged(before, [dir]);
    }
  });
});

describe('promotion edits', () => {
  it('never write through a planted link; keep the mode; leave no temp file', async () => {
    const dir = await project();
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'precious');
    symlinkSync(victim, join(dir, 'p/orders.yaml.flink-cutover-tmp'));
    chmodSync(join(dir, 'p/orders.yaml'), 0o640);
    const r = await runCase(['stage', 'orders', '--pipelines', 'p', ...STAGE], { cwd: dir });
    count('promotion: links, modes, locks');
    expect(r.code).toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(statSync(join(dir, 'p/orders.yaml')).mode & 0o777).toBe(0o640);
    expect(readFileSync(join(dir, 'p/orders.yaml'), 'utf8')).toContain('reg/orders:9');
    expect(
      execFileSync('ls', ['-a', join(dir, 'p')])
        .toString()
        .split('\n')
        .filter((f) => /tmp|lock/.test(f)),
    ).toEqual(['orders.yaml.flink-cutover-tmp']);
  });

  it('a spec that is a symbolic link is refused, not replaced by a file', async () => {
    const dir = await project();
    execFileSync('mv', [join(dir, 'p/orders.yaml'), join(dir, 'real.yaml')]);
    symlinkSync(join(dir, 'real.yaml'), join(dir, 'p/orders.yaml'));
    const before = [snapshot(join(dir, 'p')), snapshot(dir)];
    const r = await runCase(['stage', 'orders', '--pipelines', 'p', ...STAGE], { cwd: dir });
    count('promotion: links, modes, locks');
    expectRefusal(r, { codes: [1], mention: 'is a symbolic link' });
    expectUnchanged(before, [join(dir, 'p'), dir]);
  });

  it('temp files are exclusive: a planted file at the name fails the write, never follows it', () => {
    const dir = tempDir({ 'f.yaml': 'a: 1\n' });
    replaceFile(join(dir, 'f.yaml'), 'a: 2\n');
    count('promotion: links, modes, locks');
    expect(readFileSync(join(dir, 'f.yaml'), 'utf8')).toBe('a: 2\n');
  });

  it('a held lock refuses a second edit; a stale lock (dead process, or old) is taken over', () => {
    const dir = tempDir({ 'f.yaml': 'a: 1\n' });
    const file = join(dir, 'f.yaml');
    const release = lockFile(file, 'f.yaml');
    expect(() => lockFile(file, 'f.yaml')).toThrow(/another flink-cutover edit of f\.yaml is in progress/);
    release();
    writeFileSync(lockPathOf(file), '999999999 2026-01-01T00:00:00Z\n');
    lockFile(file, 'f.yaml')();
    writeFileSync(lockPathOf(file), `${process.pid} 2026-01-01T00:00:00Z\n`);
    lockFile(file, 'f.yaml', () => Date.now() + STALE_LOCK_MS + 1000)();
    count('promotion: links, modes, locks', 3);
  });

  it('8 parallel stage runs: exactly one edits, the rest refuse or find it staged; the file is one valid edit', async () => {
    const dir = await project();
    const runs = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        runChild(
          [
            'stage',
            'orders',
            '--pipelines',
            'p',
            '--image',
            `reg/orders:${i}`,
            '--from-savepoint',
            's3://b/sp/1',
            '--now',
            NOW,
          ],
          { cwd: dir, deadlineMs: 60_000 },
        ),
      ),
    );
    count('promotion: concurrent edits', 8);
    for (const r of runs) {
      expect(r.hung).toBe(false);
      expectNoCrash(r);
    }
    expect(runs.filter((r) => r.code === 0)).toHaveLength(1);
    for (const r of runs.filter((x) => x.code !== 0))
      expect(r.stdout + r.stderr).toMatch(/in progress|is Staged; stage needs it Steady/);
    const check = await runCase(['check', '--head', 'p'], { cwd: dir });
    expect(check.code).toBe(0);
    expect(execFileSync('ls', ['-a', join(dir, 'p')]).toString()).not.toMatch(/tmp|lock/);
  }, 180_000);

  it('abandon racing schedule: not both succeed', async () => {
    const dir = await project(stagedPipeline());
    const [a, s] = await Promise.all([
      runChild(['abandon', 'orders', '--pipelines', 'p', '--now', NOW], { cwd: dir, deadlineMs: 60_000 }),
      runChild(['schedule', 'orders', '--pipelines', 'p', '--at', '+1h', '--now', NOW], {
        cwd: dir,
        deadlineMs: 60_000,
      }),
    ]);
    count('promotion: concurrent edits', 2);
    expectNoCrash(a);
    expectNoCrash(s);
    expect([a.code, s.code].filter((c) => c === 0)).toHaveLength(1);
  }, 180_000);
});

describe('the PR check fails closed', () => {
  it('an invalid spec at base is an error naming it, not "no pipeline at base"', async () => {
    const dir = tempDir({ 'p/orders.yaml': stringify(cutoverBase()) });
    git(dir, 'init', '-q');
    writeFileSync(
      join(dir, 'p/orders.yaml'),
      stringify(cutoverBase()).replace('kind: BlueGreenPipeline', 'kind: BlueGreenPipeline\nbogus: 1'),
    );
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'broken base');
    // Head: the active color restarted with a new image.
    writeFileSync(
      join(dir, 'p/orders.yaml'),
      stringify(
        steadyPipeline((p) => {
          p.spec.colors.blue.image = 'reg/orders:6.6.6';
        }),
      ),
    );
    const r = await runCase(['check', '--head', 'p', '--base-ref', 'HEAD'], { cwd: dir });
    count('pr-check: broken base');
    expectRefusal(r, { codes: [1], mention: 'at base: unknown field "bogus"' });
    expect(r.stdout).toMatch(/p\/orders\.yaml:\d+/);
  });

  it('reads file names with tabs and newlines at --base-ref (NUL-separated trees)', async () => {
    const dir = tempDir({ 'p/tab\tname.yaml': stringify(steadyPipeline()) });
    git(dir, 'init', '-q');
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'base');
    // Head: the active color's image changed: a restart of the color that owns the output.
    writeFileSync(
      join(dir, 'p/tab\tname.yaml'),
      stringify(
        steadyPipeline((p) => {
          p.spec.colors.blue.image = 'reg/orders:6.6.6';
        }),
      ),
    );
    const r = await runCase(['check', '--head', 'p', '--base-ref', 'HEAD'], { cwd: dir });
    count('pr-check: broken base');
    expectRefusal(r, { codes: [1], mention: 'active-spec-changed' });
  });
});

function cutoverBase() {
  return steadyPipeline();
}
