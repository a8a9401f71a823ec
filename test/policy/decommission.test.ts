/* eslint-disable @typescript-eslint/no-explicit-any -- test fixtures are edited as plain objects */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { cutoverPipeline, stagedPipeline, steadyPipeline, tempDir } from '../support/pipelines.js';
import { git } from '../support/git.js';

const NOW = ['--now', '2026-12-01T10:00:00Z'];

/** The first decommission step: the active color suspended with a savepoint, nothing else. */
const suspended = (patch?: (p: any) => void) =>
  steadyPipeline((p) => {
    p.spec.colors.blue.job = { state: 'suspended', upgradeMode: 'savepoint' };
    patch?.(p);
  });

async function check(base: object | undefined, head: object | undefined, ...extra: string[]) {
  const b = tempDir(base ? { 'orders.yaml': base } : {});
  const h = tempDir(head ? { 'orders.yaml': head } : {});
  const r = await runCli(['check', '--head', h, '--base', b, ...NOW, '--format', 'json', ...extra]);
  const j = JSON.parse(r.stdout || '{"results":[]}') as {
    results: { ruleId: string; severity: string; message: string; fix: string; path: string }[];
  };
  return { code: r.code, errors: j.results.filter((f) => f.severity === 'error'), stderr: r.stderr };
}

describe('decommissioning a pipeline (check --base DIR)', () => {
  it('PR 1: suspending the active color with a savepoint passes', async () => {
    const r = await check(steadyPipeline(), suspended());
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('PR 1 may set job.state in the template too', async () => {
    const r = await check(
      steadyPipeline(),
      steadyPipeline((p) => {
        p.spec.template.job.state = 'suspended';
      }),
    );
    expect(r.errors).toEqual([]);
  });

  it('PR 2: deleting the file passes once the base has it suspended', async () => {
    const r = await check(suspended(), undefined);
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('deleting a running pipeline is refused, and the fix gives the sequence', async () => {
    const r = await check(steadyPipeline(), undefined);
    expect(r.code).toBe(1);
    expect(r.errors.map((f) => f.ruleId)).toEqual(['pipeline-removed']);
    expect(r.errors[0]!.fix).toMatch(
      /in one pull request set only job.state: suspended and job.upgradeMode: savepoint on the active color.*then delete the file in the next pull request/,
    );
  });

  it('suspending without a savepoint is refused', async () => {
    const r = await check(
      steadyPipeline(),
      suspended((p) => {
        p.spec.colors.blue.job.upgradeMode = 'last-state';
      }),
    );
    expect(r.errors.map((f) => [f.ruleId, f.path])).toEqual([
      ['active-spec-changed', '/spec/colors/blue/job/state'],
    ]);
    expect(r.errors[0]!.message).toMatch(/upgradeMode last-state: the operator would stop it without/);
    expect(r.errors[0]!.fix).toMatch(/set job.upgradeMode: savepoint together with job.state: suspended/);
  });

  it('suspending together with another change is refused', async () => {
    const r = await check(
      steadyPipeline(),
      suspended((p) => {
        p.spec.colors.blue.image = 'reg/orders:1.4.3';
      }),
    );
    expect(r.errors.map((f) => [f.ruleId, f.path])).toEqual([
      ['active-spec-changed', '/spec/colors/blue/image'],
    ]);
    expect(r.errors[0]!.message).toMatch(
      /also changes image: a suspension is a decommission step of its own/,
    );
  });

  it('suspending while a standby is staged or a cutover is open is refused', async () => {
    for (const base of [stagedPipeline(), cutoverPipeline()]) {
      const head = JSON.parse(JSON.stringify(base));
      head.spec.colors.blue.job = { state: 'suspended', upgradeMode: 'savepoint' };
      const r = await check(base, head);
      expect(r.errors.map((f) => f.ruleId)).toContain('active-spec-changed');
      expect(r.errors.find((f) => f.ruleId === 'active-spec-changed')!.fix).toMatch(
        /abandon the promotion first/,
      );
    }
  });
});

describe('decommissioning a pipeline (check --base-ref, two commits)', () => {
  it('suspend, then delete: each step passes against the previous commit', async () => {
    const dir = tempDir({ 'p/orders.yaml': steadyPipeline() }, 'fc-decommission-');
    git(dir, 'init', '-q');
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'steady');
    const checkAtHead = () => runCli(['check', '--head', 'p', '--base-ref', 'HEAD~1', ...NOW], { cwd: dir });

    // Deleting it right away is refused.
    rmSync(join(dir, 'p', 'orders.yaml'));
    git(dir, 'commit', '-q', '-am', 'delete');
    const early = await checkAtHead();
    expect(early.code).toBe(1);
    expect(early.stdout).toMatch(/error {3}pipeline-removed/);
    git(dir, 'reset', '-q', '--hard', 'HEAD~1');

    writeFileSync(join(dir, 'p', 'orders.yaml'), stringify(suspended()));
    git(dir, 'commit', '-q', '-am', 'orders: suspend with a savepoint');
    const first = await checkAtHead();
    expect(first.stdout).toMatch(/ok to merge/);
    expect(first.code).toBe(0);

    rmSync(join(dir, 'p', 'orders.yaml'));
    git(dir, 'commit', '-q', '-am', 'orders: delete');
    const second = await checkAtHead();
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
  });
});
