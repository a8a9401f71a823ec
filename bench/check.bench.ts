/**
 * Policy check cost on 200 pipelines (a mix of every lifecycle step between base and head):
 * - check.200.dirs: load base and head folders from disk and run every rule (what `check --base` does);
 * - check.200.base-ref: the same with base read from git (`check --base-ref HEAD`: ls-tree + one cat-file --batch);
 * - check.200.rules: the rules alone on already-loaded specs;
 * - check.200.load: loading and validating both folders, the floor the first two are compared with.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { checkPolicy } from '../lib/policy/engine.js';
import { loadPipelinesAtRef } from '../lib/policy/git.js';
import { loadPipelineDir } from '../lib/spec/load.js';
import { medianMs, report } from './report.js';

const N = 200;
const NOW = Date.parse('2026-12-01T10:00:00Z');

function pipeline(i: number, side: 'base' | 'head'): Record<string, unknown> {
  const name = `pipeline-${i}`;
  const kind = i % 4; // 0: steady→staged, 1: staged→cutover, 2: cutover→steady, 3: unchanged staged
  const blue = { image: `reg/${name}:1.0.${i}` };
  const green = { image: `reg/${name}:1.1.${i}`, initialSavepointPath: `s3://b/chk/${name}/blue/chk-${i}` };
  const cut = { generation: 1, to: 'green', watermark: '2026-12-01T12:00:00Z' };
  let spec: Record<string, unknown>;
  if (kind === 0)
    spec =
      side === 'base' ? { active: 'blue', colors: { blue } } : { active: 'blue', colors: { blue, green } };
  else if (kind === 1)
    spec =
      side === 'base'
        ? { active: 'blue', colors: { blue, green } }
        : { active: 'blue', colors: { blue, green }, cutover: cut };
  else if (kind === 2)
    spec =
      side === 'base'
        ? { active: 'blue', colors: { blue, green }, cutover: cut }
        : { active: 'green', colors: { green } };
  else spec = { active: 'blue', colors: { blue, green } };
  return {
    apiVersion: 'flink-cutover.dev/v1alpha1',
    kind: 'BlueGreenPipeline',
    metadata: {
      name,
      namespace: `team-${i % 17}`,
      labels: { team: `t${i % 5}` },
      ...(kind === 2 && side === 'head' ? { annotations: { 'flink-cutover.dev/last-generation': '1' } } : {}),
    },
    spec: {
      ...spec,
      template: {
        flinkVersion: 'v1_20',
        serviceAccount: 'flink',
        flinkConfiguration: {
          'taskmanager.numberOfTaskSlots': '2',
          state: {
            checkpoints: { dir: 's3://b/chk/{{pipeline}}/{{color}}' },
            'savepoints.dir': 's3://b/sp/{{pipeline}}/{{color}}',
          },
          'high-availability.storageDir': 's3://b/ha/{{pipeline}}/{{color}}',
          'table.exec.state.ttl': i % 10 === 0 ? '1 d' : '0',
        },
        jobManager: { resource: { memory: '2048m', cpu: 1 } },
        taskManager: { resource: { memory: '4096m', cpu: 2 } },
        job: {
          jarURI: `local:///opt/flink/usrlib/${name}.jar`,
          args: ['--group-id', '{{pipeline}}-{{color}}'],
          parallelism: 4 + (i % 8),
          upgradeMode: 'savepoint',
        },
      },
      gate: { mode: 'filter', lateness: '1m' },
      sources: [
        { name: 'in', kind: i % 25 === 0 ? 'kinesis' : 'kafka', consumerGroup: '{{pipeline}}-{{color}}' },
      ],
      sinks: [
        {
          name: 'out',
          kind: 'kafka',
          deliveryGuarantee: 'exactly-once',
          transactionalIdPrefix: '{{pipeline}}-{{color}}',
        },
      ],
    },
  };
}

const root = mkdtempSync(join(tmpdir(), 'fc-bench-check-'));
const baseDir = join(root, 'base');
const headDir = join(root, 'repo', 'pipelines');
mkdirSync(baseDir);
mkdirSync(headDir, { recursive: true });
for (let i = 0; i < N; i++) {
  writeFileSync(join(baseDir, `p${i}.yaml`), stringify(pipeline(i, 'base')));
  writeFileSync(join(headDir, `p${i}.yaml`), stringify(pipeline(i, 'base')));
}
const repo = join(root, 'repo');
const git = (...args: string[]) =>
  execFileSync('git', args, {
    cwd: repo,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'b',
      GIT_AUTHOR_EMAIL: 'b@x',
      GIT_COMMITTER_NAME: 'b',
      GIT_COMMITTER_EMAIL: 'b@x',
    },
  });
git('init', '-q');
git('add', '.');
git('commit', '-q', '-m', 'base');
for (let i = 0; i < N; i++) writeFileSync(join(headDir, `p${i}.yaml`), stringify(pipeline(i, 'head')));

const sanity = checkPolicy({ head: loadPipelineDir(headDir), base: loadPipelineDir(baseDir), now: NOW });
if (sanity.summary.pipelines !== N || sanity.summary.errors !== 0)
  throw new Error(
    `bench setup: ${JSON.stringify(sanity.summary)} ${sanity.results
      .slice(0, 3)
      .map((f) => f.message)
      .join('; ')}`,
  );

const load = medianMs(() => {
  loadPipelineDir(headDir);
  loadPipelineDir(baseDir);
});
const dirs = medianMs(() => {
  checkPolicy({ head: loadPipelineDir(headDir), base: loadPipelineDir(baseDir), now: NOW });
});
const baseRef = medianMs(() => {
  checkPolicy({
    head: loadPipelineDir(headDir),
    base: loadPipelinesAtRef(headDir, 'HEAD', 'pipelines'),
    now: NOW,
  });
});
const head = loadPipelineDir(headDir);
const base = loadPipelineDir(baseDir);
const rules = medianMs(() => {
  checkPolicy({ head, base, now: NOW });
}, 9);

report({
  name: `check.${N}.dirs`,
  value: +dirs.toFixed(1),
  unit: 'ms',
  baseline: `check.${N}.load`,
  ratio: +(dirs / load).toFixed(3),
});
report({
  name: `check.${N}.base-ref`,
  value: +baseRef.toFixed(1),
  unit: 'ms',
  baseline: `check.${N}.dirs`,
  ratio: +(baseRef / dirs).toFixed(3),
});
report({
  name: `check.${N}.rules`,
  value: +rules.toFixed(1),
  unit: 'ms',
  baseline: `check.${N}.load`,
  ratio: +(rules / load).toFixed(3),
});
report({ name: `check.${N}.load`, value: +load.toFixed(1), unit: 'ms', baseline: null, ratio: null });
report({
  name: `check.per-pipeline.${N}`,
  value: +((dirs / N) * 1000).toFixed(1),
  unit: 'us',
  baseline: null,
  ratio: null,
});
rmSync(root, { recursive: true, force: true });
