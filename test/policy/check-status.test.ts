/* eslint-disable @typescript-eslint/no-explicit-any -- test fixtures are edited as plain objects */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { cutoverPipeline, steadyPipeline, tempDir } from '../support/pipelines.js';
import { git as gitIn } from '../support/git.js';

// The check after a cutover: base cuts over blue → green (#1 at 10:00), head tears blue down.
const NOW = ['--now', '2026-12-01T12:00:00Z'];
const base = () => tempDir({ 'orders.yaml': cutoverPipeline() });
const tornDown = () =>
  steadyPipeline((p: any) => {
    p.spec.active = 'green';
    p.spec.colors = {
      green: { image: 'reg/orders:1.5.0', initialSavepointPath: 's3://b/chk/orders/blue/chk-4711' },
    };
    p.metadata.annotations = { 'flink-cutover.dev/last-generation': '1' };
  });
const head = () => tempDir({ 'orders.yaml': tornDown() });

function statusFile(dir: string, name: string, data: Record<string, string>, namespace = 'streaming') {
  const file = join(dir, 'status.yaml');
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `${name}-cutover-status`, namespace },
      data,
    }),
  );
  return file;
}

const completed = { generation: '1', phase: 'Completed', completedAt: '2026-12-01T11:00:00Z' };

describe('check without the controller status', () => {
  it('refuses a teardown without --status (exit 1), naming the flag in the fix', async () => {
    const r = await runCli(['check', '--head', head(), '--base', base(), ...NOW]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/error {3}teardown-before-complete/);
    expect(r.stdout).toMatch(/--allow-unknown-status/);
    expect(r.stdout).not.toMatch(/ok to merge/);
  });

  it('passes with a status that says Completed', async () => {
    const dir = tempDir();
    const r = await runCli([
      'check',
      '--head',
      head(),
      '--base',
      base(),
      ...NOW,
      '--status',
      statusFile(dir, 'orders', completed),
    ]);
    expect(r.stdout).toMatch(/ok to merge/);
    expect(r.code).toBe(0);
  });

  it('a status file of another pipeline is a usage error naming the file and the pipeline', async () => {
    const dir = tempDir();
    const file = statusFile(dir, 'payments', completed);
    const r = await runCli(['check', '--head', head(), '--base', base(), ...NOW, '--status', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--status ${file}`);
    expect(r.stderr).toMatch(/pipeline streaming\/orders \(orders-cutover-status in namespace streaming\)/);
  });

  it('a status file of another namespace is a usage error too', async () => {
    const dir = tempDir();
    const file = statusFile(dir, 'orders', completed, 'staging');
    const r = await runCli(['check', '--head', head(), '--base', base(), ...NOW, '--status', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/streaming\/orders/);
  });

  it('a status file that lacks a pipeline taking no status step is fine', async () => {
    const dir = tempDir();
    const file = statusFile(dir, 'payments', completed);
    const steady = tempDir({ 'orders.yaml': steadyPipeline() });
    const r = await runCli(['check', '--head', steady, '--base', steady, ...NOW, '--status', file]);
    expect(r.code).toBe(0);
  });

  it('--allow-unknown-status downgrades to warnings and every format says so', async () => {
    const args = ['check', '--head', head(), '--base', base(), ...NOW, '--allow-unknown-status'];
    const text = await runCli(args);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/warning teardown-before-complete/);
    expect(text.stdout).toMatch(/checked WITHOUT the controller's status \(--allow-unknown-status\)/);
    expect(text.stdout).not.toMatch(/ok to merge/);

    const json = JSON.parse((await runCli([...args, '--format', 'json'])).stdout) as any;
    expect(json.summary).toEqual({ errors: 0, warnings: 1, pipelines: 1, withoutStatus: true });
    expect(json.notice).toMatch(/WITHOUT the controller's status/);

    const sarif = JSON.parse((await runCli([...args, '--format', 'sarif'])).stdout) as any;
    expect(sarif.runs[0].properties.withoutStatus).toBe(true);
    expect(sarif.runs[0].invocations[0].toolExecutionNotifications[0].message.text).toMatch(
      /WITHOUT the controller's status/,
    );

    const gh = (await runCli([...args, '--format', 'github'])).stdout;
    expect(gh).toMatch(/^::warning title=flink-cutover check without status::checked WITHOUT/m);

    const junit = (await runCli([...args, '--format', 'junit'])).stdout;
    expect(junit).toMatch(/<property name="flink-cutover.status" value="checked WITHOUT the controller/);
  });

  it('without the flag no format carries the notice', async () => {
    const steady = tempDir({ 'orders.yaml': steadyPipeline() });
    for (const format of ['text', 'json', 'sarif', 'github', 'junit']) {
      const r = await runCli(['check', '--head', steady, '--format', format]);
      expect(r.stdout, format).not.toMatch(/WITHOUT the controller/);
    }
  });

  it('--status and --allow-unknown-status together are a usage error', async () => {
    const dir = tempDir();
    const r = await runCli([
      'check',
      '--head',
      head(),
      '--status',
      statusFile(dir, 'orders', completed),
      '--allow-unknown-status',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not both/);
  });
});

describe('check --head default and labels', () => {
  it('--head defaults to apps/pipelines (also with --base-ref)', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'apps', 'pipelines'), { recursive: true });
    writeFileSync(join(dir, 'apps', 'pipelines', 'orders.yaml'), JSON.stringify(steadyPipeline()));
    const r = await runCli(['check'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1 pipeline\(s\) checked/);
    // --base-ref without --head reads the same default folder (here: not a git repository).
    const g = await runCli(['check', '--base-ref', 'main'], { cwd: dir });
    expect(g.code).toBe(2);
    expect(g.stderr).toMatch(/^[^\n]*--base-ref main: /);
    expect(g.stderr).not.toMatch(/--head/);
  });

  it('check --base-ref main without --head compares apps/pipelines with main', async () => {
    const dir = tempDir({ 'apps/pipelines/orders.yaml': steadyPipeline() });
    const git = (...args: string[]) => gitIn(dir, ...args);
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-q', '-m', 'steady');
    // The PR restarts the active color: judged against main, so refused.
    writeFileSync(
      join(dir, 'apps', 'pipelines', 'orders.yaml'),
      JSON.stringify(steadyPipeline((p: any) => (p.spec.colors.blue.image = 'reg/orders:1.4.3'))),
    );
    const r = await runCli(['check', '--base-ref', 'main', ...NOW], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/error {3}active-spec-changed {2}\S*apps\/pipelines\/orders\.yaml:/);
  });

  it('a spec invalid at head is labelled as invalid, not removed', async () => {
    const b = tempDir({ 'orders.yaml': steadyPipeline() });
    const h = tempDir({
      'orders.yaml': steadyPipeline((p: any) => {
        p.spec.gate.lateness = '5 minutes';
      }),
    });
    const r = await runCli(['check', '--head', h, '--base', b]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^orders \(Steady → invalid at head\)$/m);
    expect(r.stdout).not.toMatch(/removed/);
  });
});
