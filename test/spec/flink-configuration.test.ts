/* eslint-disable @typescript-eslint/no-explicit-any -- test fixtures are edited as plain objects */
import { Testing } from 'cdk8s';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { effectiveSpec, FlinkBlueGreenPipeline, normalizeFlinkConfiguration } from '../../lib/index.js';
import { loadPipelineText } from '../../lib/spec/load.js';
import { runCli } from '../support/cli.js';
import { stagedPipeline, steadyPipeline, tempDir } from '../support/pipelines.js';

const rendered = (spec: unknown, color: 'blue' | 'green') => {
  const chart = Testing.chart();
  new FlinkBlueGreenPipeline(chart, 'orders', { spec });
  return (Testing.synth(chart) as any[]).find(
    (o) => o.kind === 'FlinkDeployment' && o.metadata.name === `orders-${color}`,
  ).spec.flinkConfiguration as Record<string, unknown>;
};

describe('normalizeFlinkConfiguration', () => {
  it('flattens nested maps to dotted keys, keeping values and order', () => {
    const r = normalizeFlinkConfiguration({
      'taskmanager.numberOfTaskSlots': '2',
      state: { backend: { type: 'rocksdb', incremental: true }, 'checkpoints.dir': 's3://b/chk' },
      'pipeline.classpaths': ['a.jar', 'b.jar'],
      'rest.port': null,
    });
    expect(r.conflicts).toEqual([]);
    expect(Object.entries(r.configuration)).toEqual([
      ['taskmanager.numberOfTaskSlots', '2'],
      ['state.backend.type', 'rocksdb'],
      ['state.backend.incremental', true],
      ['state.checkpoints.dir', 's3://b/chk'],
      ['pipeline.classpaths', ['a.jar', 'b.jar']],
      ['rest.port', null],
    ]);
    expect(normalizeFlinkConfiguration(undefined)).toEqual({ configuration: {}, conflicts: [] });
  });

  it('two forms of one key: one key when equal (as Flink reads them), a conflict when not', () => {
    expect(
      normalizeFlinkConfiguration({ 'a.b': '1', a: { b: 1 } }).conflicts, // "1" and 1 read alike
    ).toEqual([]);
    expect(normalizeFlinkConfiguration({ 'a.b': 'x', a: { b: 'y' } }).conflicts).toEqual([
      { key: 'a.b', first: ['a.b'], second: ['a', 'b'], values: ['x', 'y'] },
    ]);
  });
});

describe('nested and dotted keys of template and color', () => {
  // The template's dotted HA path is shared; green overrides it with a nested map of its own.
  const mixed = () =>
    stagedPipeline((p: any) => {
      p.spec.template.flinkConfiguration['high-availability.storageDir'] = 's3://b/ha/shared';
      p.spec.colors.green.flinkConfiguration = { 'high-availability': { storageDir: 's3://b/ha/green' } };
    });

  it('the rendered FlinkDeployment carries the dotted form only, with the color value', () => {
    const green = rendered(mixed(), 'green');
    expect(green['high-availability.storageDir']).toBe('s3://b/ha/green');
    expect(Object.keys(green).filter((k) => k.startsWith('high-availability'))).toEqual([
      'high-availability.storageDir',
    ]);
    expect(rendered(mixed(), 'blue')['high-availability.storageDir']).toBe('s3://b/ha/shared');
  });

  it('a nested template and a dotted color: the color wins, dotted only', () => {
    const spec = stagedPipeline((p: any) => {
      p.spec.template.flinkConfiguration = {
        state: { checkpoints: { dir: 's3://b/chk/shared' } },
        'kubernetes.operator.periodic.savepoint.interval': '1h',
      };
      p.spec.colors.green.flinkConfiguration = { 'state.checkpoints.dir': 's3://b/chk/{{color}}' };
    });
    expect(rendered(spec, 'green')).toEqual({
      'state.checkpoints.dir': 's3://b/chk/green',
      'kubernetes.operator.periodic.savepoint.interval': '1h',
    });
    const lp = loadPipelineText('p.yaml', stringify(spec)).pipelines[0]!;
    expect(effectiveSpec(lp.pipeline, 'blue').flinkConfiguration).toEqual({
      'state.checkpoints.dir': 's3://b/chk/shared',
      'kubernetes.operator.periodic.savepoint.interval': '1h',
    });
  });

  it('a null in the color removes the key of the template, whatever its form', () => {
    const spec = stagedPipeline((p: any) => {
      p.spec.template.flinkConfiguration['metrics.latency.interval'] = '30s';
      p.spec.colors.green.flinkConfiguration = { metrics: { latency: { interval: null } } };
    });
    expect(rendered(spec, 'green')).not.toHaveProperty('metrics.latency.interval');
    expect(rendered(spec, 'blue')['metrics.latency.interval']).toBe('30s');
  });

  it('check judges what is rendered: a shared path written nested in the color is caught', async () => {
    const spec = stagedPipeline((p: any) => {
      p.spec.template.flinkConfiguration['high-availability.storageDir'] = 's3://b/ha/{{color}}';
      p.spec.colors.green.flinkConfiguration = { 'high-availability': { storageDir: 's3://b/ha/blue' } };
    });
    const dir = tempDir({ 'orders.yaml': spec });
    const r = await runCli(['check', '--head', dir, '--format', 'json']);
    const j = JSON.parse(r.stdout) as { results: { ruleId: string; path: string }[] };
    expect(j.results.filter((f) => f.ruleId === 'shared-state-paths').map((f) => f.path)).toContain(
      '/spec/colors/green/flinkConfiguration/high-availability/storageDir',
    );
    expect(r.code).toBe(1);
  });

  it('two forms of one key with different values in one map are an error at file:line', async () => {
    const spec = steadyPipeline((p: any) => {
      p.spec.template.flinkConfiguration['high-availability.storageDir'] = 's3://b/ha/{{color}}';
      p.spec.template.flinkConfiguration['high-availability'] = { storageDir: 's3://b/ha/shared' };
    });
    const text = stringify(spec);
    const d = loadPipelineText('p.yaml', text).diagnostics;
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({
      ruleId: 'schema',
      severity: 'error',
      file: 'p.yaml',
      path: '/spec/template/flinkConfiguration/high-availability/storageDir',
    });
    expect(d[0]!.line).toBe(text.split('\n').findIndex((l) => l.trim().startsWith('storageDir:')) + 1);
    expect(d[0]!.message).toMatch(
      /key high-availability.storageDir is set twice with different values: "s3:\/\/b\/ha\/\{\{color\}\}" as high-availability.storageDir .* and "s3:\/\/b\/ha\/shared" as high-availability: \{storageDir\}/,
    );
    expect(d[0]!.fix).toMatch(/write it once, as high-availability.storageDir/);

    const dir = tempDir({ 'orders.yaml': text });
    const r = await runCli(['check', '--head', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /error {3}schema {2}.*orders\.yaml:\d+:\d+ {2}\/spec\/template\/flinkConfiguration/,
    );
  });

  it('a conflict inside a color map is reported at the color', () => {
    const spec = stagedPipeline((p: any) => {
      p.spec.colors.green.flinkConfiguration = { 'a.b': 'x', a: { b: 'y' } };
    });
    const d = loadPipelineText('p.yaml', stringify(spec)).diagnostics;
    expect(d.map((x) => x.path)).toEqual(['/spec/colors/green/flinkConfiguration/a/b']);
  });

  it('the same value in both forms is fine', () => {
    const spec = steadyPipeline((p: any) => {
      p.spec.template.flinkConfiguration['state.checkpoints.dir'] = 's3://b/chk/{{pipeline}}/{{color}}';
      p.spec.template.flinkConfiguration.state = {
        checkpoints: { dir: 's3://b/chk/{{pipeline}}/{{color}}' },
      };
    });
    expect(loadPipelineText('p.yaml', stringify(spec)).diagnostics).toEqual([]);
  });
});
