/**
 * Synth cost: FlinkBlueGreenPipeline constructs vs raw cdk8s ApiObjects carrying the identical
 * objects (same process, same run), with plain YAML serialization of those objects as the floor.
 * Reports 100 / 1000 / 5000 pipelines (two colors each) to show the cost is linear.
 */
import { ApiObject, App, Chart, Yaml } from 'cdk8s';
import { chartManifests, renderPipelines } from '../lib/constructs/render.js';
import { medianMs, report } from './report.js';

function pipeline(i: number): unknown {
  const name = `pipeline-${i}`;
  return {
    apiVersion: 'flink-cutover.dev/v1alpha1',
    kind: 'BlueGreenPipeline',
    metadata: { name, namespace: `team-${i % 17}`, labels: { team: `t${i % 5}` } },
    spec: {
      active: 'blue',
      colors: {
        blue: { image: `reg/${name}:1.0.${i}` },
        green: { image: `reg/${name}:1.1.${i}`, initialSavepointPath: `s3://b/chk/${name}/blue/chk-${i}` },
      },
      cutover:
        i % 3 === 0 ? { generation: 1 + (i % 5), to: 'green', watermark: '2026-12-01T12:00:00Z' } : undefined,
      template: {
        flinkVersion: 'v1_20',
        serviceAccount: 'flink',
        flinkConfiguration: {
          'taskmanager.numberOfTaskSlots': '2',
          'state.checkpoints.dir': 's3://b/chk/{{pipeline}}/{{color}}',
          'state.savepoints.dir': 's3://b/sp/{{pipeline}}/{{color}}',
          'high-availability.storageDir': 's3://b/ha/{{pipeline}}/{{color}}',
        },
        jobManager: { resource: { memory: '2048m', cpu: 1 } },
        taskManager: { resource: { memory: '4096m', cpu: 2 } },
        job: {
          jarURI: `local:///opt/flink/usrlib/${name}.jar`,
          parallelism: 4 + (i % 8),
          upgradeMode: 'savepoint',
        },
      },
      gate: { mode: 'filter', lateness: '1m' },
      sources: [{ name: 'in', kind: 'kafka', consumerGroup: '{{pipeline}}-{{color}}' }],
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

const clean = (o: unknown) => JSON.parse(JSON.stringify(o)) as unknown;

for (const n of [100, 1000, 5000]) {
  const specs = Array.from({ length: n }, (_, i) => clean(pipeline(i)));
  const rendered = renderPipelines(specs.map((spec) => ({ spec })));
  const manifests = rendered.map((r) => r.manifests);

  const construct = medianMs(
    () => {
      renderPipelines(specs.map((spec) => ({ spec })));
    },
    n >= 5000 ? 3 : 5,
  );
  const raw = medianMs(
    () => {
      const app = new App({ outdir: '/nonexistent' });
      const charts = manifests.map((objs, i) => {
        const chart = new Chart(app, `c${i}`, { disableResourceNameHashes: true });
        objs.forEach((o, j) => new ApiObject(chart, `o${j}`, o as never));
        return chart;
      });
      for (const c of app.node.findAll()) c.node.validate();
      for (const chart of charts) Yaml.stringify(...chartManifests(chart));
    },
    n >= 5000 ? 3 : 5,
  );
  const floor = medianMs(
    () => {
      for (const objs of manifests) Yaml.stringify(...objs);
    },
    n >= 5000 ? 3 : 5,
  );

  report({
    name: `synth.constructs.${n}`,
    value: +construct.toFixed(1),
    unit: 'ms',
    baseline: `synth.raw-apiobjects.${n}`,
    ratio: +(construct / raw).toFixed(3),
  });
  report({
    name: `synth.raw-apiobjects.${n}`,
    value: +raw.toFixed(1),
    unit: 'ms',
    baseline: `synth.yaml-floor.${n}`,
    ratio: +(raw / floor).toFixed(3),
  });
  report({
    name: `synth.yaml-floor.${n}`,
    value: +floor.toFixed(1),
    unit: 'ms',
    baseline: null,
    ratio: null,
  });
  report({
    name: `synth.constructs.per-pipeline.${n}`,
    value: +((construct / n) * 1000).toFixed(1),
    unit: 'us',
    baseline: null,
    ratio: null,
  });
}
