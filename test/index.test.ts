import { App, Chart } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import * as lib from '../lib/index.js';
import { stagedPipeline } from './support/pipelines.js';

describe('the library entry point (package "flink-cutover")', () => {
  it('exports the constructs, spec loading, gate logic, policy engine and REST client', () => {
    for (const name of [
      'FlinkBlueGreenPipeline',
      'FlinkColorDeployment',
      'CutoverConfigMap',
      'CutoverRbac',
      'VerifyJob',
      'loadPipelineDir',
      'validatePipelineObject',
      'effectiveSpec',
      'decide',
      'checkPolicy',
      'RULES',
      'FlinkRestClient',
    ]) {
      expect(lib, name).toHaveProperty(name);
    }
  });

  it("works from a user's own cdk8s app", () => {
    const app = new App({ outdir: '/nonexistent' });
    const chart = new Chart(app, 'team', { disableResourceNameHashes: true });
    new lib.FlinkBlueGreenPipeline(chart, 'orders', { spec: stagedPipeline() });
    const kinds = chart.toJson().map((o: { kind: string }) => o.kind);
    expect(kinds.filter((k: string) => k === 'FlinkDeployment')).toHaveLength(2);
    expect(kinds).toContain('ConfigMap');
  });
});
