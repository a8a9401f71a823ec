import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FlinkRestError } from '../../lib/flink/errors.js';
import { configMapView, inClusterAccess, readConfigMap } from '../../lib/verify/kube.js';
import { approvalFrom } from '../../lib/verify/observe.js';
import { tempDir } from '../support/pipelines.js';

describe('in-cluster access', () => {
  it('uses KUBERNETES_SERVICE_HOST/PORT with the mounted token, CA and namespace', () => {
    const dir = tempDir({
      token: 'tok\n',
      'ca.crt': '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n',
      namespace: 'streaming',
    });
    expect(
      inClusterAccess({ KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '6443' }, dir),
    ).toEqual({
      apiUrl: 'https://10.0.0.1:6443',
      token: 'tok',
      ca: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----',
      namespace: 'streaming',
    });
    expect(inClusterAccess({ KUBERNETES_SERVICE_HOST: 'fd00::1' }, dir)?.apiUrl).toBe(
      'https://[fd00::1]:443',
    );
  });

  it('is absent outside a pod, unless an API URL (kubectl proxy) is given', () => {
    const empty = tempDir();
    expect(inClusterAccess({}, empty)).toBeUndefined();
    expect(inClusterAccess({ KUBERNETES_SERVICE_HOST: '10.0.0.1' }, empty)).toBeUndefined();
    expect(inClusterAccess({}, empty, 'http://127.0.0.1:8001')).toEqual({ apiUrl: 'http://127.0.0.1:8001' });
  });
});

describe('readConfigMap', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  async function api(status: number, body: unknown): Promise<string> {
    server = createServer((_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('returns undefined for a missing ConfigMap and explains a 403', async () => {
    let url = await api(404, { kind: 'Status' });
    await expect(
      readConfigMap({ apiUrl: url, token: 't' }, 'ns', 'orders-cutover-status'),
    ).resolves.toBeUndefined();
    server!.close();
    url = await api(403, { kind: 'Status' });
    const err = await readConfigMap({ apiUrl: url, token: 't' }, 'ns', 'orders-cutover').catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FlinkRestError);
    expect((err as Error).message).toContain(
      `GET ${url}/api/v1/namespaces/ns/configmaps/orders-cutover: HTTP 403: the service account may not read this ConfigMap`,
    );
  });
});

describe('readConfigMap errors', () => {
  it('says "connection refused" in words for an API server that is down', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const err = await readConfigMap({ apiUrl: `http://127.0.0.1:${port}` }, 'ns', 'orders-cutover').catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FlinkRestError);
    expect((err as Error).message).toBe(
      `GET http://127.0.0.1:${port}/api/v1/namespaces/ns/configmaps/orders-cutover: connection refused; expected ConfigMap ns/orders-cutover from the Kubernetes API`,
    );
  });
});

describe('approvalFrom', () => {
  it('prefers the cutover ConfigMap annotation, then the status key, ignoring non-numbers', () => {
    const cut = configMapView({
      kind: 'ConfigMap',
      metadata: { name: 'orders-cutover', annotations: { 'flink-cutover.dev/approved-generation': '3' } },
    });
    const status = configMapView({
      kind: 'ConfigMap',
      metadata: { name: 'orders-cutover-status' },
      data: { approvedGeneration: '2' },
    });
    const junk = configMapView({
      kind: 'ConfigMap',
      metadata: { annotations: { 'flink-cutover.dev/approved-generation': 'yes' } },
    });
    expect(approvalFrom([status, cut], 'x')).toEqual({
      source: 'x',
      approvedGeneration: 3,
      from: 'annotation',
    });
    expect(approvalFrom([junk, status], 'x')).toEqual({ source: 'x', approvedGeneration: 2, from: 'status' });
    expect(approvalFrom([junk], 'x')).toEqual({ source: 'x' });
    // An annotation left from the previous cutover does not hide the status key approving this one.
    expect(approvalFrom([status, cut], 'x', 2)).toEqual({
      source: 'x',
      approvedGeneration: 2,
      from: 'status',
    });
    expect(approvalFrom([status, cut], 'x', 3)).toEqual({
      source: 'x',
      approvedGeneration: 3,
      from: 'annotation',
    });
    expect(approvalFrom([status, cut], 'x', 4)).toEqual({
      source: 'x',
      approvedGeneration: 3,
      from: 'annotation',
    });
    expect(() => configMapView({ kind: 'Secret' })).toThrow('expected a ConfigMap');
  });
});
