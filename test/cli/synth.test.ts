/* eslint-disable @typescript-eslint/no-explicit-any -- test fixtures are edited as plain objects */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCli } from '../support/cli.js';
import { stagedPipeline, steadyPipeline, tempDir } from '../support/pipelines.js';

function snapshotDir(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .sort()
      .filter((f) => statSync(join(dir, f)).isFile())
      .map((f) => [f, readFileSync(join(dir, f), 'utf8')]),
  );
}

describe('flink-cutover synth', () => {
  it('writes one file per pipeline, plus the controller for all of them, and is deterministic', async () => {
    const dir = tempDir({
      'pipelines/a.yaml': steadyPipeline(),
      'pipelines/b.yaml': stagedPipeline((p) => (p.metadata.name = 'billing')),
    });
    const r1 = await runCli(['synth', '--pipelines', 'pipelines', '--out', 'out'], { cwd: dir });
    expect(r1.code).toBe(0);
    expect(r1.stdout).toContain('rendered 2 pipeline(s)');
    const first = snapshotDir(join(dir, 'out'));
    expect(Object.keys(first)).toEqual([
      'flink-cutover-controller.k8s.yaml',
      'streaming.billing.k8s.yaml',
      'streaming.orders.k8s.yaml',
    ]);
    // The controller may update exactly the two pipelines' status maps.
    expect(first['flink-cutover-controller.k8s.yaml']).toContain('- billing-cutover-status');
    expect(first['flink-cutover-controller.k8s.yaml']).toContain('- orders-cutover-status');
    const r2 = await runCli(['synth', '--pipelines', 'pipelines', '--out', 'out'], { cwd: dir });
    expect(r2.stdout).toContain('0 written, 3 unchanged');
    expect(snapshotDir(join(dir, 'out'))).toEqual(first);
  });

  it('--check passes when up to date and names stale, missing and extra files', async () => {
    const dir = tempDir({ 'pipelines/a.yaml': steadyPipeline() });
    await runCli(['synth', '--pipelines', 'pipelines', '--out', 'out'], { cwd: dir });
    expect(
      (await runCli(['synth', '--pipelines', 'pipelines', '--out', 'out', '--check'], { cwd: dir })).code,
    ).toBe(0);
    writeFileSync(join(dir, 'pipelines/a.yaml'), stringify(stagedPipeline()));
    writeFileSync(join(dir, 'out/old.k8s.yaml'), 'x');
    const before = snapshotDir(join(dir, 'out'));
    const r = await runCli(['synth', '--pipelines', 'pipelines', '--out', 'out', '--check'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('out/streaming.orders.k8s.yaml (differs or missing)');
    expect(r.stderr).toContain('out/old.k8s.yaml (no pipeline renders it)');
    expect(snapshotDir(join(dir, 'out'))).toEqual(before);
  });

  it('removes the files of deleted pipelines and leaves other files alone', async () => {
    const dir = tempDir({
      'pipelines/a.yaml': steadyPipeline(),
      'out/README.md': 'keep',
      'out/gone.k8s.yaml': 'x',
    });
    expect((await runCli(['synth', '--pipelines', 'pipelines', '--out', 'out'], { cwd: dir })).code).toBe(0);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual([
      'README.md',
      'flink-cutover-controller.k8s.yaml',
      'streaming.orders.k8s.yaml',
    ]);
  });

  const bad: [string, (p: any) => void, RegExp][] = [
    ['an unknown field', (p) => (p.spec.colours = {}), /unknown field "colours"/],
    ['a wrong type', (p) => (p.spec.template.job.parallelism = 'x'), /parallelism must be integer/],
    ['a bad enum', (p) => (p.spec.gate.mode = 'both'), /must be one of "filter", "tag"/],
    ['a bad duration', (p) => (p.spec.policy = { minLeadTime: '15 min' }), /not a duration/],
    [
      'a color other than blue/green',
      (p) => (p.spec.colors.purple = { image: 'x' }),
      /"purple" is not allowed/,
    ],
    [
      'a cutover to the active color',
      (p) => (p.spec.cutover = { generation: 1, to: 'blue', watermark: '2026-12-01T12:00:00Z' }),
      /already the active color/,
    ],
    ['a name too long for <name>-green-rest', (p) => (p.metadata.name = 'n'.repeat(60)), /at most 52/],
  ];
  for (const [what, patch, message] of bad) {
    it(`exits 1 with file:line:column for ${what} and leaves the output untouched`, async () => {
      const dir = tempDir({
        'pipelines/good.yaml': stagedPipeline((p) => (p.metadata.name = 'good')),
        'pipelines/bad.yaml': steadyPipeline(patch),
      });
      cpSync(join(dir, 'pipelines'), join(dir, 'pipelines-ok'), { recursive: true });
      writeFileSync(join(dir, 'pipelines-ok/bad.yaml'), stringify(steadyPipeline()));
      expect(
        (await runCli(['synth', '--pipelines', 'pipelines-ok', '--out', 'out'], { cwd: dir })).code,
      ).toBe(0);
      const before = snapshotDir(join(dir, 'out'));
      const r = await runCli(['synth', '--pipelines', 'pipelines', '--out', 'out'], { cwd: dir });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/pipelines\/bad\.yaml:\d+:\d+: error \[schema\]/);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toContain('nothing written');
      expect(snapshotDir(join(dir, 'out'))).toEqual(before);
    });
  }

  it('exits 1 for invalid YAML with line and column', async () => {
    const dir = tempDir({
      'pipelines/a.yaml':
        'apiVersion: flink-cutover.dev/v1alpha1\nkind: BlueGreenPipeline\nmetadata: {name: x\n',
    });
    const r = await runCli(['synth', '--pipelines', 'pipelines', '--out', 'out'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/pipelines\/a\.yaml:\d+:\d+: error \[schema\]: invalid YAML/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('exits 2 for a missing pipelines folder or an unknown option', async () => {
    const dir = tempDir();
    const r = await runCli(['synth', '--pipelines', 'nope'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--pipelines nope: no such folder');
    expect((await runCli(['synth', '--bogus'], { cwd: dir })).code).toBe(2);
  });

  it('has --help', async () => {
    const r = await runCli(['synth', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--check');
  });

  it('`cdk8s synth` (cdk8s-cli running the app of cdk8s.yaml) renders the same bytes as dist/', () => {
    const out = tempDir();
    execFileSync(join('node_modules', '.bin', 'cdk8s'), ['synth', '--output', out], {
      stdio: 'pipe',
      env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
    });
    expect(snapshotDir(out)).toEqual(snapshotDir('dist'));
  });
});
