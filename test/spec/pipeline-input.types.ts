/**
 * Type-level test (checked by `npm run typecheck`, not run by vitest): a pipeline written in code
 * with only the required fields compiles as a `PipelineInput`, and is accepted by the public
 * functions that take a spec written in code. `Pipeline` is the shape after defaults, so the same
 * object is not a `Pipeline`.
 */
import { Testing } from 'cdk8s';
import { FlinkBlueGreenPipeline, validatePipelineObject } from '../../lib/index.js';
import type { Pipeline, PipelineInput } from '../../lib/index.js';

/** Only the required fields: no gate, validation, policy, sources or sinks (all defaulted). */
export const minimalSpec: PipelineInput = {
  apiVersion: 'flink-cutover.dev/v1alpha1',
  kind: 'BlueGreenPipeline',
  metadata: { name: 'orders', namespace: 'streaming' },
  spec: {
    active: 'blue',
    colors: { blue: { image: 'reg/orders:1.4.2' } },
    template: {
      flinkVersion: 'v1_20',
      job: { jarURI: 'local:///opt/flink/usrlib/orders.jar', parallelism: 2, upgradeMode: 'savepoint' },
    },
    // Partial blocks are fine: the rest is defaulted.
    gate: { lateness: '5m' },
    validation: { http: [{ name: 'ready', url: 'http://orders:8080/ready' }] },
  },
};

export function acceptedInCode(): Pipeline | undefined {
  new FlinkBlueGreenPipeline(Testing.chart(), 'orders', { spec: minimalSpec });
  return validatePipelineObject(minimalSpec).pipeline;
}

// @ts-expect-error -- the shape after defaults needs gate, validation, policy, sources and sinks
export const notAPipeline: Pipeline = minimalSpec;

export const withoutNamespace: PipelineInput = {
  ...minimalSpec,
  // @ts-expect-error -- metadata.namespace is required
  metadata: { name: 'orders' },
};

export const wrongColor: PipelineInput = {
  ...minimalSpec,
  // @ts-expect-error -- colors are blue and green
  spec: { ...minimalSpec.spec, active: 'red' },
};
