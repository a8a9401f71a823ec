/* eslint-disable @typescript-eslint/no-explicit-any -- test fixtures are edited as plain objects */
/** The fake Kubernetes API's wire behaviour, checked over HTTP as a client sees it. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeKube } from '../support/fake-kube.js';

let kube: FakeKube;
beforeEach(async () => {
  kube = await FakeKube.start();
});
afterEach(async () => kube.close());

const CM = '/api/v1/namespaces/ns/configmaps';

async function req(
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<{ status: number; body: any }> {
  const res = await fetch(kube.apiUrl + path, {
    method,
    ...(body !== undefined
      ? {
          body: typeof body === 'string' ? body : JSON.stringify(body),
          headers: { 'content-type': contentType },
        }
      : {}),
  });
  return { status: res.status, body: await res.json() };
}

/** Opens a watch and collects its events until `n` arrived or the stream ended. */
async function watch(
  query: string,
  n: number,
  during?: () => void | Promise<void>,
): Promise<{ type: string; object: any }[]> {
  const ac = new AbortController();
  const res = await fetch(`${kube.apiUrl}${CM}?watch=true&${query}`, { signal: ac.signal });
  expect(res.status).toBe(200);
  const out: { type: string; object: any }[] = [];
  const reader = res.body!.getReader();
  let buf = '';
  await during?.();
  while (out.length < n) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += Buffer.from(value).toString('utf8');
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      out.push(JSON.parse(buf.slice(0, i)));
      buf = buf.slice(i + 1);
    }
  }
  ac.abort();
  return out;
}

const cm = (name: string, data: Record<string, string>, labels: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, labels },
  data,
});

describe('fake Kubernetes API', () => {
  it('create, get, 409 AlreadyExists, update with a stale resourceVersion is 409 Conflict', async () => {
    const created = await req('POST', CM, cm('a', { x: '1' }));
    expect(created.status).toBe(201);
    expect(created.body.metadata).toMatchObject({
      name: 'a',
      namespace: 'ns',
      uid: expect.any(String),
      resourceVersion: expect.any(String),
    });
    expect((await req('POST', CM, cm('a', { x: '1' }))).body).toMatchObject({
      kind: 'Status',
      code: 409,
      reason: 'AlreadyExists',
    });
    const rv = created.body.metadata.resourceVersion as string;
    const updated = await req('PUT', `${CM}/a`, {
      ...cm('a', { x: '2' }),
      metadata: { name: 'a', resourceVersion: rv },
    });
    expect(updated.status).toBe(200);
    expect(Number(updated.body.metadata.resourceVersion)).toBeGreaterThan(Number(rv));
    const stale = await req('PUT', `${CM}/a`, {
      ...cm('a', { x: '3' }),
      metadata: { name: 'a', resourceVersion: rv },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.reason).toBe('Conflict');
    expect((await req('GET', `${CM}/a`)).body.data).toEqual({ x: '2' });
    expect((await req('GET', `${CM}/nope`)).status).toBe(404);
  });

  it('list with a label selector and the list resourceVersion; watch replays from it', async () => {
    await req('POST', CM, cm('a', { x: '1' }, { role: 'desired' }));
    await req('POST', CM, cm('b', { x: '1' }, { role: 'other' }));
    const list = await req('GET', `${CM}?labelSelector=role%3Ddesired`);
    expect(list.body.kind).toBe('ConfigMapList');
    expect(list.body.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['a']);
    const rv = list.body.metadata.resourceVersion as string;
    kube.put('configmaps', {
      metadata: { name: 'a', namespace: 'ns', labels: { role: 'desired' } },
      data: { x: '2' },
    });
    kube.put('configmaps', {
      metadata: { name: 'b', namespace: 'ns', labels: { role: 'other' } },
      data: { x: '2' },
    });
    kube.remove('configmaps', 'ns', 'a');
    const events = await watch(`resourceVersion=${rv}&labelSelector=role%3Ddesired`, 2);
    expect(events.map((e) => [e.type, e.object.metadata.name, e.object.data?.x])).toEqual([
      ['MODIFIED', 'a', '2'],
      ['DELETED', 'a', '2'],
    ]);
  });

  it('a watch without resourceVersion starts with ADDED for what exists; bookmarks carry the resourceVersion', async () => {
    await req('POST', CM, cm('a', { x: '1' }));
    const events = await watch('allowWatchBookmarks=true', 2, () => {
      setTimeout(() => kube.bookmark(), 50);
    });
    expect(events[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'a' } } });
    expect(events[1]).toEqual({
      type: 'BOOKMARK',
      object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: kube.resourceVersion } },
    });
  });

  it('410 Gone for a watch from a resourceVersion older than the compaction', async () => {
    const rv = kube.resourceVersion;
    await req('POST', CM, cm('a', { x: '1' }));
    kube.compact();
    const events = await watch(`resourceVersion=${rv}`, 1);
    expect(events).toEqual([
      { type: 'ERROR', object: expect.objectContaining({ kind: 'Status', code: 410, reason: 'Expired' }) },
    ]);
  });

  it('timeoutSeconds ends the watch from the server side', async () => {
    const events = await watch('timeoutSeconds=1', 1);
    expect(events).toEqual([]);
    expect(kube.watchCount).toBe(0);
  });

  it('JSON merge patch, with an optional resourceVersion precondition', async () => {
    const created = await req('POST', CM, cm('a', { x: '1', y: '1' }));
    const p = await req('PATCH', `${CM}/a`, { data: { x: '2', y: null } }, 'application/merge-patch+json');
    expect(p.status).toBe(200);
    expect(p.body.data).toEqual({ x: '2' });
    const stale = await req(
      'PATCH',
      `${CM}/a`,
      { metadata: { resourceVersion: created.body.metadata.resourceVersion }, data: { x: '3' } },
      'application/merge-patch+json',
    );
    expect(stale.status).toBe(409);
    expect((await req('PATCH', `${CM}/a`, [{ op: 'add' }], 'application/json-patch+json')).status).toBe(415);
  });

  it('server-side apply: needs a fieldManager, creates, removes fields its manager dropped, conflicts across managers unless forced', async () => {
    const yaml = (data: Record<string, string>) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: s\ndata:\n${Object.entries(data)
        .map(([k, v]) => `  ${k}: "${v}"`)
        .join('\n')}\n`;
    expect((await req('PATCH', `${CM}/s`, yaml({ a: '1' }), 'application/apply-patch+yaml')).status).toBe(
      400,
    );
    const first = await req(
      'PATCH',
      `${CM}/s?fieldManager=ctl`,
      yaml({ a: '1', b: '1' }),
      'application/apply-patch+yaml',
    );
    expect(first.status).toBe(201);
    const same = await req(
      'PATCH',
      `${CM}/s?fieldManager=ctl`,
      yaml({ a: '1', b: '1' }),
      'application/apply-patch+yaml',
    );
    expect(same.body.metadata.resourceVersion).toBe(first.body.metadata.resourceVersion); // a no-op apply
    const dropped = await req(
      'PATCH',
      `${CM}/s?fieldManager=ctl`,
      yaml({ a: '2' }),
      'application/apply-patch+yaml',
    );
    expect(dropped.body.data).toEqual({ a: '2' });
    const other = await req(
      'PATCH',
      `${CM}/s?fieldManager=someone`,
      yaml({ a: '9' }),
      'application/apply-patch+yaml',
    );
    expect(other.status).toBe(409);
    expect(other.body.message).toContain('conflict with "ctl"');
    const forced = await req(
      'PATCH',
      `${CM}/s?fieldManager=someone&force=true`,
      yaml({ a: '9' }),
      'application/apply-patch+yaml',
    );
    expect(forced.body.data).toEqual({ a: '9' });
  });

  it('Leases and Events under their API groups; faults and the request log', async () => {
    const lease = await req('POST', '/apis/coordination.k8s.io/v1/namespaces/ns/leases', {
      metadata: { name: 'l' },
      spec: { holderIdentity: 'me', leaseDurationSeconds: 15 },
    });
    expect(lease.body).toMatchObject({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      spec: { holderIdentity: 'me' },
    });
    const stale = await req('PUT', '/apis/coordination.k8s.io/v1/namespaces/ns/leases/l', {
      metadata: { name: 'l', resourceVersion: '1' },
      spec: { holderIdentity: 'you' },
    });
    expect(stale.status).toBe(409);
    expect(
      (
        await req('POST', '/api/v1/namespaces/ns/events', {
          metadata: { name: 'e1' },
          reason: 'X',
          involvedObject: { kind: 'ConfigMap', name: 'a' },
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await req('POST', '/apis/events.k8s.io/v1/namespaces/ns/events', {
          metadata: { name: 'e2' },
          reason: 'Y',
        })
      ).status,
    ).toBe(201);
    kube.fault({ method: 'GET', path: /\/configmaps$/, status: 503, times: 1 });
    expect((await req('GET', CM)).status).toBe(503);
    expect((await req('GET', CM)).status).toBe(200);
    expect(kube.writes.map((w) => `${w.method} ${w.status}`)).toEqual([
      'POST 201',
      'PUT 409',
      'POST 201',
      'POST 201',
    ]);
    expect(
      (await req('GET', '/apis/flink.apache.org/v1beta1/namespaces/ns/flinkdeployments')).body.kind,
    ).toBe('FlinkDeploymentList');
    // As kube-apiserver does: an eventTime is a MicroTime, with exactly 6 fraction digits.
    expect(
      (
        await req('POST', '/api/v1/namespaces/ns/events', {
          metadata: { name: 'e3' },
          eventTime: '2026-12-01T12:00:00.123Z',
          involvedObject: { kind: 'ConfigMap', name: 'a' },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await req('POST', '/api/v1/namespaces/ns/events', {
          metadata: { name: 'e4' },
          eventTime: '2026-12-01T12:00:00.123456Z',
          involvedObject: { kind: 'ConfigMap', name: 'a' },
        })
      ).status,
    ).toBe(201);
  });
});
