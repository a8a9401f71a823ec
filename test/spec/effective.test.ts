import { describe, expect, it } from 'vitest';
import {
  deepMerge,
  deploymentName,
  effectiveSinks,
  effectiveSources,
  effectiveSpec,
  flattenFlinkConfiguration,
  lifecycleState,
  restUrl,
  standbyColor,
  substitute,
} from '../../lib/spec/effective.js';
import { formatDuration, parseDuration } from '../../lib/spec/duration.js';
import { validatePipelineObject } from '../../lib/spec/load.js';
import type { Json, JsonObject, Pipeline } from '../../lib/spec/types.js';
import { normalizeFlinkConfiguration } from '../../lib/spec/flink-configuration.js';
import fc from 'fast-check';
import { cutoverPipeline, stagedPipeline, steadyPipeline } from '../support/pipelines.js';

function load(obj: unknown): Pipeline {
  const r = validatePipelineObject(obj, 'x');
  expect(r.diagnostics).toEqual([]);
  return r.pipeline!;
}

describe('effective color specs', () => {
  it('deep-merges the color over the template and substitutes placeholders', () => {
    const p = load(
      stagedPipeline((x) => {
        x.spec.colors.green.job = { parallelism: 8, args: ['--v2'] };
        x.spec.colors.green.flinkConfiguration = { 'pipeline.name': '{{pipeline}}-{{ color }}' };
      }),
    );
    const green = effectiveSpec(p, 'green');
    expect(green.image).toBe('reg/orders:1.5.0');
    expect(green.job).toEqual({
      jarURI: 'local:///opt/flink/usrlib/orders.jar',
      parallelism: 8,
      upgradeMode: 'savepoint',
      args: ['--v2'],
      initialSavepointPath: 's3://b/chk/orders/blue/chk-4711',
    });
    expect(green.flinkConfiguration).toEqual({
      'state.checkpoints.dir': 's3://b/chk/orders/green',
      'pipeline.name': 'orders-green',
    });
    const blue = effectiveSpec(p, 'blue');
    expect(blue.flinkConfiguration).toEqual({ 'state.checkpoints.dir': 's3://b/chk/orders/blue' });
    expect(blue.job?.initialSavepointPath).toBeUndefined();
  });

  it('does not leak color-only keys into the FlinkDeployment spec', () => {
    const p = load(stagedPipeline((x) => (x.spec.colors.green.deploymentName = 'legacy-orders')));
    const green = effectiveSpec(p, 'green') as Record<string, unknown>;
    expect(Object.keys(green)).not.toContain('deploymentName');
    expect(Object.keys(green)).not.toContain('initialSavepointPath');
    expect(Object.keys(green)).not.toContain('gate');
    expect(deploymentName(p, 'green')).toBe('legacy-orders');
    expect(deploymentName(p, 'blue')).toBe('orders-blue');
  });

  it('a color may name the REST URL it is reached at; it stays out of the FlinkDeployment spec', () => {
    const p = load(stagedPipeline((x) => (x.spec.colors.green.restUrl = 'http://127.0.0.1:18081')));
    expect(restUrl(p, 'green')).toBe('http://127.0.0.1:18081');
    expect(restUrl(p, 'blue')).toBe('http://orders-blue-rest.streaming:8081');
    expect(Object.keys(effectiveSpec(p, 'green'))).not.toContain('restUrl');
  });

  it('refuses a REST URL with credentials or a query at its line', () => {
    for (const url of ['http://admin:secret@jm:8081', 'http://jm:8081/?token=x', 'jm:8081']) {
      const r = validatePipelineObject(
        stagedPipeline((x) => (x.spec.colors.green.restUrl = url)),
        'x',
      );
      expect(
        r.diagnostics.map((d) => d.path),
        url,
      ).toContain('/spec/colors/green/restUrl');
    }
  });

  it('merge replaces arrays and removes keys set to null', () => {
    expect(deepMerge({ a: [1, 2], b: { c: 1, d: 2 } }, { a: [3], b: { d: null } })).toEqual({
      a: [3],
      b: { c: 1 },
    });
  });

  it('substitutes in nested strings only', () => {
    expect(substitute({ a: ['x-{{color}}'], n: 3 }, { color: 'blue', pipeline: 'p' })).toEqual({
      a: ['x-blue'],
      n: 3,
    });
  });

  it('resolves sources and sinks per color', () => {
    const p = load(stagedPipeline());
    expect(effectiveSources(p, 'green')[0]!.consumerGroup).toBe('orders-green');
    expect(effectiveSinks(p, 'blue')[0]!.transactionalIdPrefix).toBe('out-blue');
  });

  it('flattens nested and dotted flinkConfiguration alike', () => {
    expect(
      flattenFlinkConfiguration({
        state: { 'checkpoints.dir': 's3://x', backend: { type: 'rocksdb' } },
        'taskmanager.numberOfTaskSlots': 2,
      }),
    ).toEqual({
      'state.checkpoints.dir': 's3://x',
      'state.backend.type': 'rocksdb',
      'taskmanager.numberOfTaskSlots': '2',
    });
  });

  it('derives lifecycle state and the standby color', () => {
    expect(lifecycleState(load(steadyPipeline()))).toBe('Steady');
    expect(lifecycleState(load(stagedPipeline()))).toBe('Staged');
    expect(lifecycleState(load(cutoverPipeline()))).toBe('Cutover');
    expect(standbyColor(load(stagedPipeline()))).toBe('green');
    expect(standbyColor(load(steadyPipeline()))).toBeUndefined();
  });

  it('derives the REST URL from the operator service, namespace and rest.port', () => {
    expect(restUrl(load(steadyPipeline()), 'blue')).toBe('http://orders-blue-rest.streaming:8081');
    const p = load(
      steadyPipeline((x) => {
        x.metadata.namespace = 'analytics';
        x.spec.template.flinkConfiguration = { rest: { port: 9091 } };
      }),
    );
    expect(restUrl(p, 'blue')).toBe('http://orders-blue-rest.analytics:9091');
  });
});

describe('durations', () => {
  it('parses and formats', () => {
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('2d')).toBe(172_800_000);
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(0)).toBe('0s');
    expect(() => parseDuration('5 minutes')).toThrow(/not a duration/);
    expect(() => parseDuration('')).toThrow(/not a duration/);
  });
});

describe('effectiveSpec sharing', () => {
  it("returns one frozen object per pipeline and color, so no caller can change another's view", () => {
    const p = load(stagedPipeline());
    const a = effectiveSpec(p, 'green');
    expect(effectiveSpec(p, 'green')).toBe(a);
    expect(Object.isFrozen(a) && Object.isFrozen(a.job)).toBe(true);
    expect(() => {
      (a.job as { parallelism?: number }).parallelism = 1;
    }).toThrow(TypeError);
  });
});

describe('effectiveSpec is the merge and substitution of JSON copies', () => {
  // The definition it is computed faster than: deepMerge (which copies through JSON) and substitute.
  const reference = (p: Pipeline, color: 'blue' | 'green'): unknown => {
    const dotted = <T extends { flinkConfiguration?: JsonObject }>(spec: T): T =>
      spec.flinkConfiguration && typeof spec.flinkConfiguration === 'object'
        ? { ...spec, flinkConfiguration: normalizeFlinkConfiguration(spec.flinkConfiguration).configuration }
        : spec;
    const c = dotted(p.spec.colors[color] ?? {}) as Record<string, Json>;
    const overrides: JsonObject = {};
    for (const [k, v] of Object.entries(c))
      if (!['initialSavepointPath', 'deploymentName', 'restUrl', 'gate'].includes(k)) overrides[k] = v;
    const merged = (deepMerge(dotted(p.spec.template) as unknown as Json, overrides) ?? {}) as JsonObject;
    if (c.initialSavepointPath !== undefined) {
      const job = (
        merged.job && typeof merged.job === 'object' && !Array.isArray(merged.job) ? merged.job : {}
      ) as JsonObject;
      job.initialSavepointPath = c.initialSavepointPath;
      merged.job = job;
    }
    return substitute(merged, { color, pipeline: p.metadata.name });
  };
  const json = fc.letrec<{ v: Json }>((tie) => ({
    v: fc.oneof(
      { depthSize: 'small' },
      fc.string(),
      fc.constantFrom('{{color}}', 'x-{{ pipeline }}-{{color}}', '{{other}}'),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('v'), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom('a', 'b', 'c', 'args', 'state.x'), tie('v'), { maxKeys: 3 }),
    ),
  })).v;
  it('on generated templates and colors', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('a', 'b', 'job', 'podTemplate'), json, { maxKeys: 4 }),
        fc.dictionary(fc.constantFrom('a', 'b', 'job', 'podTemplate'), json, { maxKeys: 4 }),
        fc.option(fc.string(), { nil: undefined }),
        (template, green, savepoint) => {
          const p = staged();
          const spec = p.spec as unknown as { template: JsonObject; colors: Record<string, JsonObject> };
          spec.template = { ...spec.template, ...template };
          spec.colors.green = {
            ...green,
            ...(savepoint !== undefined ? { initialSavepointPath: savepoint } : {}),
          };
          for (const c of ['blue', 'green'] as const)
            expect(JSON.stringify(effectiveSpec(p, c))).toBe(JSON.stringify(reference(p, c)));
        },
      ),
      { numRuns: 300 },
    );
  });
  const staged = () => load(stagedPipeline(() => undefined));
});
