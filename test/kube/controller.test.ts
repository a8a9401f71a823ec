/**
 * The controller against a real kube-apiserver, as the account `synth` renders for it: a whole
 * lifecycle (list+watch, status writes, Events, its Lease), two replicas electing one leader, and
 * RBAC refusing what the controller must never write (the desired ConfigMap git owns, FlinkDeployments).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEnv } from '../controller/env.js';
import type { Env } from '../controller/env.js';
import { LATENESS, NS, W } from '../controller/env.js';
import { distObjects } from '../support/dist-objects.js';
import type { KubeApiServer, KubeObject } from '../support/kube-apiserver.js';
import { startKubeApiServer } from '../support/kube-apiserver.js';
import { describeWithKubeApiServer } from '../support/kube-suite.js';

const rendered = distObjects().map((d) => d.object);
/** Where the controller runs (its ServiceAccount and Lease). */
const CONTROLLER_NS = 'flink-cutover-system';
/** The controller's ServiceAccount, ClusterRole(Binding) and its Role(Binding) in the test namespace. */
const controllerObjects = rendered.filter(
  (o) =>
    (o.metadata.labels as Record<string, string> | undefined)?.['app.kubernetes.io/name'] ===
      'flink-cutover-controller' &&
    ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'].includes(o.kind) &&
    (!o.metadata.namespace || o.metadata.namespace === NS || o.metadata.namespace === CONTROLLER_NS),
);
const SA = controllerObjects.find((o) => o.kind === 'ServiceAccount')!;

describeWithKubeApiServer('the controller against a real kube-apiserver, with its rendered RBAC', () => {
  let kube: KubeApiServer;
  let env: Env;
  let token: string;

  beforeAll(async () => {
    kube = await startKubeApiServer();
    for (const ns of [NS, CONTROLLER_NS]) await kube.createNamespace(ns);
    await kube.apply(controllerObjects as KubeObject[], 'test');
    token = await kube.mintToken(SA.metadata.namespace!, SA.metadata.name);
    env = await startEnv(async () => ({
      apiUrl: kube.url,
      kubeconfigPath: kube.adminKubeconfigPath,
      close: async () => undefined,
    }));
  }, 120_000);
  afterAll(async () => {
    await env?.close();
    await kube?.stop();
  });

  it('renders RBAC for the controller in the namespace of the pipelines', () => {
    expect(controllerObjects.map((o) => `${o.kind} ${o.metadata.namespace ?? ''}`).sort()).toEqual([
      'ClusterRole ',
      'ClusterRoleBinding ',
      `Role ${CONTROLLER_NS}`,
      `Role ${NS}`,
      `RoleBinding ${CONTROLLER_NS}`,
      `RoleBinding ${NS}`,
      `ServiceAccount ${CONTROLLER_NS}`,
    ]);
  });

  it('runs a lifecycle as its own account: Pending -> Armed -> Completed, with Events, then a rollback as generation 2', async () => {
    await env.desired({ generation: 0 });
    await env.start(
      {
        leaderElection: {
          namespace: CONTROLLER_NS,
          identity: 'replica-a',
          leaseDurationMs: 3000,
          renewDeadlineMs: 2000,
          retryPeriodMs: 200,
        },
      },
      kube.kubeconfigFor(token, 'controller-a'),
    );
    await env.desired({ generation: 1 });
    await env.untilPhase('Pending', 1);
    env.gates('blue', 1, W - 1000, W - 500_000);
    env.gates('green', 1, W - 2000, W - 500_000);
    await env.untilPhase('Armed', 1);
    env.gates('blue', 1, W - 1000, W + LATENESS);
    env.gates('green', 1, W - 2000, W + LATENESS + 5);
    const done = await env.untilPhase('Completed', 1);
    expect(done).toMatchObject({ active: 'blue', to: 'green', watermark: W, history: [] });
    const events = await env.until('the Completed Event', async () => {
      const list = await env.core.listNamespacedEvent({ namespace: NS });
      const reasons = list.items.map((e) => e.reason);
      return reasons.includes('CutoverCompleted') ? reasons : undefined;
    });
    expect(events).toEqual(expect.arrayContaining(['CutoverArmed', 'CutoverCompleted']));
    // A rollback: generation 2 from green back to blue at a later W, chained to generation 1.
    const W2 = W + 10 * LATENESS;
    await env.desired({ generation: 2, active: 'green', to: 'blue', watermark: W2 });
    env.gates('green', 2, W2 - 1000, W2 - 100);
    env.gates('blue', 2, W2 - 1000, W2 - 100);
    const armed = await env.untilPhase('Armed', 2);
    expect(armed.history).toEqual([{ generation: 1, active: 'blue', to: 'green', watermark: W }]);
    expect(env.logs.filter((l) => l.level === 'error')).toEqual([]);
    // The API server restarts (every watch drops, it is down a few seconds): the controller goes on.
    await kube.restartApiServer();
    env.gates('green', 2, W2 - 1000, W2 + LATENESS);
    env.gates('blue', 2, W2 - 1000, W2 + LATENESS);
    await env.untilPhase('Completed', 2);
  }, 90_000);

  it('two replicas: exactly one holds the Lease; when it stops, the other takes over', async () => {
    const second = await env.start(
      {
        leaderElection: {
          namespace: CONTROLLER_NS,
          identity: 'replica-b',
          leaseDurationMs: 3000,
          renewDeadlineMs: 2000,
          retryPeriodMs: 200,
        },
      },
      kube.kubeconfigFor(token, 'controller-b'),
    );
    const lease = async () =>
      (
        await kube.request(
          'GET',
          `/apis/coordination.k8s.io/v1/namespaces/${CONTROLLER_NS}/leases/flink-cutover-controller`,
        )
      ).body?.spec?.holderIdentity as string | undefined;
    const first = await env.until('a holder', lease);
    expect(first).toBe('replica-a');
    // The standby retries every 200 ms and never takes a Lease the leader keeps renewing: two renewals later it is still a's.
    const renewed = async () =>
      (
        await kube.request(
          'GET',
          `/apis/coordination.k8s.io/v1/namespaces/${CONTROLLER_NS}/leases/flink-cutover-controller`,
        )
      ).body?.spec?.renewTime as string;
    for (let i = 0; i < 2; i++) {
      const before = await renewed();
      await env.until('a renewal', async () => ((await renewed()) !== before ? true : undefined));
      expect(await lease()).toBe('replica-a');
    }
    // Stop the leader (releases the Lease); the standby acquires it.
    const leader = env.controllers.find((c) => c !== second)!;
    await leader.stop();
    const next = await env.until('a new holder', async () => {
      const h = await lease();
      return h && h !== first ? h : undefined;
    });
    expect(next).toBe('replica-b');
  }, 60_000);

  describe("refused by the API server for the controller's account", () => {
    const as = (method: string, path: string, body?: unknown, query?: Record<string, string | number>) =>
      kube.request(method, path, { token, ...(body ? { body } : {}), ...(query ? { query } : {}) });
    it('reads and watches ConfigMaps, writes the status ConfigMap', async () => {
      expect((await as('GET', `/api/v1/namespaces/${NS}/configmaps`)).status).toBe(200);
      expect(
        (
          await as('GET', `/api/v1/namespaces/${NS}/configmaps`, undefined, {
            watch: 'true',
            timeoutSeconds: 1,
          })
        ).status,
      ).toBe(200);
      const st = (await as('GET', `/api/v1/namespaces/${NS}/configmaps/orders-cutover-status`))
        .body as KubeObject;
      expect(st.metadata?.name).toBe('orders-cutover-status');
      expect((await as('PUT', `/api/v1/namespaces/${NS}/configmaps/orders-cutover-status`, st)).status).toBe(
        200,
      );
      // Only the pipelines' status maps by name: another ConfigMap it may not update.
      const other = (
        await kube.request('POST', `/api/v1/namespaces/${NS}/configmaps`, {
          body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'unrelated' }, data: { a: '1' } },
        })
      ).body as KubeObject;
      expect((await as('PUT', `/api/v1/namespaces/${NS}/configmaps/unrelated`, other)).status).toBe(403);
    });
    it('may not write the desired ConfigMap git owns, FlinkDeployments, or read Secrets', async () => {
      const cm = (await as('GET', `/api/v1/namespaces/${NS}/configmaps/orders-cutover`)).body as KubeObject;
      expect((await as('PUT', `/api/v1/namespaces/${NS}/configmaps/orders-cutover`, cm)).status).toBe(403);
      expect((await as('DELETE', `/api/v1/namespaces/${NS}/configmaps/orders-cutover`)).status).toBe(403);
      expect(
        (
          await as('POST', `/apis/flink.apache.org/v1beta1/namespaces/${NS}/flinkdeployments`, {
            apiVersion: 'flink.apache.org/v1beta1',
            kind: 'FlinkDeployment',
            metadata: { name: 'x' },
            spec: {},
          })
        ).status,
      ).toBe(403);
      expect((await as('GET', `/api/v1/namespaces/${NS}/secrets`)).status).toBe(403);
    });
  });
});
