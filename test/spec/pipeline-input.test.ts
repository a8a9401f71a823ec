import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { DiagnosticError, FlinkBlueGreenPipeline, validatePipelineObject } from '../../lib/index.js';
import type { PipelineInput } from '../../lib/index.js';
import { minimalSpec } from './pipeline-input.types.js';

describe('a pipeline written in code (PipelineInput)', () => {
  it('validates with only the required fields, defaults applied', () => {
    const r = validatePipelineObject(minimalSpec);
    expect(r.diagnostics).toEqual([]);
    expect(r.pipeline!.spec.gate).toEqual({ mode: 'filter', lateness: '5m' });
    expect(r.pipeline!.spec.validation.http).toEqual([
      { name: 'ready', url: 'http://orders:8080/ready', expectStatus: 200 },
    ]);
    expect(r.pipeline!.spec.sources).toEqual([]);
  });

  it('renders through the construct, in its namespace', () => {
    const chart = Testing.chart();
    new FlinkBlueGreenPipeline(chart, 'orders', { spec: minimalSpec });
    const objs = Testing.synth(chart) as { kind: string; metadata: { namespace?: string } }[];
    expect(objs.map((o) => o.kind)).toContain('FlinkDeployment');
    for (const o of objs) expect(o.metadata.namespace, o.kind).toBe('streaming');
  });

  it('names JSON pointers in its errors, not lines of an invented YAML file', () => {
    const bad = {
      ...minimalSpec,
      spec: { ...minimalSpec.spec, gate: { mode: 'drop' } },
    } as unknown as PipelineInput;
    const r = validatePipelineObject(bad);
    expect(r.diagnostics.map((d) => [d.path, d.file, d.line, d.column])).toEqual([
      ['/spec/gate/mode', '<spec>', 0, 0],
    ]);
    let err: unknown;
    try {
      new FlinkBlueGreenPipeline(Testing.chart(), 'orders', { spec: bad });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DiagnosticError);
    const message = (err as Error).message;
    expect(message).toMatch(/^<orders>: error \[schema\] at \/spec\/gate\/mode: mode is "drop"/);
    expect(message).not.toMatch(/\.ya?ml|:\d+:\d+/);
  });

  it('a semantic error of a spec in code names its pointer too', () => {
    const bad: PipelineInput = { ...minimalSpec, spec: { ...minimalSpec.spec, active: 'green' } };
    const d = validatePipelineObject(bad, 'orders (in code)').diagnostics;
    expect(d.map((x) => [x.path, x.file, x.line])).toEqual([['/spec/active', 'orders (in code)', 0]]);
  });
});
