import { afterAll, beforeAll, expect, it } from 'vitest';
import { distObjects, inNamespace, objectId } from '../support/dist-objects.js';
import type { KubeApiServer, KubeObject } from '../support/kube-apiserver.js';
import { startKubeApiServer } from '../support/kube-apiserver.js';
import { describeWithKubeApiServer } from '../support/kube-suite.js';

const MANAGER = 'argocd-controller';

describeWithKubeApiServer('dist/ against a real API server (server-side apply)', () => {
  let kube: KubeApiServer;
  const rendered = distObjects();
  // A fresh namespace per rendered one, so nothing is left from anything else on this server.
  const fresh = (ns: string) => `apply-${ns}`;
  const objects = rendered.map((r) => inNamespace(r.object, fresh));
  let first: KubeObject[] = [];

  beforeAll(async () => {
    kube = await startKubeApiServer();
    for (const ns of new Set(objects.map((o) => o.metadata.namespace).filter((n): n is string => !!n)))
      await kube.createNamespace(ns);
    first = await kube.apply(objects, MANAGER);
  }, 180_000);
  afterAll(async () => {
    await kube?.stop();
  });

  it('renders every kind this test is about (FlinkDeployments among them)', () => {
    const kinds = new Set(rendered.map((r) => r.object.kind));
    expect([...kinds].sort()).toEqual(
      expect.arrayContaining([
        'ConfigMap',
        'FlinkDeployment',
        'Job',
        'Role',
        'RoleBinding',
        'ServiceAccount',
      ]),
    );
    expect(first).toHaveLength(objects.length);
  });

  it('stores every object as rendered: nothing pruned by the CRD schema or refused by the API server', () => {
    for (const [i, stored] of first.entries()) {
      const want = objects[i]!;
      expect(objectId(stored), 'same object back').toBe(objectId(want));
      // The API server drops the zero values of omitempty fields (a RoleBinding subject's
      // `apiGroup: ""`, a pod's `hostNetwork: false`), which mean the same as absent; every other
      // rendered field is there with its value (it only adds defaults and status).
      const { metadata, ...body } = withoutZeroValues(want);
      expect(stored, objectId(want)).toMatchObject(body);
      expect(stored.metadata, objectId(want)).toMatchObject(metadata);
    }
  });

  it('stores the FlinkDeployments spec exactly (the operator CRD prunes unknown fields silently)', () => {
    const fds = first.filter((o) => o.kind === 'FlinkDeployment');
    expect(fds.length).toBeGreaterThanOrEqual(2);
    for (const fd of fds) {
      const want = objects.find((o) => objectId(o) === objectId(fd))!;
      expect(fd.spec, objectId(fd)).toEqual(want.spec);
    }
  });

  it('a second apply of the same manifests changes nothing (resourceVersion and managedFields unchanged)', async () => {
    const second = await kube.apply(objects, MANAGER);
    for (const [i, again] of second.entries()) {
      const before = first[i]!;
      expect(again.metadata.resourceVersion, objectId(again)).toBe(before.metadata.resourceVersion);
      expect(again.metadata.managedFields, objectId(again)).toEqual(before.metadata.managedFields);
    }
  });

  it('another field manager changing a rendered field conflicts (409) unless it forces', async () => {
    const cm = objects.find((o) => o.kind === 'ConfigMap')!;
    const intruder = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: cm.metadata.name, namespace: cm.metadata.namespace },
      data: { active: 'nobody' },
    };
    const path = await kube.pathFor('v1', 'ConfigMap', cm.metadata.namespace, cm.metadata.name);
    const res = await kube.request('PATCH', path, {
      body: intruder,
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager: 'someone-else' },
    });
    expect(res.status).toBe(409);
    expect(res.body.reason).toBe('Conflict');
    expect(res.body.message).toContain(MANAGER);
    const unchanged = await kube.request('GET', path);
    expect(unchanged.body.data.active).toBe((cm.data as Record<string, string>).active);
  });

  it('the real CRD refuses a FlinkDeployment its schema does not allow (the check above can fail)', async () => {
    const fd = structuredClone(objects.find((o) => o.kind === 'FlinkDeployment')!);
    fd.metadata.name = 'bad-upgrade-mode';
    (fd.spec as { job: { upgradeMode: string } }).job.upgradeMode = 'sometimes';
    await expect(kube.apply([fd], MANAGER)).rejects.toThrow(/HTTP 422.*upgradeMode/s);
  });
});

/** A deep copy without the properties whose value is `""` or `false`. */
function withoutZeroValues<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutZeroValues) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== '' && v !== false)
        .map(([k, v]) => [k, withoutZeroValues(v)]),
    ) as T;
  }
  return value;
}
