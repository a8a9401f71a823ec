import { describe, expect, it } from 'vitest';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { renderLoaded } from '../../lib/constructs/render.js';
import { loadPipelineDir } from '../../lib/spec/load.js';

/** The Kubernetes API schemas (kubernetes-models) for every built-in kind flink-cutover renders. */
const models: Record<string, new (data: never) => { validate(): void }> = {
  ConfigMap: ConfigMap as never,
  ServiceAccount: ServiceAccount as never,
  Role: Role as never,
  RoleBinding: RoleBinding as never,
  Job: Job as never,
};

describe('rendered Kubernetes objects against the Kubernetes API schemas', () => {
  const rendered = renderLoaded(loadPipelineDir('apps/pipelines').pipelines);
  const objects = rendered.flatMap((r) => r.manifests) as { kind: string; metadata: { name: string } }[];

  it('renders only kinds it knows the schema of (plus FlinkDeployment, checked against the operator CRD)', () => {
    expect([...new Set(objects.map((o) => o.kind))].sort()).toEqual([
      'ConfigMap',
      'FlinkDeployment',
      'Job',
      'Role',
      'RoleBinding',
      'ServiceAccount',
    ]);
  });

  it('every built-in object validates', () => {
    let count = 0;
    for (const o of objects) {
      const Model = models[o.kind];
      if (!Model) continue;
      count++;
      expect(() => new Model(o as never).validate(), `${o.kind}/${o.metadata.name}`).not.toThrow();
    }
    expect(count).toBeGreaterThanOrEqual(11);
  });

  it('the schema check catches a wrong type', () => {
    const job = objects.find((o) => o.kind === 'Job') as unknown as { spec: { backoffLimit: unknown } };
    const broken = JSON.parse(JSON.stringify(job)) as { spec: { backoffLimit: unknown } };
    broken.spec.backoffLimit = 'zero';
    expect(() => new Job(broken as never).validate()).toThrow(/backoffLimit/);
  });
});
