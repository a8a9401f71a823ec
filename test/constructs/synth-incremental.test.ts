/**
 * `synth --check` renders only what git shows changed since the output folder was last committed,
 * and still fails on every stale, missing or extra file: each case against the full render.
 */
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { knownOutput, synth } from '../../lib/constructs/synth.js';
import { corpusRepo, git } from '../../bench/support/corpus.js';
import { runCli } from '../support/cli.js';

const { root, pipelines } = corpusRepo(24, 'fc-synth-incr-');
const out = join(root, 'dist');
synth({ pipelinesDir: pipelines, outDir: out });
git(root, 'add', '.');
git(root, 'commit', '-q', '-m', 'dist');
/** The commit whose output is trusted (a pull request's merge base). */
const BASE = git(root, 'rev-parse', 'HEAD').trim();
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeEach(() => {
  git(root, 'reset', '-q', '--hard');
  git(root, 'clean', '-q', '-fd');
});

function both(trustedBase = BASE) {
  const incremental = synth({ pipelinesDir: pipelines, outDir: out, check: true, trustedBase });
  const full = synth({ pipelinesDir: pipelines, outDir: out, check: true });
  expect(incremental.diagnostics).toStrictEqual(full.diagnostics);
  expect(incremental.changed).toStrictEqual(full.changed);
  expect(incremental.removed).toStrictEqual(full.removed);
  expect([...incremental.unchanged].sort()).toStrictEqual([...full.unchanged].sort());
  expect(incremental.rendered.map((r) => r.fileName)).toStrictEqual(full.rendered.map((r) => r.fileName));
  return incremental;
}

describe('synth --check, incremental', () => {
  it('up to date: nothing to render, every spec known from git', () => {
    const known = knownOutput(pipelines, out, BASE)!;
    expect(known.specs.size).toBe(24);
    expect(known.files.has('streaming.orders-1.k8s.yaml')).toBe(true);
    const r = both();
    expect(r.changed).toEqual([]);
    expect(r.removed).toEqual([]);
  });

  it('a spec changed without synth: its file is stale', () => {
    const f = join(pipelines, 'orders-4.yaml');
    writeFileSync(f, readFileSync(f, 'utf8').replace('parallelism: 8', 'parallelism: 9'));
    expect(knownOutput(pipelines, out, BASE)!.specs.has(f)).toBe(false);
    expect(both().changed).toEqual(['streaming.orders-4.k8s.yaml']);
  });

  it('a spec changed and committed without synth: still stale', () => {
    const f = join(pipelines, 'orders-4.yaml');
    writeFileSync(f, readFileSync(f, 'utf8').replace('parallelism: 8', 'parallelism: 9'));
    git(root, 'commit', '-q', '-am', 'spec only');
    expect(both().changed).toEqual(['streaming.orders-4.k8s.yaml']);
    git(root, 'reset', '-q', '--hard', 'HEAD~1');
  });

  it('a rendered file edited, missing, or extra', () => {
    appendFileSync(join(out, 'streaming.payments-5.k8s.yaml'), '# edited\n');
    rmSync(join(out, 'analytics.clickstream-3.k8s.yaml'));
    writeFileSync(join(out, 'streaming.gone.k8s.yaml'), 'kind: ConfigMap\n');
    const r = both();
    expect(r.changed.sort()).toEqual(['analytics.clickstream-3.k8s.yaml', 'streaming.payments-5.k8s.yaml']);
    expect(r.removed).toEqual(['streaming.gone.k8s.yaml']);
  });

  it('a rendered file edited by hand and committed: stale (only the merge base is trusted)', () => {
    appendFileSync(join(out, 'streaming.payments-5.k8s.yaml'), '# edited\n');
    git(root, 'commit', '-q', '-am', 'hand edit');
    try {
      expect(both().changed).toEqual(['streaming.payments-5.k8s.yaml']);
    } finally {
      git(root, 'reset', '-q', '--hard', 'HEAD~1');
    }
  });

  it('a new and a removed spec', () => {
    writeFileSync(
      join(pipelines, 'zz.yaml'),
      readFileSync(join(pipelines, 'orders-7.yaml'), 'utf8').replace('name: orders-7', 'name: zz'),
    );
    rmSync(join(pipelines, 'orders-10.yaml'));
    const r = both();
    expect(r.changed).toContain('streaming.zz.k8s.yaml');
    expect(r.changed).toContain('flink-cutover-controller.k8s.yaml');
    expect(r.removed).toEqual(['streaming.orders-10.k8s.yaml']);
  });

  it('the controller file edited, or a pipeline added with its rendered file but not the controller', () => {
    const f = join(pipelines, 'orders-4.yaml');
    writeFileSync(f, readFileSync(f, 'utf8').replace('parallelism: 8', 'parallelism: 9'));
    appendFileSync(join(out, 'flink-cutover-controller.k8s.yaml'), '# edited\n');
    expect(both().changed.sort()).toEqual([
      'flink-cutover-controller.k8s.yaml',
      'streaming.orders-4.k8s.yaml',
    ]);
    git(root, 'checkout', '-q', '--', 'dist');
    const committed = readFileSync(join(out, 'flink-cutover-controller.k8s.yaml'), 'utf8');
    writeFileSync(
      join(pipelines, 'zz.yaml'),
      readFileSync(join(pipelines, 'orders-7.yaml'), 'utf8').replace('name: orders-7', 'name: zz'),
    );
    synth({ pipelinesDir: pipelines, outDir: out });
    writeFileSync(join(out, 'flink-cutover-controller.k8s.yaml'), committed);
    expect(both().changed).toEqual(['flink-cutover-controller.k8s.yaml']);
  });

  it('a pipeline renamed in its file, synth run but the controller put back: the controller is stale', () => {
    const f = join(pipelines, 'orders-7.yaml');
    const committed = readFileSync(join(out, 'flink-cutover-controller.k8s.yaml'), 'utf8');
    writeFileSync(f, readFileSync(f, 'utf8').replace('name: orders-7', 'name: orders-seven'));
    synth({ pipelinesDir: pipelines, outDir: out });
    writeFileSync(join(out, 'flink-cutover-controller.k8s.yaml'), committed);
    expect(both().changed).toEqual(['flink-cutover-controller.k8s.yaml']);
  });

  it('with Argo CD files: one spec changed, or an Argo CD file edited', () => {
    writeFileSync(
      join(root, 'flink-cutover.yaml'),
      'argocd:\n  repoURL: https://git.example.com/flink.git\n',
    );
    synth({ pipelinesDir: pipelines, outDir: out });
    git(root, 'add', '.');
    git(root, 'commit', '-q', '-m', 'argocd');
    try {
      const f = join(pipelines, 'orders-4.yaml');
      writeFileSync(f, readFileSync(f, 'utf8').replace('parallelism: 8', 'parallelism: 9'));
      expect(both('HEAD').changed).toEqual(['streaming.orders-4.k8s.yaml']);
      appendFileSync(join(out, 'argocd', 'applications.yaml'), '# edited\n');
      expect(both('HEAD').changed.sort()).toEqual([
        'argocd/applications.yaml',
        'streaming.orders-4.k8s.yaml',
      ]);
    } finally {
      git(root, 'reset', '-q', '--hard', 'HEAD~1');
    }
  });

  it('a collision with a pipeline not rendered is found', () => {
    const f = join(pipelines, 'orders-7.yaml');
    writeFileSync(
      f,
      readFileSync(f, 'utf8').replace(
        'image: registry',
        'deploymentName: orders-4-blue\n      image: registry',
      ),
    );
    const r = both();
    expect(r.diagnostics.map((d) => d.message).join('\n')).toMatch(/orders-4-blue/);
  });

  it('anything else changed (configuration, lock file, code): everything is rendered', () => {
    writeFileSync(join(root, 'flink-cutover.yaml'), 'verify:\n  image: reg/verify:2\n');
    expect(knownOutput(pipelines, out, BASE)).toBeUndefined();
    expect(both().changed.length).toBeGreaterThan(10); // every file with a verify Job, and the controller
  });

  it('not a git repository: everything is rendered', () => {
    rmSync(join(root, '.git'), { recursive: true, force: true });
    try {
      expect(knownOutput(pipelines, out, BASE)).toBeUndefined();
    } finally {
      git(root, 'init', '-q');
    }
  });
});

describe('synth --check: which commit is trusted', () => {
  // A project on its default branch, then a pull request branch: the merge base is trusted, never
  // the commit being checked, and on the default branch itself nothing is.
  const { root: repo, pipelines: specs } = corpusRepo(6, 'fc-synth-base-');
  const dist = join(repo, 'dist');
  synth({ pipelinesDir: specs, outDir: dist });
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'dist');
  git(repo, 'branch', '-M', 'main');
  afterAll(() => rmSync(repo, { recursive: true, force: true }));
  const check = (...extra: string[]) =>
    runCli(['synth', '--pipelines', specs, '--out', dist, '--check', ...extra], { cwd: repo });
  const handEdit = (branch: string) => {
    git(repo, 'checkout', '-q', '-B', branch, 'main');
    appendFileSync(join(dist, 'streaming.orders-1.k8s.yaml'), '# edited by hand\n');
    git(repo, 'commit', '-q', '-am', 'hand edit');
  };

  it('a hand edit committed on a pull request branch is stale (the merge base with main is trusted)', async () => {
    handEdit('pr');
    const r = await check();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('streaming.orders-1.k8s.yaml (differs or missing)');
    git(repo, 'checkout', '-q', 'main');
  });

  it('a hand edit committed on main itself is stale (nothing is trusted there)', async () => {
    const before = git(repo, 'rev-parse', 'main').trim();
    git(repo, 'checkout', '-q', 'main');
    appendFileSync(join(dist, 'streaming.orders-1.k8s.yaml'), '# edited by hand\n');
    git(repo, 'commit', '-q', '-am', 'hand edit on main');
    try {
      const r = await check();
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('streaming.orders-1.k8s.yaml (differs or missing)');
      // Not even when told: the merge base with HEAD is HEAD, the commit being checked.
      expect((await check('--base-ref', 'HEAD')).code).toBe(1);
      expect((await check('--base-ref', 'main')).code).toBe(1);
    } finally {
      git(repo, 'reset', '-q', '--hard', before);
    }
  });

  it('--base-ref that names no commit is a usage error', async () => {
    const r = await check('--base-ref', 'no-such-branch');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--base-ref no-such-branch/);
  });
});
