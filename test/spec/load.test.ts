import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadPipelineDir, loadPipelineText, validatePipelineObject } from '../../lib/spec/load.js';
import { formatDiagnostic } from '../../lib/spec/diagnostics.js';
import { cutoverPipeline, stagedPipeline, steadyPipeline, tempDir } from '../support/pipelines.js';

function errorsOf(text: string) {
  return loadPipelineText('p.yaml', text).diagnostics;
}

describe('loading pipeline specs', () => {
  it('loads the example pipelines without diagnostics', () => {
    const r = loadPipelineDir('apps/pipelines');
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(r.pipelines.map((p) => p.pipeline.metadata.name).sort()).toEqual([
      'clickstream',
      'orders',
      'payments',
    ]);
  });

  it('applies defaults for absent blocks', () => {
    const doc = steadyPipeline((p) => {
      delete p.spec.gate;
      delete p.spec.sources;
    });
    const r = loadPipelineText('p.yaml', stringify(doc));
    expect(r.diagnostics).toEqual([]);
    const spec = r.pipelines[0]!.pipeline.spec;
    expect(spec.gate).toEqual({ mode: 'filter', lateness: '0s' });
    expect(spec.validation).toEqual({
      minRunning: '10m',
      minCompletedCheckpoints: 3,
      maxWatermarkLag: '1m',
      maxRestarts: 0,
      prometheus: [],
      http: [],
      approval: false,
    });
    expect(spec.policy).toEqual({
      minLeadTime: '15m',
      teardownDelay: '30m',
      allowParallelismChange: false,
      podSecurity: 'warn',
    });
    expect(spec.sources).toEqual([]);
  });

  it('reports invalid YAML with line and column', () => {
    const d = errorsOf('apiVersion: x\nkind: [unclosed\nmetadata: {}\n');
    expect(d.length).toBeGreaterThan(0);
    expect(d[0]!.message).toMatch(/invalid YAML/);
    expect(d[0]!.line).toBeGreaterThanOrEqual(2);
    expect(d[0]!.column).toBeGreaterThan(0);
  });

  it('reports an unknown field at the key, naming the allowed ones', () => {
    const text = stringify(steadyPipeline((p) => (p.spec.template.job.parallelizm = 4)));
    const d = errorsOf(text);
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({
      ruleId: 'schema',
      severity: 'error',
      path: '/spec/template/job/parallelizm',
    });
    expect(d[0]!.message).toBe('unknown field "parallelizm" in /spec/template/job');
    expect(d[0]!.fix).toContain('parallelism');
    const line = text.split('\n').findIndex((l) => l.includes('parallelizm')) + 1;
    expect(d[0]!.line).toBe(line);
  });

  it('reports a wrong type', () => {
    const d = errorsOf(stringify(steadyPipeline((p) => (p.spec.template.job.parallelism = 'eight'))));
    expect(d[0]).toMatchObject({ path: '/spec/template/job/parallelism' });
    expect(d[0]!.message).toContain('must be integer');
  });

  it('reports a bad enum with the allowed values', () => {
    const d = errorsOf(stringify(steadyPipeline((p) => (p.spec.gate.mode = 'drop'))));
    expect(d[0]!.message).toBe('mode is "drop"; must be one of "filter", "tag"');
  });

  it('reports a bad duration', () => {
    const text = stringify(steadyPipeline((p) => (p.spec.gate.lateness = '5 minutes')));
    const d = errorsOf(text);
    expect(d[0]).toMatchObject({ path: '/spec/gate/lateness' });
    expect(d[0]!.message).toContain('not a duration');
    expect(d[0]!.fix).toContain('15m');
    expect(d[0]!.line).toBe(text.split('\n').findIndex((l) => l.includes('5 minutes')) + 1);
  });

  it('reports a color named other than blue or green at its key', () => {
    const text = stringify(steadyPipeline((p) => (p.spec.colors.red = { image: 'x' })));
    const d = errorsOf(text);
    expect(d).toHaveLength(1);
    expect(d[0]!.path).toBe('/spec/colors/red');
    expect(d[0]!.message).toContain('"red" is not allowed');
    expect(d[0]!.line).toBe(text.split('\n').findIndex((l) => l.trim().startsWith('red:')) + 1);
  });

  it('reports a cutover to the active color', () => {
    const d = errorsOf(stringify(cutoverPipeline((p) => (p.spec.cutover.to = 'blue'))));
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ path: '/spec/cutover/to' });
    expect(d[0]!.message).toContain('already the active color');
  });

  it('reports a cutover to a color that is not staged', () => {
    const d = errorsOf(
      stringify(
        steadyPipeline(
          (p) => (p.spec.cutover = { generation: 1, to: 'green', watermark: '2026-12-01T12:00:00Z' }),
        ),
      ),
    );
    expect(d[0]!.message).toContain('not among the colors');
    expect(d[0]!.fix).toContain('stage');
  });

  it('reports a name too long for <name>-green-rest', () => {
    const name = 'a'.repeat(53);
    const d = errorsOf(stringify(steadyPipeline((p) => (p.metadata.name = name))));
    expect(d[0]).toMatchObject({ path: '/metadata/name' });
    expect(d[0]!.message).toContain('at most 52');
    const ok = errorsOf(stringify(steadyPipeline((p) => (p.metadata.name = 'a'.repeat(52)))));
    expect(ok).toEqual([]);
  });

  it("reports a name too long for the standby's verify Job once two colors run", () => {
    const name = 'v'.repeat(51);
    expect(errorsOf(stringify(steadyPipeline((p) => (p.metadata.name = name))))).toEqual([]);
    const d = errorsOf(stringify(stagedPipeline((p) => (p.metadata.name = name))));
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ path: '/metadata/name', line: 4 });
    expect(d[0]!.message).toContain(`"${name}-green-verify"`);
    expect(d[0]!.fix).toContain('at most 50');
    expect(errorsOf(stringify(stagedPipeline((p) => (p.metadata.name = 'v'.repeat(50)))))).toEqual([]);
  });

  it('reports a deploymentName too long for its REST service', () => {
    const d = errorsOf(
      stringify(steadyPipeline((p) => (p.spec.colors.blue.deploymentName = 'b'.repeat(59)))),
    );
    expect(d[0]!.path).toBe('/spec/colors/blue/deploymentName');
  });

  it('refuses a session cluster (template without a job)', () => {
    const d = errorsOf(stringify(steadyPipeline((p) => delete p.spec.template.job)));
    expect(d[0]!.message).toContain('session cluster');
  });

  it('reports a missing required field at its parent', () => {
    const text = stringify(steadyPipeline((p) => delete p.spec.active));
    const d = errorsOf(text);
    expect(d[0]!.message).toBe('missing required field "active" in /spec');
    expect(d[0]!.line).toBe(text.split('\n').findIndex((l) => l.startsWith('spec:')) + 2);
  });

  it('requires metadata.namespace, with a clear error and fix at /metadata', () => {
    const text = stringify(steadyPipeline((p) => delete p.metadata.namespace));
    const d = errorsOf(text);
    expect(d).toHaveLength(1);
    expect(d[0]!.path).toBe('/metadata');
    expect(d[0]!.message).toMatch(/^missing required field "namespace" in \/metadata: /);
    expect(d[0]!.fix).toMatch(/add metadata.namespace: the namespace the jobs run in/);
    expect(d[0]!.line).toBe(text.split('\n').findIndex((l) => l.startsWith('metadata:')) + 2);
  });

  it('reports duplicate pipelines across files', () => {
    const dir = tempDir({ 'a.yaml': steadyPipeline(), 'b.yaml': stagedPipeline() });
    const r = loadPipelineDir(dir);
    expect(r.pipelines).toHaveLength(1);
    expect(r.diagnostics[0]!.message).toContain('also defined in');
  });

  it('formats diagnostics as file:line:column', () => {
    const text = stringify(steadyPipeline((p) => (p.spec.gate.mode = 'drop')));
    const d = errorsOf(text);
    expect(formatDiagnostic(d[0]!)).toMatch(/^p\.yaml:\d+:\d+: error \[schema\] at \/spec\/gate\/mode: /);
  });

  it('validates objects given in code', () => {
    expect(validatePipelineObject(stagedPipeline(), 'x').diagnostics).toEqual([]);
    expect(validatePipelineObject({ kind: 'nope' }, 'x').diagnostics.length).toBeGreaterThan(0);
  });
});

describe('loading: YAML features and foreign documents', () => {
  it('supports anchors and merge keys', () => {
    const text = stringify(stagedPipeline())
      .replace(
        /jobManager:\n(\s+)resource:\n\s+memory: 2048m\n\s+cpu: 1\n/,
        'jobManager:\n$1resource: &small\n$1  memory: 2048m\n$1  cpu: 1\n',
      )
      .replace(
        /taskManager:\n(\s+)resource:\n\s+memory: 4096m\n\s+cpu: 2\n/,
        'taskManager:\n$1resource:\n$1  <<: *small\n$1  cpu: 2\n',
      );
    expect(text).toContain('<<: *small');
    const r = loadPipelineText('p.yaml', text);
    expect(r.diagnostics).toEqual([]);
    expect(r.pipelines[0]!.pipeline.spec.template.taskManager).toEqual({
      resource: { memory: '2048m', cpu: 2 },
    });
  });

  it('names a foreign document once, not with a pile of schema errors', () => {
    const d = loadPipelineText(
      'k.yaml',
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n',
    ).diagnostics;
    expect(d).toHaveLength(1);
    expect(d[0]!.message).toBe('this document is a Kustomization, not a BlueGreenPipeline');
    expect(d[0]!.line).toBe(2);
  });

  it('reports a YAML alias bomb as a file diagnostic, not a crash', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++)
      lines.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(', ')}]`,
      );
    const d = loadPipelineText('bomb.yaml', lines.join('\n') + '\n').diagnostics;
    expect(d).toHaveLength(1);
    expect(d[0]!.message).toMatch(/^cannot read the document: .*alias/i);
    expect(d[0]!.line).toBe(1);
  });

  it('reports an empty file', () => {
    const d = loadPipelineText('e.yaml', '# nothing here\n').diagnostics;
    expect(d[0]!.message).toBe('the file has no YAML document');
  });
});
