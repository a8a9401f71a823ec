/* eslint-disable @typescript-eslint/no-explicit-any -- test fixtures are edited as plain objects */
import { describe, expect, it } from 'vitest';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { CONTROLLER_FILE, renderController } from '../../lib/constructs/render.js';
import { defaultVerifyImage } from '../../lib/constructs/verify-job.js';
import { loadPipelineDir } from '../../lib/spec/load.js';

type Obj = {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [k: string]: any;
};

const pipelines = loadPipelineDir('apps/pipelines').pipelines.map((lp) => lp.pipeline);
const rendered = renderController(pipelines);
const objects = rendered.manifests as Obj[];
const find = (kind: string, name = 'flink-cutover-controller', namespace?: string) => {
  const o = objects.find(
    (x) =>
      x.kind === kind &&
      x.metadata.name === name &&
      (namespace === undefined || x.metadata.namespace === namespace),
  );
  if (!o) throw new Error(`no ${kind}/${name}`);
  return o;
};

describe('CutoverController', () => {
  it('renders its own file, identically twice', () => {
    expect(rendered.fileName).toBe(CONTROLLER_FILE);
    expect(renderController(pipelines).yaml).toBe(rendered.yaml);
  });

  it('a Deployment of two leader-electing replicas of the project image, hardened, with resources and probes', () => {
    const d = find('Deployment');
    expect(d.spec.replicas).toBe(2);
    const c = d.spec.template.spec.containers[0];
    expect(c.image).toBe(defaultVerifyImage());
    expect(c.command).toEqual(['flink-cutover']);
    expect(c.args).toEqual(
      expect.arrayContaining([
        'controller',
        '--all-namespaces',
        '--leader-elect',
        '--lease-namespace',
        'flink-cutover-system',
      ]),
    );
    expect(c.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(d.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    expect(c.resources.limits).toEqual({ cpu: '500m', memory: '256Mi' });
    expect(c.resources.requests).toEqual({ cpu: '50m', memory: '128Mi' });
    expect(c.livenessProbe.httpGet).toMatchObject({ path: '/healthz', port: 9090 });
    expect(c.readinessProbe.httpGet).toMatchObject({ path: '/readyz', port: 9090 });
    expect(c.env.map((e: { name: string }) => e.name)).toEqual(
      expect.arrayContaining(['POD_NAME', 'POD_NAMESPACE']),
    );
    expect(d.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'flink-cutover-controller' });
    expect(JSON.stringify(d)).not.toContain('cdk8s.io/metadata.addr');
    const svc = find('Service');
    expect(svc.spec.selector).toEqual({ 'app.kubernetes.io/name': 'flink-cutover-controller' });
    expect(svc.spec.ports).toEqual([{ name: 'metrics', port: 9090, targetPort: 9090 }]);
  });

  it('least-privilege RBAC: reads ConfigMaps and FlinkDeployments; writes only status maps by name, Events and its Lease', () => {
    const reader = find('ClusterRole');
    expect(reader.metadata.namespace).toBeUndefined();
    for (const rule of reader.rules) expect(rule.verbs).toEqual(['get', 'list', 'watch']);
    expect(reader.rules.map((r: { resources: string[] }) => r.resources[0]).sort()).toEqual([
      'configmaps',
      'flinkdeployments',
    ]);
    const writers = objects.filter(
      (o) => o.kind === 'Role' && o.metadata.name === 'flink-cutover-controller',
    );
    expect(writers.map((r) => r.metadata.namespace).sort()).toEqual(
      [...new Set(pipelines.map((p) => p.metadata.namespace))].sort(),
    );
    const updatable: string[] = [];
    for (const role of writers) {
      for (const rule of role.rules as { verbs: string[]; resources: string[]; resourceNames?: string[] }[]) {
        expect(rule.resources.every((r) => r === 'configmaps' || r === 'events')).toBe(true);
        if (rule.verbs.includes('create'))
          expect(rule.verbs).toEqual(['create']); // create cannot be narrowed by name
        else {
          expect(rule.verbs).toEqual(['update', 'patch']);
          expect(rule.resourceNames?.length).toBe(1);
          updatable.push(`${role.metadata.namespace}/${rule.resourceNames![0]}`);
        }
      }
    }
    expect(updatable.sort()).toEqual(
      pipelines.map((p) => `${p.metadata.namespace}/${p.metadata.name}-cutover-status`).sort(),
    );
    const lease = find('Role', 'flink-cutover-controller-lease');
    expect(lease.rules).toEqual([
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      {
        apiGroups: ['coordination.k8s.io'],
        resourceNames: ['flink-cutover-controller'],
        resources: ['leases'],
        verbs: ['get', 'update'],
      },
    ]);
    // Nothing may write what git owns.
    const rules = objects
      .filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole')
      .flatMap((o) => o.rules as { verbs: string[]; resources: string[]; resourceNames?: string[] }[]);
    for (const name of rules.flatMap((r) => r.resourceNames ?? []))
      expect(name).toMatch(/-cutover-status$|^flink-cutover-controller$/);
    for (const r of rules.filter((x) => x.resources.includes('flinkdeployments')))
      expect(r.verbs).toEqual(['get', 'list', 'watch']);
    expect(rules.flatMap((r) => r.verbs)).not.toContain('delete');
    expect(rules.flatMap((r) => [...r.verbs, ...r.resources])).not.toContain('*');
  });

  it('every object validates against the Kubernetes API schemas', () => {
    const models: Record<string, new (data: never) => { validate(): void }> = {
      Deployment: Deployment as never,
      ClusterRole: ClusterRole as never,
      ClusterRoleBinding: ClusterRoleBinding as never,
      Role: Role as never,
      RoleBinding: RoleBinding as never,
      Service: Service as never,
      ServiceAccount: ServiceAccount as never,
    };
    expect([...new Set(objects.map((o) => o.kind))].sort()).toEqual(Object.keys(models).sort());
    for (const o of objects)
      expect(() => new models[o.kind]!(o as never).validate(), `${o.kind}/${o.metadata.name}`).not.toThrow();
  });
});
