import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { FlinkRestError } from '../flink/errors.js';
import { connectionProblem } from '../flink/http.js';
import { obj } from '../flink/shape.js';
import { ShapeError } from '../flink/errors.js';

/** A ConfigMap as far as the approval check reads it. */
export interface ConfigMapView {
  readonly name: string;
  readonly annotations: Readonly<Record<string, string>>;
  readonly data: Readonly<Record<string, string>>;
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Where and how to reach the Kubernetes API from inside a pod. */
export interface KubeAccess {
  /** e.g. `https://10.0.0.1:443`. */
  readonly apiUrl: string;
  /** Bearer token (absent through `kubectl proxy`). */
  readonly token?: string;
  /** PEM of the cluster CA (https only). */
  readonly ca?: string;
  /** The pod's namespace (from the service account), used when none is given. */
  readonly namespace?: string;
  /** Wall-clock limit of one request, body included. @default 5000 */
  readonly timeoutMs?: number;
  /** Wall-clock deadline (epoch millis) of the whole run: no request starts a request's time past it. @default none */
  readonly deadline?: number;
  /** Largest response body read, in bytes. @default 4 MiB (a ConfigMap holds at most 1 MiB) */
  readonly maxBodyBytes?: number;
}

/**
 * The in-cluster API access from the environment (`KUBERNETES_SERVICE_HOST`/`_PORT`) and the
 * mounted service-account token, CA and namespace; undefined when not running in a pod. With
 * `apiUrl` (e.g. `kubectl proxy`'s http://127.0.0.1:8001) that URL is used, with the token if any.
 */
export function inClusterAccess(
  env: Record<string, string | undefined>,
  dir = SERVICE_ACCOUNT_DIR,
  apiUrl?: string,
): KubeAccess | undefined {
  const host = env.KUBERNETES_SERVICE_HOST;
  const read = (f: string) => {
    try {
      return readFileSync(`${dir}/${f}`, 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  const token = read('token');
  const namespace = read('namespace');
  if (apiUrl) return { apiUrl, ...(token ? { token } : {}), ...(namespace ? { namespace } : {}) };
  if (!host || !token) return undefined;
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  const h = host.includes(':') ? `[${host}]` : host;
  const ca = read('ca.crt');
  return {
    apiUrl: `https://${h}:${port}`,
    token,
    ...(ca ? { ca } : {}),
    ...(namespace ? { namespace } : {}),
  };
}

/** Reads a ConfigMap's fields from its JSON/YAML object form (pure). */
export function configMapView(value: unknown, path = ''): ConfigMapView {
  const o = obj(value, path);
  if (o.kind !== undefined && o.kind !== 'ConfigMap')
    throw new ShapeError(`${path}/kind`, `expected a ConfigMap, got kind ${JSON.stringify(o.kind)}`);
  const meta = obj(o.metadata ?? {}, `${path}/metadata`);
  const strings = (v: unknown, p: string): Record<string, string> => {
    if (v === undefined || v === null) return {};
    return Object.fromEntries(Object.entries(obj(v, p)).map(([k, x]) => [k, String(x)]));
  };
  return {
    name: typeof meta.name === 'string' ? meta.name : '(unnamed)',
    annotations: strings(meta.annotations, `${path}/metadata/annotations`),
    data: strings(o.data, `${path}/data`),
  };
}

/** GETs a ConfigMap from the API server; `undefined` when it does not exist (404). */
export async function readConfigMap(
  access: KubeAccess,
  namespace: string,
  name: string,
): Promise<ConfigMapView | undefined> {
  const url = `${access.apiUrl.replace(/\/+$/, '')}/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps/${encodeURIComponent(name)}`;
  const expected = `ConfigMap ${namespace}/${name} from the Kubernetes API`;
  const limitMs = access.timeoutMs ?? 5000;
  const maxBody = access.maxBodyBytes ?? 4 * 1024 * 1024;
  const fail = (problem: 'timeout' | 'unreachable' | 'http-status', detail: string, status?: number) =>
    new FlinkRestError({
      url,
      expected,
      problem,
      detail,
      attempts: 1,
      ...(status !== undefined ? { status } : {}),
    });
  if (access.deadline !== undefined && Date.now() > access.deadline + limitMs)
    throw fail('timeout', 'the deadline had passed before the request');
  const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const u = new URL(url);
    let settled = false;
    const done = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      f();
    };
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(
      u,
      {
        method: 'GET',
        headers: {
          ...(access.token ? { authorization: `Bearer ${access.token}` } : {}),
          accept: 'application/json',
        },
        ...(access.ca ? { ca: access.ca } : {}),
      },
      (res) => {
        const code = res.statusCode ?? 0;
        if (code >= 300 && code < 400) {
          // Never follow a redirect: the API server does not send them, and the token must not travel.
          const to = res.headers.location ? new URL(res.headers.location, url).toString() : '(no Location)';
          res.destroy();
          done(() =>
            reject(fail('http-status', `HTTP ${code} redirects from ${url} to ${to}: not followed`, code)),
          );
          return;
        }
        const chunks: Buffer[] = [];
        let total = 0;
        res.on('data', (c: Buffer) => {
          total += c.length;
          if (total > maxBody) {
            res.destroy();
            req.destroy();
            done(() =>
              reject(fail('http-status', `the response body is longer than the ${maxBody} bytes read`, code)),
            );
            return;
          }
          chunks.push(c);
        });
        res.on('end', () =>
          done(() => resolve({ status: code, body: Buffer.concat(chunks).toString('utf8') })),
        );
        res.on('error', (err) =>
          done(() => reject(fail('unreachable', connectionProblem({ cause: err }).detail))),
        );
      },
    );
    // A wall-clock limit (the socket's idle timeout would let a slow drip run forever).
    const timer = setTimeout(() => {
      req.destroy();
      done(() => reject(fail('timeout', 'no complete response within the timeout')));
    }, limitMs);
    req.on('error', (err) =>
      done(() => reject(fail('unreachable', connectionProblem({ cause: err }).detail))),
    );
    req.end();
  });
  if (status === 404) return undefined;
  if (status === 401 || status === 403) {
    throw new FlinkRestError({
      url,
      expected,
      problem: 'http-status',
      status,
      detail: `HTTP ${status}: the service account may not read this ConfigMap (check the verify Role)`,
      attempts: 1,
    });
  }
  if (status < 200 || status >= 300)
    throw new FlinkRestError({
      url,
      expected,
      problem: 'http-status',
      status,
      detail: `HTTP ${status}`,
      attempts: 1,
    });
  try {
    return configMapView(JSON.parse(body));
  } catch (err) {
    throw new FlinkRestError({
      url,
      expected,
      problem: 'wrong-shape',
      detail: err instanceof Error ? err.message : String(err),
      attempts: 1,
    });
  }
}
