import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FakeJobManager, GATE_METRICS, gateMetricName } from '../support/fake-jobmanager.js';
import { describeWithReference, readReference } from '../support/reference.js';

type Spec = {
  paths: Record<
    string,
    { get?: { responses: Record<string, { content?: Record<string, { schema: { $ref: string } }> }> } }
  >;
};

describeWithReference('the fake JobManager answers what the Flink OpenAPI spec declares', () => {
  let fake: FakeJobManager;
  let spec: Spec;
  let ajv: Ajv;

  beforeAll(async () => {
    fake = await FakeJobManager.start();
    spec = parse(readReference('flink-rest/rest_v1_dispatcher.yml')) as Spec;
    ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    ajv.addSchema({ ...(spec as object), $id: 'flink' } as object);
  });
  afterAll(() => fake.close());

  /** The validator for the 200 response of `GET template` (a path of the spec). */
  function responseValidator(template: string): ValidateFunction {
    const ref = spec.paths[template]?.get?.responses['200']?.content?.['application/json']?.schema.$ref;
    expect(ref, `the spec declares GET ${template}`).toBeDefined();
    return ajv.getSchema(`flink${ref}`)!;
  }

  async function body(path: string): Promise<unknown> {
    const res = await fetch(fake.url + path);
    expect(res.status, path).toBe(200);
    return res.json();
  }

  function expectValid(validate: ValidateFunction, value: unknown, what: string): void {
    const ok = validate(value);
    expect(ok ? [] : validate.errors?.map((e) => `${what}${e.instancePath} ${e.message}`), what).toEqual([]);
  }

  function scenarios(): (() => void)[] {
    return [
      () => undefined,
      () => fake.failCheckpoint(),
      () => fake.restart(),
      () => fake.restart({ newJobId: true }),
      () => {
        fake.job.vertices[2]!.status = 'INITIALIZING';
      },
      () => {
        fake.otherJobs = [
          { jid: 'f'.repeat(32), name: 'orders', state: 'FAILED', startTime: 1, endTime: 2 },
          { jid: 'a'.repeat(32), name: 'orders', state: 'FINISHED', startTime: 3, endTime: 4 },
        ];
      },
      () => {
        fake.job.checkpoints.latestPath = undefined;
        fake.job.checkpoints.completed = 0;
      },
    ];
  }

  it('object responses validate against their schemas in every scripted state', async () => {
    for (const step of scenarios()) {
      step();
      const jid = fake.job.jid;
      expectValid(responseValidator('/jobs/overview'), await body('/jobs/overview'), 'overview');
      expectValid(responseValidator('/jobs/{jobid}'), await body(`/jobs/${jid}`), 'details');
      expectValid(
        responseValidator('/jobs/{jobid}/checkpoints'),
        await body(`/jobs/${jid}/checkpoints`),
        'checkpoints',
      );
      expectValid(
        responseValidator('/jobs/{jobid}/exceptions'),
        await body(`/jobs/${jid}/exceptions`),
        'exceptions',
      );
    }
  });

  it('a schema check is not vacuous: a wrong body fails it', () => {
    const validate = responseValidator('/jobs/{jobid}');
    expect(validate({ jid: 'not-hex', state: 'SLEEPING', vertices: [{ parallelism: 'two' }] })).toBe(false);
    expect(validate.errors!.length).toBeGreaterThanOrEqual(3);
  });

  it("metric responses are bare arrays of the spec's Metric items (the wire format, not MetricCollectionResponseBody)", async () => {
    // Trap (SOURCES.md): the spec says {metrics: [...]} but Flink writes a bare array.
    const collection = responseValidator('/jobs/{jobid}/vertices/{vertexid}/watermarks');
    const metric = ajv.getSchema('flink#/components/schemas/Metric')!;
    const jid = fake.job.jid;
    for (const path of [
      `/jobs/${jid}/metrics?get=numRestarts`,
      `/jobs/${jid}/metrics`,
      `/jobs/${jid}/vertices/${fake.job.vertices[1]!.id}/watermarks`,
      `/jobs/${jid}/vertices/${fake.job.vertices[0]!.id}/watermarks`,
      `/jobs/${jid}/vertices/${fake.job.vertices[2]!.id}/subtasks/0/metrics?get=currentInputWatermark`,
    ]) {
      const b = await body(path);
      expect(Array.isArray(b), path).toBe(true);
      expect((b as unknown[]).length, path).toBeGreaterThan(0);
      for (const item of b as unknown[]) expectValid(metric, item, path);
      // ...and the wrapped form the spec declares holds the same items:
      expectValid(collection, { metrics: b }, `${path} (wrapped)`);
    }
    const marks = (await body(`/jobs/${jid}/vertices/${fake.job.vertices[1]!.id}/watermarks`)) as {
      id: string;
      value: string;
    }[];
    expect(marks.map((m) => m.id)).toEqual(['0.currentInputWatermark', '1.currentInputWatermark']);
    expect(marks.every((m) => /^-?[0-9]+$/.test(m.value))).toBe(true);
  });

  it('aggregated subtask metrics are bare arrays of {id, min, max, ...} including the gate metrics', async () => {
    const declared = responseValidator('/jobs/{jobid}/vertices/{vertexid}/subtasks/metrics');
    const item = ajv.compile({
      type: 'object',
      required: ['id'],
      additionalProperties: false,
      properties: {
        id: { type: 'string' },
        min: { type: 'number' },
        max: { type: 'number' },
        avg: { type: 'number' },
        sum: { type: 'number' },
        skew: { type: 'number' },
      },
    });
    fake.setGateMetric('preparedGeneration', [3, 3]);
    fake.setGateMetric('maxTimestampAtPrepare', [100, 250]);
    fake.setGateMetric('gateWatermark', [90, 240]);
    const gate = fake.gateVertex();
    const names = ['currentInputWatermark', ...GATE_METRICS.map((m) => gateMetricName(m))];
    const b = (await body(
      `/jobs/${fake.job.jid}/vertices/${gate.id}/subtasks/metrics?get=${names.join(',')}&agg=min,max`,
    )) as { id: string; min: number; max: number }[];
    expect(Array.isArray(b)).toBe(true);
    // The declared schema is `type: object`; the wire format is an array, hence the special case.
    expect(declared(b)).toBe(false);
    for (const x of b) expectValid(item, x, 'aggregated item');
    expect(b.find((x) => x.id === gateMetricName('maxTimestampAtPrepare'))).toEqual({
      id: gateMetricName('maxTimestampAtPrepare'),
      min: 100,
      max: 250,
    });
  });
});
