import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlinkRestError } from '../../lib/flink/errors.js';
import { readConfigMap } from '../../lib/verify/kube.js';
import { distObjects } from '../support/dist-objects.js';
import type { KubeApiServer, KubeObject } from '../support/kube-apiserver.js';
import { startKubeApiServer } from '../support/kube-apiserver.js';
import { describeWithKubeApiServer } from '../support/kube-suite.js';

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs: string[];
}
interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

const rendered = distObjects().map((d) => d.object);
const byKind = (kind: string) => rendered.filter((o) => o.kind === kind);

/** What the rendered Roles grant `namespace/serviceAccount`, as `verb resource name` (a model of RBAC, from dist/ only). */
function grantsFromDist(namespace: string, serviceAccount: string): Set<string> {
  const grants = new Set<string>();
  for (const b of byKind('RoleBinding').filter((o) => o.metadata.namespace === namespace)) {
    const subjects = (b.subjects ?? []) as Subject[];
    if (
      !subjects.some(
        (s) =>
          s.kind === 'ServiceAccount' &&
          s.name === serviceAccount &&
          (s.namespace ?? namespace) === namespace,
      )
    )
      continue;
    const ref = b.roleRef as { kind: string; name: string };
    expect(ref.kind, `${b.metadata.name} binds a Role, not a ClusterRole`).toBe('Role');
    const role = byKind('Role').find(
      (r) => r.metadata.namespace === namespace && r.metadata.name === ref.name,
    )!;
    for (const rule of role.rules as Rule[]) {
      expect(
        rule.resourceNames?.length,
        `every rule of Role ${role.metadata.name} names its objects`,
      ).toBeGreaterThan(0);
      for (const verb of rule.verbs)
        for (const res of rule.resources ?? [])
          for (const name of rule.resourceNames ?? []) grants.add(`${verb} ${res} ${name}`);
    }
  }
  return grants;
}

interface Pipeline {
  name: string;
  namespace: string;
  jobAccounts: string[];
  verifyAccounts: string[];
}

/** The pipelines in dist/, with the service accounts their jobs run as and their verify Jobs' accounts. */
const pipelines: Pipeline[] = byKind('ConfigMap')
  .filter((c) => c.metadata.name.endsWith('-cutover'))
  .map((c) => {
    const name = c.metadata.name.replace(/-cutover$/, '');
    const ns = c.metadata.namespace!;
    const mine = (o: KubeObject) =>
      o.metadata.namespace === ns &&
      (o.metadata.labels as Record<string, string> | undefined)?.['flink-cutover.dev/pipeline'] === name;
    return {
      name,
      namespace: ns,
      jobAccounts: [
        ...new Set(
          byKind('FlinkDeployment')
            .filter(mine)
            .map((f) => (f.spec as { serviceAccount?: string }).serviceAccount ?? 'default'),
        ),
      ],
      verifyAccounts: byKind('Job')
        .filter(mine)
        .map(
          (j) =>
            (j.spec as { template: { spec: { serviceAccountName: string } } }).template.spec
              .serviceAccountName,
        ),
    };
  });
const namespaces = [...new Set(pipelines.map((p) => p.namespace))];
const configMapsOf = (p: Pipeline) => [`${p.name}-cutover`, `${p.name}-cutover-status`];

describeWithKubeApiServer('RBAC of the rendered manifests, enforced by a real API server', () => {
  let kube: KubeApiServer;
  const tokens = new Map<string, string>();
  const tokenOf = (ns: string, sa: string) => tokens.get(`${ns}/${sa}`)!;
  const cmPath = (ns: string, name?: string) =>
    `/api/v1/namespaces/${ns}/configmaps${name ? `/${name}` : ''}`;

  beforeAll(async () => {
    kube = await startKubeApiServer();
    // Every namespace dist/ renders into: the pipelines' and the controller's.
    for (const ns of new Set([
      ...namespaces,
      ...rendered.map((o) => o.metadata.namespace).filter((n): n is string => !!n),
    ]))
      await kube.createNamespace(ns);
    // The jobs' accounts belong to the operator's installation (not rendered): create them as an admin would.
    const operatorAccounts = pipelines.flatMap((p) => p.jobAccounts.map((sa) => `${p.namespace}/${sa}`));
    for (const id of new Set(operatorAccounts)) {
      const [namespace, name] = id.split('/') as [string, string];
      await kube.apply(
        [{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } }],
        'flink-operator-install',
      );
    }
    await kube.apply(rendered, 'argocd-controller');
    // What the controller and others write beside them: the status ConfigMaps, a Secret, an unrelated ConfigMap.
    for (const p of pipelines) {
      await kube.apply(
        [
          {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: `${p.name}-cutover-status`, namespace: p.namespace },
            data: { generation: '0' },
          },
        ],
        'flink-cutover-controller',
      );
    }
    for (const ns of namespaces) {
      await kube.apply(
        [
          {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: { name: 'kafka-credentials', namespace: ns },
            stringData: { password: 'hunter2' },
          },
          {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: 'unrelated', namespace: ns },
            data: { a: 'b' },
          },
        ],
        'someone',
      );
    }
    for (const p of pipelines) {
      for (const sa of [...p.jobAccounts, ...p.verifyAccounts]) {
        if (!tokens.has(`${p.namespace}/${sa}`))
          tokens.set(`${p.namespace}/${sa}`, await kube.mintToken(p.namespace, sa));
      }
    }
  }, 180_000);
  afterAll(async () => {
    await kube?.stop();
  });

  it('dist/ has pipelines in more than one namespace, with job and verify accounts to test', () => {
    expect(pipelines.length).toBeGreaterThanOrEqual(3);
    expect(namespaces.length).toBeGreaterThanOrEqual(2);
    expect(pipelines.flatMap((p) => p.verifyAccounts).length).toBeGreaterThanOrEqual(1);
  });

  describe.each(pipelines)('pipeline $name ($namespace)', (p) => {
    // Pipelines whose ConfigMaps an account of p must not read: other namespaces, and those of the
    // same namespace whose RoleBindings do not bind it too (a job account like `flink` shared by two
    // pipelines of a namespace reads both: the rendered RoleBindings say so, and the table test
    // below checks exactly that).
    const othersFor = (sa: string) =>
      pipelines.filter((o) => o !== p && (o.namespace !== p.namespace || !o.jobAccounts.includes(sa)));

    it.each(p.jobAccounts)(
      "the job account %s can get and watch the pipeline's two ConfigMaps",
      async (sa) => {
        const token = tokenOf(p.namespace, sa);
        for (const name of configMapsOf(p)) {
          const got = await kube.request('GET', cmPath(p.namespace, name), { token });
          expect(got.status, `get ${name}`).toBe(200);
          const w = await kube.watch(cmPath(p.namespace), {
            token,
            fieldSelector: `metadata.name=${name}`,
            resourceVersion: got.body.metadata.resourceVersion,
          });
          expect(w.status, `watch ${name}`).toBe(200);
          const res = await kube.request('PATCH', cmPath(p.namespace, name), {
            body: { metadata: { annotations: { touched: String(Date.now()) } } },
            contentType: 'application/merge-patch+json',
          });
          expect(res.status).toBe(200);
          const ev = await w.next();
          w.close();
          expect(ev.type).toBe('MODIFIED');
          expect(ev.object.metadata.name).toBe(name);
        }
      },
    );

    it.each(p.jobAccounts)(
      'the job account %s may not write the desired or status ConfigMap, nor read Secrets or other ConfigMaps',
      async (sa) => {
        const token = tokenOf(p.namespace, sa);
        const patch = {
          body: { data: { active: 'green' } },
          contentType: 'application/merge-patch+json',
          token,
        };
        expect((await kube.request('PATCH', cmPath(p.namespace, `${p.name}-cutover`), patch)).status).toBe(
          403,
        );
        expect(
          (await kube.request('PATCH', cmPath(p.namespace, `${p.name}-cutover-status`), patch)).status,
        ).toBe(403);
        expect(
          (await kube.request('DELETE', cmPath(p.namespace, `${p.name}-cutover`), { token })).status,
        ).toBe(403);
        expect(
          (
            await kube.request('POST', cmPath(p.namespace), {
              body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'mine' } },
              token,
            })
          ).status,
        ).toBe(403);
        expect(
          (
            await kube.request('GET', `/api/v1/namespaces/${p.namespace}/secrets/kafka-credentials`, {
              token,
            })
          ).status,
        ).toBe(403);
        expect(
          (await kube.request('GET', `/api/v1/namespaces/${p.namespace}/secrets`, { token })).status,
        ).toBe(403);
        expect((await kube.request('GET', cmPath(p.namespace, 'unrelated'), { token })).status).toBe(403);
        // resourceNames do not cover an unfiltered list or watch of the namespace's ConfigMaps.
        expect((await kube.request('GET', cmPath(p.namespace), { token })).status).toBe(403);
        expect((await kube.watch(cmPath(p.namespace), { token, timeoutSeconds: 1 })).status).toBe(403);
        for (const o of othersFor(sa)) {
          for (const name of configMapsOf(o))
            expect(
              (await kube.request('GET', cmPath(o.namespace, name), { token })).status,
              `${o.namespace}/${name}`,
            ).toBe(403);
        }
      },
    );

    if (p.verifyAccounts.length > 0)
      it.each(p.verifyAccounts)(
        "the verify account %s reads both ConfigMaps through verify's own client, and nothing else",
        async (sa) => {
          const token = tokenOf(p.namespace, sa);
          const access = { apiUrl: kube.url, token, ca: kube.caPem, namespace: p.namespace };
          const desired = await readConfigMap(access, p.namespace, `${p.name}-cutover`);
          expect(desired?.data.pipeline).toBe(p.name);
          const status = await readConfigMap(access, p.namespace, `${p.name}-cutover-status`);
          expect(status?.data.generation).toBe('0');
          await expect(readConfigMap(access, p.namespace, 'unrelated')).rejects.toThrow(
            /HTTP 403.*check the verify Role/,
          );
          for (const o of othersFor(sa)) {
            const err = await readConfigMap(access, o.namespace, `${o.name}-cutover`).catch(
              (e: unknown) => e,
            );
            expect(err, `${o.namespace}/${o.name}-cutover`).toBeInstanceOf(FlinkRestError);
            expect((err as FlinkRestError).failure.status).toBe(403);
          }
          const patch = {
            body: { metadata: { annotations: { 'flink-cutover.dev/approved-generation': '1' } } },
            contentType: 'application/merge-patch+json',
            token,
          };
          expect((await kube.request('PATCH', cmPath(p.namespace, `${p.name}-cutover`), patch)).status).toBe(
            403,
          );
          expect(
            (await kube.request('PATCH', cmPath(p.namespace, `${p.name}-cutover-status`), patch)).status,
          ).toBe(403);
          expect(
            (
              await kube.request('GET', `/api/v1/namespaces/${p.namespace}/secrets/kafka-credentials`, {
                token,
              })
            ).status,
          ).toBe(403);
          expect(
            (
              await kube.request(
                'GET',
                `/apis/flink.apache.org/v1beta1/namespaces/${p.namespace}/flinkdeployments`,
                { token },
              )
            ).status,
          ).toBe(403);
          expect(
            (await kube.request('GET', `/apis/batch/v1/namespaces/${p.namespace}/jobs`, { token })).status,
          ).toBe(403);
        },
      );
  });

  it('every account can do on every ConfigMap exactly what the rendered Roles grant it, no more, no less', async () => {
    const accounts = [
      ...new Set(
        pipelines.flatMap((p) => [...p.jobAccounts, ...p.verifyAccounts].map((sa) => `${p.namespace}/${sa}`)),
      ),
    ];
    const names = [...pipelines.flatMap(configMapsOf), 'unrelated'];
    const mismatches: string[] = [];
    let allowedChecks = 0;
    for (const account of accounts) {
      const [home, sa] = account.split('/') as [string, string];
      const token = tokenOf(home, sa);
      const grants = grantsFromDist(home, sa);
      for (const ns of namespaces) {
        for (const name of names) {
          const allowed = (verb: string) => ns === home && grants.has(`${verb} configmaps ${name}`);
          if (allowed('get')) allowedChecks++;
          const get = await kube.request('GET', cmPath(ns, name), { token });
          const exists = get.status !== 404;
          if (exists && (get.status === 200) !== allowed('get'))
            mismatches.push(
              `${account} get ${ns}/${name}: HTTP ${get.status}, Roles ${allowed('get') ? 'allow' : 'refuse'}`,
            );
          const w = await kube.watch(cmPath(ns), {
            token,
            fieldSelector: `metadata.name=${name}`,
            timeoutSeconds: 1,
          });
          w.close();
          if ((w.status === 200) !== allowed('watch'))
            mismatches.push(
              `${account} watch ${ns}/${name}: HTTP ${w.status}, Roles ${allowed('watch') ? 'allow' : 'refuse'}`,
            );
          const patch = await kube.request('PATCH', cmPath(ns, name), {
            body: { data: { x: 'y' } },
            contentType: 'application/merge-patch+json',
            token,
          });
          if (exists && (patch.status === 200) !== allowed('patch'))
            mismatches.push(
              `${account} patch ${ns}/${name}: HTTP ${patch.status}, Roles ${allowed('patch') ? 'allow' : 'refuse'}`,
            );
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(allowedChecks, 'the table covers granted access too').toBeGreaterThanOrEqual(2 * accounts.length);
  });
});
