import { execFile, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { gitopsRepoFiles, REPO_WORKFLOW_FILE } from '../../lib/repo/init-repo.js';
import { runCli } from '../support/cli.js';
import { GIT_ENV } from '../support/git.js';

// Asynchronous, so the test worker keeps answering vitest while npm packs and installs.
const run = promisify(execFile);
const npmEnv = {
  ...process.env,
  npm_config_fund: 'false',
  npm_config_audit: 'false',
  npm_config_update_notifier: 'false',
};

interface Step {
  name?: string;
  run?: string;
  if?: string;
  uses?: string;
}

describe('gitopsRepoFiles', () => {
  it('depends on flink-cutover, points editors into node_modules/flink-cutover/schemas and runs synth --check, check (SARIF) and plan (PR comment)', () => {
    const files = gitopsRepoFiles({ name: 'p', repoURL: 'https://git.example.com/p.git' });
    expect(JSON.parse(files['package.json']!).dependencies['flink-cutover']).toMatch(/^\^\d+\.\d+\.\d+/);
    expect(files['apps/pipelines/example.yaml']).toMatch(
      /^# yaml-language-server: \$schema=\.\.\/\.\.\/node_modules\/flink-cutover\/schemas\/pipeline\.schema\.json\n/,
    );
    expect(files['flink-cutover.yaml']).toMatch(
      /^# yaml-language-server: \$schema=node_modules\/flink-cutover\/schemas\/project-config\.schema\.json\n/,
    );
    expect(parse(files['flink-cutover.yaml']!)).toMatchObject({
      verify: { image: expect.stringMatching(/:/) },
      argocd: { repoURL: 'https://git.example.com/p.git' },
    });
    const wf = parse(files[REPO_WORKFLOW_FILE]!) as {
      permissions: Record<string, string>;
      jobs: Record<string, { steps: Step[] }>;
    };
    const steps = Object.values(wf.jobs)[0]!.steps;
    const runs = steps.map((s) => s.run ?? '').join('\n');
    expect(runs).toContain('flink-cutover synth --pipelines "$PIPELINES" --out dist --check');
    expect(runs).toContain('--format sarif');
    expect(steps.some((s) => s.uses?.startsWith('github/codeql-action/upload-sarif'))).toBe(true);
    expect(runs).toMatch(/gh pr comment .* --body-file flink-cutover-plan\.md/);
    expect(runs).toContain('kubectl get configmaps');
    expect(wf.permissions).toMatchObject({ 'security-events': 'write', 'pull-requests': 'write' });
    const setup = steps.find((s) => s.uses?.startsWith('actions/setup-node')) as {
      with: { 'node-version': number };
    };
    expect([22, 24]).toContain(setup.with['node-version']);
  });

  it('without a repo URL the argocd section stays commented out (synth renders no Applications)', () => {
    expect(parse(gitopsRepoFiles({ name: 'p' })['flink-cutover.yaml']!).argocd).toBeUndefined();
  });

  it('init-repo refuses a non-empty folder and writes nothing there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fc-init-repo-'));
    try {
      writeFileSync(join(dir, 'keep.txt'), 'x');
      const r = await runCli(['init-repo', dir]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('is not empty');
      expect(readdirSync(dir)).toEqual(['keep.txt']);
      expect(readdirSync(dirname(dir)).filter((f) => f.includes('.init-repo.'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * The packed package makes a repo, the repo installs it, and the workflow's own commands (taken
 * from the generated workflow file, run with bash) pass there: synth --check, check (text and
 * SARIF), plan. Slow (npm pack builds; two npm installs), so one suite shares the setup.
 */
describe('a GitOps repo from the packed tarball', () => {
  let work: string;
  let repo: string;
  let steps: Step[];
  let env: Record<string, string>;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'fc-gitops-'));
    mkdirSync(join(work, 'pack'));
    await run('npm', ['pack', '--pack-destination', join(work, 'pack')], { cwd: resolve('.'), env: npmEnv });
    const tgz = join(
      work,
      'pack',
      readdirSync(join(work, 'pack')).find((f) => f.endsWith('.tgz'))!,
    );
    // The packed CLI, installed like a user would, makes the repo.
    mkdirSync(join(work, 'tool'));
    writeFileSync(join(work, 'tool', 'package.json'), '{"name":"tool","version":"0.0.0","private":true}\n');
    await run(
      'npm',
      ['install', '--omit=dev', '--no-package-lock', '--prefer-offline', '--loglevel=error', tgz],
      { cwd: join(work, 'tool'), env: npmEnv },
    );
    repo = join(work, 'my-pipelines');
    await run(join(work, 'tool', 'node_modules', '.bin', 'flink-cutover'), [
      'init-repo',
      repo,
      '--dependency',
      `file:${tgz}`,
      '--repo-url',
      'https://git.example.com/acme/my-pipelines.git',
    ]);
    await run('npm', ['install', '--prefer-offline', '--loglevel=error'], { cwd: repo, env: npmEnv });
    const git = (...args: string[]) =>
      run('git', args, {
        cwd: repo,
        env: GIT_ENV,
      });
    await git('init', '-q', '-b', 'main');
    await git('add', '.');
    await git('commit', '-q', '-m', 'init');
    await git('update-ref', 'refs/remotes/origin/main', 'HEAD');
    await git('checkout', '-q', '-b', 'stage-example');
    const wf = parse(readFileSync(join(repo, REPO_WORKFLOW_FILE), 'utf8')) as {
      jobs: Record<string, { env: Record<string, string>; steps: Step[] }>;
    };
    const job = Object.values(wf.jobs)[0]!;
    steps = job.steps;
    env = {
      ...(process.env as Record<string, string>),
      PIPELINES: job.env.PIPELINES!,
      BASE_REF: 'origin/main',
      STATUS_ARGS: '',
      GITHUB_OUTPUT: join(work, 'github-output'),
      GITHUB_STEP_SUMMARY: join(work, 'summary.md'),
      RUNNER_TEMP: work,
    };
    writeFileSync(env.GITHUB_OUTPUT!, '');
    writeFileSync(env.GITHUB_STEP_SUMMARY!, '');
  }, 600_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const runStep = (name: string) => {
    const step = steps.find((s) => s.name === name);
    if (!step?.run) throw new Error(`the workflow has no step "${name}" with a run script`);
    return spawnSync('bash', ['-eo', 'pipefail', '-c', step.run], { cwd: repo, env, encoding: 'utf8' });
  };

  it('has the editor schema paths resolving inside node_modules/flink-cutover/schemas', () => {
    const spec = readFileSync(join(repo, 'apps/pipelines/example.yaml'), 'utf8');
    const schema = /\$schema=(\S+)/.exec(spec)![1]!;
    expect(existsSync(resolve(repo, 'apps/pipelines', schema))).toBe(true);
    const config = /\$schema=(\S+)/.exec(readFileSync(join(repo, 'flink-cutover.yaml'), 'utf8'))![1]!;
    expect(existsSync(resolve(repo, config))).toBe(true);
    expect(existsSync(join(repo, 'dist/streaming.example.k8s.yaml'))).toBe(true);
    expect(existsSync(join(repo, 'dist/argocd/applications.yaml'))).toBe(true);
  });

  it('the workflow steps pass on a pull request that stages a new image', () => {
    const specFile = join(repo, 'apps/pipelines/example.yaml');
    const steady = readFileSync(specFile, 'utf8');
    const stage = (...extra: string[]) =>
      spawnSync(
        join(repo, 'node_modules/.bin/flink-cutover'),
        [
          'stage',
          'example',
          '--image',
          'registry.example.com/streaming/example:1.1.0',
          '--from-savepoint',
          's3://flink-state/savepoints/example/blue/savepoint-1',
          ...extra,
        ],
        { cwd: repo, encoding: 'utf8' },
      );
    // With --no-synth only the spec changes: dist/ is stale, the workflow's synth step fails and says so.
    const specOnly = stage('--no-synth');
    expect(specOnly.status, specOnly.stderr).toBe(0);
    const stale = runStep('Rendered manifests are up to date');
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain('dist/streaming.example.k8s.yaml (differs or missing)');
    // The promotion command renders dist/ in the same edit.
    writeFileSync(specFile, steady);
    const staged = stage();
    expect(staged.status, staged.stderr).toBe(0);
    expect(staged.stdout).toContain('rendered dist/streaming.example.k8s.yaml');

    const synthStep = runStep('Rendered manifests are up to date');
    expect(synthStep.status, synthStep.stderr).toBe(0);

    const check = runStep('Check');
    expect(check.status, check.stderr).toBe(0);
    expect(readFileSync(env.GITHUB_OUTPUT!, 'utf8')).toContain('code=0');

    const sarif = runStep('Check (SARIF)');
    expect(sarif.status, sarif.stderr).toBe(0);
    const log = JSON.parse(readFileSync(join(repo, 'flink-cutover.sarif'), 'utf8')) as {
      version: string;
      runs: { tool: { driver: { name: string } } }[];
    };
    expect(log.version).toBe('2.1.0');
    expect(log.runs[0]!.tool.driver.name).toBe('flink-cutover');

    const plan = runStep('Plan');
    expect(plan.status, plan.stderr).toBe(0);
    const body = readFileSync(join(repo, 'flink-cutover-plan.md'), 'utf8');
    expect(body).toMatch(/^### flink-cutover plan\n```\n/);
    expect(body).toMatch(/example: stage/);
    expect(readFileSync(env.GITHUB_STEP_SUMMARY!, 'utf8')).toBe(body);
  }, 120_000);

  it('the check step reports an unsafe pull request (exit code 1 recorded for the failing step)', () => {
    const file = join(repo, 'apps/pipelines/example.yaml');
    const spec = readFileSync(file, 'utf8');
    try {
      // Sharing the active color's consumer group is refused.
      writeFileSync(file, spec.replace('consumerGroup: example-{{color}}', 'consumerGroup: example'));
      writeFileSync(env.GITHUB_OUTPUT!, '');
      const check = runStep('Check');
      expect(check.status).toBe(0);
      expect(readFileSync(env.GITHUB_OUTPUT!, 'utf8')).toContain('code=1');
      expect(check.stdout).toMatch(/::error /);
    } finally {
      writeFileSync(file, spec);
    }
  }, 60_000);
});
