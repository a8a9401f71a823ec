import { afterAll, beforeAll, expect, it } from 'vitest';
import type { KubeApiServer } from '../support/kube-apiserver.js';
import { startKubeApiServer } from '../support/kube-apiserver.js';
import { describeWithKubeApiServer } from '../support/kube-suite.js';

const NS = 'semantics';

describeWithKubeApiServer('watch, resourceVersion and Lease semantics of a real API server', () => {
  let kube: KubeApiServer;
  const cms = `/api/v1/namespaces/${NS}/configmaps`;
  const leases = `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases`;

  beforeAll(async () => {
    // ConfigMap watches read etcd directly here (no watch cache for them): a cached watch is served
    // from the API server's in-memory window even after etcd compacted, and answers 410 only once
    // the resourceVersion falls out of that window; without the cache the compaction shows at once.
    // Leases keep the default watch cache.
    kube = await startKubeApiServer({ crds: false, apiServerArgs: ['--watch-cache-sizes=configmaps#0'] });
    await kube.createNamespace(NS);
  }, 180_000);
  afterAll(async () => {
    await kube?.stop();
  });

  const createCm = async (name: string, data: Record<string, string>) => {
    const res = await kube.request('POST', cms, {
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data },
    });
    expect(res.status, res.text).toBe(201);
    return res.body;
  };
  const put = (name: string, body: unknown) => kube.request('PUT', `${cms}/${name}`, { body });

  it('a watch from a resourceVersion delivers the later changes in order, each with a newer resourceVersion', async () => {
    const cm = await createCm('watched', { n: '0' });
    const w = await kube.watch(cms, {
      resourceVersion: cm.metadata.resourceVersion,
      fieldSelector: 'metadata.name=watched',
    });
    expect(w.status).toBe(200);
    let current = cm;
    for (const n of ['1', '2', '3']) {
      const res = await put('watched', { ...current, data: { n } });
      expect(res.status).toBe(200);
      current = res.body;
    }
    await kube.request('DELETE', `${cms}/watched`);
    const seen = [await w.next(), await w.next(), await w.next(), await w.next()];
    w.close();
    expect(seen.map((e) => e.type)).toEqual(['MODIFIED', 'MODIFIED', 'MODIFIED', 'DELETED']);
    expect(seen.slice(0, 3).map((e) => e.object.data.n)).toEqual(['1', '2', '3']);
    const rvs = seen.map((e) => BigInt(e.object.metadata.resourceVersion));
    expect(rvs.every((rv, i) => i === 0 || rv > rvs[i - 1]!)).toBe(true);
    expect(rvs[0]! > BigInt(cm.metadata.resourceVersion)).toBe(true);
  });

  it('an update carrying a stale resourceVersion is refused with 409 Conflict and changes nothing', async () => {
    const cm = await createCm('contested', { owner: 'a' });
    const first = await put('contested', { ...cm, data: { owner: 'b' } });
    expect(first.status).toBe(200);
    const stale = await put('contested', { ...cm, data: { owner: 'c' } });
    expect(stale.status).toBe(409);
    expect(stale.body.reason).toBe('Conflict');
    const now = await kube.request('GET', `${cms}/contested`);
    expect(now.body.data.owner).toBe('b');
    expect(now.body.metadata.resourceVersion).toBe(first.body.metadata.resourceVersion);
  });

  it('a watch from a resourceVersion older than an etcd compaction gets 410 Gone', async () => {
    const cm = await createCm('compacted', { n: '0' });
    const old = cm.metadata.resourceVersion as string;
    let current = cm;
    for (let n = 1; n <= 3; n++)
      current = (await put('compacted', { ...current, data: { n: String(n) } })).body;
    const revision = await kube.compactEtcd();
    expect(revision).toBeGreaterThanOrEqual(Number(current.metadata.resourceVersion));
    const gone = await expectGone(old);
    expect(gone.code).toBe(410);
    expect(gone.reason).toBe('Expired');
    // A list at the compacted resourceVersion exactly is gone too; one from now on works.
    const exact = await kube.request('GET', cms, {
      query: { resourceVersion: old, resourceVersionMatch: 'Exact' },
    });
    expect(exact.status).toBe(410);
    const fresh = await kube.request('GET', cms);
    const w = await kube.watch(cms, {
      resourceVersion: fresh.body.metadata.resourceVersion,
      fieldSelector: 'metadata.name=compacted',
    });
    expect(w.status).toBe(200);
    await put('compacted', { ...current, data: { n: 'after' } });
    const ev = await w.next();
    w.close();
    expect(ev.type).toBe('MODIFIED');
    expect(ev.object.data.n).toBe('after');
  });

  /** The 410 of a watch from `rv`: the API server answers 200, then an ERROR event carrying the Status. */
  async function expectGone(
    rv: string,
    path = cms,
    fieldSelector = 'metadata.name=compacted',
  ): Promise<{ code: number; reason: string }> {
    const w = await kube.watch(path, { resourceVersion: rv, fieldSelector, timeoutSeconds: 10 });
    expect(w.status, JSON.stringify(w.errorBody)).toBe(200);
    const ev = await w.next();
    w.close();
    expect(ev.type, `a watch from ${rv} delivered ${JSON.stringify(ev)}`).toBe('ERROR');
    return { code: ev.object.code, reason: ev.object.reason };
  }

  it('a Lease is created once (409 AlreadyExists for the second) and only one of two updates from the same read wins', async () => {
    const lease = (holder: string) => ({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'flink-cutover-controller' },
      spec: {
        holderIdentity: holder,
        leaseDurationSeconds: 15,
        acquireTime: new Date().toISOString().replace(/\.\d+Z$/, '.000000Z'),
        leaseTransitions: 0,
      },
    });
    const a = await kube.request('POST', leases, { body: lease('replica-a') });
    expect(a.status, a.text).toBe(201);
    const b = await kube.request('POST', leases, { body: lease('replica-b') });
    expect(b.status).toBe(409);
    expect(b.body.reason).toBe('AlreadyExists');

    // Both replicas read the same Lease and try to take it over: the API server lets exactly one win.
    const read = (await kube.request('GET', `${leases}/flink-cutover-controller`)).body;
    const takeOver = (holder: string) =>
      kube.request('PUT', `${leases}/flink-cutover-controller`, {
        body: {
          ...read,
          spec: { ...read.spec, holderIdentity: holder, leaseTransitions: read.spec.leaseTransitions + 1 },
        },
      });
    const results = await Promise.all([takeOver('replica-b'), takeOver('replica-c')]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = results.find((r) => r.status === 200)!.body.spec.holderIdentity;
    const stored = (await kube.request('GET', `${leases}/flink-cutover-controller`)).body;
    expect(stored.spec.holderIdentity).toBe(winner);
    expect(stored.spec.leaseTransitions).toBe(1);
  });

  // Last: it restarts the API server.
  it('after an API server restart, a watch (served by the watch cache) from a resourceVersion before it gets 410 Gone', async () => {
    const lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'before-restart' },
      spec: { holderIdentity: 'a', leaseDurationSeconds: 15 },
    };
    const created = await kube.request('POST', leases, { body: lease });
    expect(created.status).toBe(201);
    const old = created.body.metadata.resourceVersion as string;
    const renewed = await kube.request('PUT', `${leases}/before-restart`, {
      body: { ...created.body, spec: { ...created.body.spec, holderIdentity: 'b' } },
    });
    expect(renewed.status).toBe(200);
    // Before the restart the cache still has that resourceVersion: the watch replays the renewal.
    const before = await kube.watch(leases, {
      resourceVersion: old,
      fieldSelector: 'metadata.name=before-restart',
    });
    const replay = await before.next();
    before.close();
    expect(replay.type).toBe('MODIFIED');
    expect(replay.object.spec.holderIdentity).toBe('b');

    await kube.restartApiServer();
    const gone = await expectGone(old, leases, 'metadata.name=before-restart');
    expect(gone.code).toBe(410);
    expect(gone.reason).toBe('Expired');
  });
});
