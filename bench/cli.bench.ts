/**
 * Whole-process costs of the CLI as a pull request's CI runs it, on a generated project of 1000
 * pipelines of the example kinds (bench/support/corpus.ts) with one pipeline changed, each as a
 * ratio to `node -e 0` measured alternately in the same run (medians of paired runs):
 * - startup.help: `flink-cutover --help` (goal: within 2.5×);
 * - check.1000.base-ref / check.1000.base-dir: `check` with one pipeline changed (goal: 1 s);
 * - synth-check.1000.one-changed: `synth --check --base-ref main` on a pull request that changed one spec and its file (goal: 1 s),
 *   and synth-check.1000.full (`--full`, every pipeline rendered) for comparison;
 * - promote.1000.stage / promote.1000.abandon: `stage` of one pipeline of 1000 (its file edited
 *   and its dist file rendered again, checked against the merge base), then `abandon` of it, in
 *   turn, in the git repository (goal: 1 s each).
 * Each line with a goal names it (`goal`).
 * FLINK_CUTOVER_BENCH_CLI runs another build of the CLI (e.g. an older commit's) instead.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synth } from '../lib/constructs/synth.js';
import { pairedMedians, report, reportRatio } from './report.js';
import { corpusRepo, git } from './support/corpus.js';
import { CLI, node } from './support/process.js';

const cli = process.env.FLINK_CUTOVER_BENCH_CLI ?? CLI;
const N = Number(process.env.FLINK_CUTOVER_BENCH_N ?? 1000);
const RUNS = 5;
const { root, pipelines } = corpusRepo(N, 'fc-bench-cli-');
synth({ pipelinesDir: pipelines, outDir: join(root, 'dist') });
git(root, 'add', '.');
git(root, 'commit', '-q', '-m', 'dist');
git(root, 'branch', '-M', 'main');
git(root, 'checkout', '-q', '-b', 'pr');
const baseDir = mkdtempSync(join(tmpdir(), 'fc-bench-cli-base-'));
cpSync(pipelines, baseDir, { recursive: true });
// The pull request: one pipeline's active image changes (a finding), and synth has been run.
const changed = join(pipelines, 'orders-1.yaml');
writeFileSync(changed, readFileSync(changed, 'utf8').replace('orders:1.4.2', 'orders:1.4.3'));
synth({ pipelinesDir: pipelines, outDir: join(root, 'dist') });
git(root, 'commit', '-q', '-am', 'the pull request');

const nodeE0 = node(['-e', '0'], root);
const measure = (name: string, args: string[], goal?: string) => {
  const [v, b] = pairedMedians(node([cli, ...args], root), nodeE0, RUNS);
  reportRatio(name, v, 'node -e 0', b, goal);
  return [v, b] as const;
};
const NOW = ['--now', '2026-12-01T10:00:00Z'];
const [, e0] = measure('startup.help', ['--help'], '≤ 2.5× node -e 0');
measure('startup.check-help', ['check', '--help']);
const S1 = '≤ 1000 ms (stretch 500 ms)';
measure(`check.${N}.base-ref`, ['check', '--head', 'apps/pipelines', '--base-ref', 'main', ...NOW], S1);
measure(`check.${N}.base-dir`, ['check', '--head', 'apps/pipelines', '--base', baseDir, ...NOW], S1);
const [incr] = measure(
  `synth-check.${N}.one-changed`,
  ['synth', '--check', '--base-ref', 'main'],
  '≤ 1000 ms',
);
{
  // stage and abandon of one pipeline in turn: each undoes the other, so every run starts alike.
  const pipeline = 'orders-4';
  const stage = node(
    [
      cli,
      'stage',
      pipeline,
      '--image',
      'registry.example.com/streaming/orders:9.0.0',
      '--from-savepoint',
      's3://bench/sp',
      ...NOW,
    ],
    root,
  );
  const abandon = node([cli, 'abandon', pipeline, ...NOW], root);
  const time = (fn: () => void) => {
    const t0 = process.hrtime.bigint();
    fn();
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  const ts: number[] = [];
  const ta: number[] = [];
  const tb: number[] = [];
  const spec = () => readFileSync(join(pipelines, `${pipeline}.yaml`), 'utf8');
  stage();
  if (!spec().includes('orders:9.0.0')) throw new Error('bench: stage did not edit the spec');
  abandon();
  if (spec().includes('orders:9.0.0')) throw new Error('bench: abandon did not edit the spec');
  for (let i = 0; i < RUNS; i++) {
    ts.push(time(stage));
    tb.push(time(nodeE0));
    ta.push(time(abandon));
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  if (spec().includes('orders:9.0.0')) throw new Error('bench: abandon did not edit the spec');
  reportRatio(`promote.${N}.stage`, median(ts), 'node -e 0', median(tb), '≤ 1000 ms');
  reportRatio(`promote.${N}.abandon`, median(ta), 'node -e 0', median(tb), '≤ 1000 ms');
}
const [full] = pairedMedians(node([cli, 'synth', '--check', '--full'], root), nodeE0, 3);
reportRatio(`synth-check.${N}.full`, full, 'node -e 0', e0);
report({
  name: `synth-check.${N}.one-changed-vs-full`,
  value: +incr.toFixed(1),
  unit: 'ms',
  baseline: `synth-check.${N}.full`,
  ratio: +(incr / full).toFixed(3),
});
report({ name: 'startup.node-e-0', value: +e0.toFixed(1), unit: 'ms', baseline: null, ratio: null });
rmSync(root, { recursive: true, force: true });
rmSync(baseDir, { recursive: true, force: true });
