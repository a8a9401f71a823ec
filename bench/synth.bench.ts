/**
 * Synth of generated projects (bench/support/corpus.ts: the example kinds, renamed), against the
 * floor: the same objects written with plain `yaml.stringify` (cdk8s's options, so the same bytes)
 * and `writeFileSync`, one file per pipeline, measured alternately in the same run:
 * - synth.1000: synth() of 1000 pipelines into an empty folder (loading, rendering, writing), as a
 *   ratio to synth.yaml-floor.1000 (goal: within 1.5×);
 * - synth.rss-per-pipeline: growth of synth's peak RSS from 1000 to 3000 pipelines, per pipeline,
 *   as a ratio to the floor's (goal: at most 40 KB), each a process of its own.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { renderLoaded } from '../lib/constructs/render.js';
import { synth } from '../lib/constructs/synth.js';
import { loadPipelineDir } from '../lib/spec/load.js';
import { pairedMedians, report, reportRatio } from './report.js';
import { corpusRepo } from './support/corpus.js';
import { cliPeakRssKb, scriptPeakRssKb } from './support/process.js';

const OPTS = { keepUndefined: true, lineWidth: 0, version: '1.1' } as const;
const floorYaml = (docs: unknown[]) => docs.map((d) => stringify(d, OPTS)).join('---\n');

function project(n: number) {
  const p = corpusRepo(n, 'fc-bench-synth-');
  const objects = renderLoaded(loadPipelineDir(p.pipelines).pipelines).map((r) => ({
    fileName: r.fileName,
    manifests: r.manifests,
  }));
  return { ...p, objects };
}

// Time: 1000 pipelines, synth vs the floor.
{
  const n = 1000;
  const { root, pipelines, objects } = project(n);
  const fresh = () => mkdtempSync(join(tmpdir(), 'fc-bench-synth-out-'));
  const outs: string[] = [];
  const [s, f] = pairedMedians(
    () => {
      const out = fresh();
      outs.push(out);
      synth({ pipelinesDir: pipelines, outDir: out, config: {} });
    },
    () => {
      const out = fresh();
      outs.push(out);
      for (const o of objects) writeFileSync(join(out, o.fileName), floorYaml(o.manifests));
    },
    3,
  );
  reportRatio(`synth.${n}`, s, `synth.yaml-floor.${n}`, f);
  report({ name: `synth.yaml-floor.${n}`, value: +f.toFixed(1), unit: 'ms', baseline: null, ratio: null });
  report({
    name: `synth.per-pipeline.${n}`,
    value: +((s / n) * 1000).toFixed(1),
    unit: 'us',
    baseline: null,
    ratio: null,
  });
  for (const o of outs) rmSync(o, { recursive: true, force: true });
  rmSync(root, { recursive: true, force: true });
}

// Memory: peak RSS at 1000 and 3000 pipelines, synth (the CLI) and the floor, each in a process.
{
  const rss: Record<string, Record<number, number>> = { synth: {}, floor: {} };
  for (const n of [1000, 3000]) {
    const { root, objects } = project(n);
    const json = join(root, 'objects.json');
    writeFileSync(json, JSON.stringify(objects));
    const out = mkdtempSync(join(tmpdir(), 'fc-bench-synth-out-'));
    rss.synth![n] = cliPeakRssKb(['synth', '--out', out], root);
    rss.floor![n] = scriptPeakRssKb(
      `import { readFileSync, writeFileSync } from 'node:fs';
import { stringify } from ${JSON.stringify(import.meta.resolve('yaml'))};
const objects = JSON.parse(readFileSync(${JSON.stringify(json)}, 'utf8'));
for (const o of objects) writeFileSync(${JSON.stringify(out)} + '/' + o.fileName, o.manifests.map((d) => stringify(d, ${JSON.stringify(OPTS)})).join('---\\n'));`,
      root,
    );
    rmSync(out, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
    report({
      name: `synth.rss.${n}`,
      value: Math.round(rss.synth![n]! / 1024),
      unit: 'MB',
      baseline: `synth.rss-floor.${n}`,
      ratio: +(rss.synth![n]! / rss.floor![n]!).toFixed(3),
    });
    report({
      name: `synth.rss-floor.${n}`,
      value: Math.round(rss.floor![n]! / 1024),
      unit: 'MB',
      baseline: null,
      ratio: null,
    });
  }
  const per = (k: string) => (rss[k]![3000]! - rss[k]![1000]!) / 2000;
  report({
    name: 'synth.rss-per-pipeline',
    value: +per('synth').toFixed(1),
    unit: 'KB',
    baseline: 'synth.rss-floor-per-pipeline',
    ratio: +(per('synth') / per('floor')).toFixed(3),
  });
  report({
    name: 'synth.rss-floor-per-pipeline',
    value: +per('floor').toFixed(1),
    unit: 'KB',
    baseline: null,
    ratio: null,
  });
}
