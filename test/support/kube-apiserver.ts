/**
 * A real kube-apiserver and etcd for tests (what controller-runtime's envtest does, from the
 * binaries `.ci/kube-apiserver.sh` builds from the Go module proxy).
 *
 * `startKubeApiServer()` starts etcd and kube-apiserver on loopback with random free ports in a
 * temporary folder: a generated CA, serving certificate, admin client certificate
 * (`system:masters`) and service-account signing key; `--authorization-mode=RBAC`; the operator
 * CRDs installed and Established. `stop()` ends both process groups by PID; they also end when the
 * test process exits or dies (each runs under a watchdog that follows this process).
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { Agent, request as httpsRequest } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The script that builds (once per machine) and locates the binaries. */
export const BUILD_SCRIPT = join(REPO_ROOT, '.ci', 'kube-apiserver.sh');
/** The operator CRDs (`../shared/reference/crds`, as reference.ts finds it; not imported from there: that module needs vitest, this one runs in benchmarks too). */
const CRD_DIR = join(REPO_ROOT, '..', 'shared', 'reference', 'crds');

/** A Kubernetes object as JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; [k: string]: unknown };
  [k: string]: unknown;
}

/** An HTTP answer of the API server (`body` parsed as JSON when it is JSON). */
export interface KubeResponse {
  readonly status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
  readonly text: string;
}

export interface RequestOptions {
  /** JSON-serialized unless a string. */
  readonly body?: unknown;
  /** @default "application/json" when there is a body */
  readonly contentType?: string;
  /** Bearer token to authenticate with. @default the admin client certificate (system:masters) */
  readonly token?: string;
  /** Query parameters. */
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
}

/** One event of a watch stream. */
export interface WatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly object: any;
}

/** An open watch: the HTTP status, then its events in order. */
export interface KubeWatch {
  readonly status: number;
  /** The response body when the status is not 200 (a Status object). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly errorBody?: any;
  /** The next event; rejects when none arrives within `timeoutMs` or the stream ends first. */
  next(timeoutMs?: number): Promise<WatchEvent>;
  close(): void;
}

export interface WatchOptions {
  readonly resourceVersion?: string;
  readonly fieldSelector?: string;
  readonly labelSelector?: string;
  readonly allowWatchBookmarks?: boolean;
  readonly token?: string;
  /** Server-side end of the watch. @default 60 */
  readonly timeoutSeconds?: number;
}

export interface KubeApiServer {
  /** `https://127.0.0.1:<port>`. */
  readonly url: string;
  /** PEM of the CA that signed the serving and client certificates. */
  readonly caPem: string;
  /** A kubeconfig with the admin client certificate (`system:masters`). */
  readonly adminKubeconfigPath: string;
  /** etcd's client URL (plain http on loopback). */
  readonly etcdUrl: string;
  /** The service-account issuer (also the default token audience). */
  readonly issuer: string;
  /** The temporary folder (certificates, etcd data, logs); removed by `stop()`. */
  readonly dir: string;
  /** Milliseconds from spawning etcd to kube-apiserver's /readyz answering ok. */
  readonly startMs: number;
  /** The process groups of etcd and kube-apiserver (each led by its watchdog; `stop()` ends them). */
  readonly processGroups: readonly number[];
  /** A raw request (`path` starts with `/`); admin unless `token` is given. Never throws on a status. */
  request(method: string, path: string, options?: RequestOptions): Promise<KubeResponse>;
  /** Writes a kubeconfig that authenticates with `token`; returns its path. */
  kubeconfigFor(token: string, name?: string): string;
  /** A token for a ServiceAccount through the TokenRequest API (the account must exist). */
  mintToken(
    namespace: string,
    serviceAccount: string,
    options?: { readonly expirationSeconds?: number; readonly audiences?: readonly string[] },
  ): Promise<string>;
  /** Server-side applies each object in order (PATCH application/apply-patch+yaml); returns what the server stored. */
  apply(
    objects: readonly KubeObject[],
    fieldManager: string,
    options?: { readonly force?: boolean; readonly token?: string },
  ): Promise<KubeObject[]>;
  /** The REST path of an object (or of its collection when `name` is omitted), found through discovery. */
  pathFor(apiVersion: string, kind: string, namespace?: string, name?: string): Promise<string>;
  /** Opens a watch on a collection path, e.g. `/api/v1/namespaces/ns/configmaps`. */
  watch(collectionPath: string, options?: WatchOptions): Promise<KubeWatch>;
  /** Compacts etcd at its current revision (what kube-apiserver's periodic compaction does); returns that revision. */
  compactEtcd(): Promise<number>;
  /** Stops kube-apiserver and starts it again on the same port and etcd (its caches start afresh); resolves when ready. */
  restartApiServer(): Promise<void>;
  /** Creates a namespace (admin). */
  createNamespace(name: string): Promise<void>;
  /** Stops kube-apiserver, then etcd (SIGTERM, SIGKILL after 10 s) and removes the folder. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Install the operator CRDs from the reference folder. @default true */
  readonly crds?: boolean;
  /** Extra kube-apiserver flags. */
  readonly apiServerArgs?: readonly string[];
  /** How long to wait for /readyz. @default 120000 */
  readonly readyTimeoutMs?: number;
}

/** Where the binaries are, or why they cannot be used. */
export type Binaries =
  { readonly ok: true; readonly dir: string } | { readonly ok: false; readonly reason: string };

let binariesCache: Binaries | undefined;

/**
 * The folder with `kube-apiserver` and `etcd`: `$KUBE_APISERVER_BIN_DIR`, else the per-machine
 * cache of `.ci/kube-apiserver.sh` (asked with `--print`, which never builds).
 */
export function kubeBinaries(): Binaries {
  if (binariesCache) return binariesCache;
  const check = (dir: string): Binaries => {
    const missing = ['kube-apiserver', 'etcd'].filter((b) => !existsSync(join(dir, b)));
    return missing.length === 0
      ? { ok: true, dir }
      : { ok: false, reason: `${missing.join(' and ')} not found in ${dir}` };
  };
  const fromEnv = process.env.KUBE_APISERVER_BIN_DIR;
  if (fromEnv) return (binariesCache = check(fromEnv));
  try {
    const out = execFileSync('bash', [BUILD_SCRIPT, '--print'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    })
      .trim()
      .split('\n');
    return (binariesCache = check(out[out.length - 1]!));
  } catch {
    return (binariesCache = {
      ok: false,
      reason:
        'kube-apiserver and etcd are not built on this machine (run .ci/kube-apiserver.sh once, about 15-30 minutes)',
    });
  }
}

/** A free TCP port on 127.0.0.1 (asked from the kernel, then released). */
async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.unref();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (typeof addr === 'object' && addr ? res(addr.port) : rej(new Error('no port'))));
    });
  });
}

function openssl(cwd: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** CA, serving certificate, admin client certificate and service-account key pair in `dir`. */
function makePki(dir: string): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    dir,
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=flink-cutover-test-ca',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
  );
  const leaf = (name: string, subj: string, ext: string) => {
    writeFileSync(join(dir, `${name}.ext`), ext);
    openssl(dir, 'req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subj);
    openssl(
      dir,
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    );
  };
  leaf(
    'server',
    '/CN=kube-apiserver',
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' +
      'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\n',
  );
  leaf(
    'admin',
    '/O=system:masters/CN=flink-cutover-admin',
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n',
  );
  openssl(dir, 'genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'sa.key');
  openssl(dir, 'pkey', '-in', 'sa.key', '-pubout', '-out', 'sa.pub');
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Spawns `bin args` in its own process group under a bash watchdog that ends it when this process
 * is gone (so a crashed or killed test run leaves nothing behind); output goes to `logFile`.
 */
function spawnGroup(bin: string, args: readonly string[], logFile: string): ChildProcess {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const c of live) killGroup(c, 'SIGKILL');
    });
  }
  const watchdog = `"$@" & child=$!
trap 'kill -TERM $child 2>/dev/null; wait $child; exit 0' TERM INT
while kill -0 ${process.pid} 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 0.5; done
kill -KILL $child 2>/dev/null; wait $child`;
  const out = openSync(logFile, 'a');
  const child = spawn('bash', ['-c', watchdog, 'kube-test-process', bin, ...args], {
    detached: true,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  live.add(child);
  child.on('exit', () => live.delete(child));
  return child;
}

async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function logTail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `probe` until it returns true, failing with `describeFailure()` after `timeoutMs`. */
async function until(
  timeoutMs: number,
  probe: () => Promise<boolean>,
  describeFailure: () => string,
  exited?: () => string | undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const gone = exited?.();
    if (gone) throw new Error(`${gone}\n${describeFailure()}`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms\n${describeFailure()}`);
    await sleep(200);
  }
}

function kubeconfig(url: string, caPem: string, user: Record<string, string>): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return (
    JSON.stringify(
      {
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'test', cluster: { server: url, 'certificate-authority-data': b64(caPem) } }],
        users: [{ name: 'user', user }],
        contexts: [{ name: 'test', context: { cluster: 'test', user: 'user' } }],
        'current-context': 'test',
      },
      null,
      2,
    ) + '\n'
  );
}

/** Starts etcd and kube-apiserver (see the module comment). */
export async function startKubeApiServer(options: StartOptions = {}): Promise<KubeApiServer> {
  const bins = kubeBinaries();
  if (!bins.ok) throw new Error(bins.reason);
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'flink-cutover-kube-'));
  const children: ChildProcess[] = [];
  const cleanup = async () => {
    for (const c of [...children].reverse()) await stopGroup(c);
    if (!process.env.KEEP_KUBE_TEST_DIR) rmSync(dir, { recursive: true, force: true });
  };
  try {
    makePki(dir);
    const read = (f: string) => readFileSync(join(dir, f), 'utf8');
    const caPem = read('ca.crt');
    const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const peerUrl = `http://127.0.0.1:${peerPort}`;

    const etcdLog = join(dir, 'etcd.log');
    const etcd = spawnGroup(
      join(bins.dir, 'etcd'),
      [
        '--name=test',
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=test=${peerUrl}`,
        '--unsafe-no-fsync',
        '--log-level=warn',
      ],
      etcdLog,
    );
    children.push(etcd);
    const gone = (c: ChildProcess, what: string) => () =>
      c.exitCode !== null || c.signalCode !== null
        ? `${what} exited (${c.exitCode ?? c.signalCode})`
        : undefined;
    await until(
      30_000,
      async () => (await plain(`${etcdUrl}/health`)).status === 200,
      () => `etcd did not become healthy; ${etcdLog}:\n${logTail(etcdLog)}`,
      gone(etcd, 'etcd'),
    );

    const url = `https://127.0.0.1:${apiPort}`;
    const issuer = 'https://kubernetes.default.svc.cluster.local';
    const apiLog = join(dir, 'kube-apiserver.log');
    const apiArgs = [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--cert-dir=${join(dir, 'cert-dir')}`,
      `--tls-cert-file=${join(dir, 'server.crt')}`,
      `--tls-private-key-file=${join(dir, 'server.key')}`,
      `--client-ca-file=${join(dir, 'ca.crt')}`,
      '--authorization-mode=RBAC',
      `--service-account-issuer=${issuer}`,
      `--service-account-key-file=${join(dir, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
      '--service-cluster-ip-range=10.0.0.0/24',
      '--allow-privileged=true',
      // Loopback may not be the advertised endpoint of the kubernetes Service: nothing here needs one.
      '--endpoint-reconciler-type=none',
      '--profiling=false',
      ...(options.apiServerArgs ?? []),
    ];
    const spawnApi = () => {
      const c = spawnGroup(join(bins.dir, 'kube-apiserver'), apiArgs, apiLog);
      children.push(c);
      return c;
    };
    let api = spawnApi();

    const adminAgent = new Agent({
      ca: caPem,
      cert: read('admin.crt'),
      key: read('admin.key'),
      keepAlive: true,
      maxSockets: 16,
    });
    const tokenAgent = new Agent({ ca: caPem, keepAlive: true, maxSockets: 16 });

    const rawRequest = (
      method: string,
      path: string,
      opts: RequestOptions = {},
      stream = false,
    ): Promise<IncomingMessage> => {
      const u = new URL(path, url);
      for (const [k, v] of Object.entries(opts.query ?? {}))
        if (v !== undefined) u.searchParams.set(k, String(v));
      const body =
        opts.body === undefined
          ? undefined
          : typeof opts.body === 'string'
            ? opts.body
            : JSON.stringify(opts.body);
      const headers: Record<string, string> = { accept: 'application/json' };
      if (body !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      return new Promise((res, rej) => {
        const req = httpsRequest(
          u,
          {
            method,
            headers,
            agent: opts.token ? tokenAgent : adminAgent,
            ...(stream ? {} : { timeout: 30_000 }),
          },
          res,
        );
        req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within 30 s`)));
        req.on('error', rej);
        req.end(body);
      });
    };
    const request = async (
      method: string,
      path: string,
      opts: RequestOptions = {},
    ): Promise<KubeResponse> => {
      const res = await rawRequest(method, path, opts);
      const text = await new Promise<string>((ok, bad) => {
        let t = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (t += c));
        res.on('end', () => ok(t));
        res.on('error', bad);
      });
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON (e.g. /readyz)
      }
      return { status: res.statusCode ?? 0, body, text };
    };

    const ready = () =>
      until(
        options.readyTimeoutMs ?? 120_000,
        async () => (await request('GET', '/readyz')).status === 200,
        () => `kube-apiserver did not become ready; ${apiLog}:\n${logTail(apiLog)}`,
        gone(api, 'kube-apiserver'),
      );
    await ready();
    const startMs = Date.now() - started;

    const adminKubeconfigPath = join(dir, 'admin.kubeconfig');
    writeFileSync(
      adminKubeconfigPath,
      kubeconfig(url, caPem, {
        'client-certificate-data': Buffer.from(read('admin.crt')).toString('base64'),
        'client-key-data': Buffer.from(read('admin.key')).toString('base64'),
      }),
    );
    mkdirSync(join(dir, 'kubeconfigs'));
    let kubeconfigs = 0;

    const discovery = new Map<string, { name: string; kind: string; namespaced: boolean }[]>();
    const pathFor = async (
      apiVersion: string,
      kind: string,
      namespace?: string,
      name?: string,
    ): Promise<string> => {
      const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      let resources = discovery.get(apiVersion);
      if (!resources?.some((r) => r.kind === kind)) {
        const res = await request('GET', base);
        if (res.status !== 200) throw new Error(`discovery of ${apiVersion}: HTTP ${res.status} ${res.text}`);
        resources = (res.body.resources as { name: string; kind: string; namespaced: boolean }[]).filter(
          (r) => !r.name.includes('/'),
        );
        discovery.set(apiVersion, resources);
      }
      const r = resources.find((x) => x.kind === kind);
      if (!r) throw new Error(`the API server does not serve ${kind} in ${apiVersion}`);
      if (r.namespaced && !namespace) throw new Error(`${kind} is namespaced: give a namespace`);
      const ns = r.namespaced ? `/namespaces/${encodeURIComponent(namespace!)}` : '';
      return `${base}${ns}/${r.name}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
    };

    const apply = async (
      objects: readonly KubeObject[],
      fieldManager: string,
      opts: { force?: boolean; token?: string } = {},
    ): Promise<KubeObject[]> => {
      const out: KubeObject[] = [];
      for (const o of objects) {
        const path = await pathFor(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name);
        const res = await request('PATCH', path, {
          body: o,
          contentType: 'application/apply-patch+yaml',
          query: { fieldManager, force: opts.force ? 'true' : undefined },
          ...(opts.token ? { token: opts.token } : {}),
        });
        if (res.status < 200 || res.status >= 300) {
          throw new Error(
            `apply ${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}: HTTP ${res.status}: ${res.body?.message ?? res.text}`,
          );
        }
        out.push(res.body as KubeObject);
      }
      return out;
    };

    const server: KubeApiServer = {
      url,
      caPem,
      adminKubeconfigPath,
      etcdUrl,
      issuer,
      dir,
      startMs,
      request,
      pathFor,
      apply,
      get processGroups() {
        return children.map((c) => c.pid!);
      },
      kubeconfigFor(token: string, name = `token-${++kubeconfigs}`) {
        const p = join(dir, 'kubeconfigs', `${name}.kubeconfig`);
        writeFileSync(p, kubeconfig(url, caPem, { token }));
        return p;
      },
      async mintToken(namespace, serviceAccount, o = {}) {
        const res = await request(
          'POST',
          `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${encodeURIComponent(serviceAccount)}/token`,
          {
            body: {
              apiVersion: 'authentication.k8s.io/v1',
              kind: 'TokenRequest',
              spec: {
                expirationSeconds: o.expirationSeconds ?? 3600,
                ...(o.audiences ? { audiences: o.audiences } : {}),
              },
            },
          },
        );
        if (res.status !== 201 && res.status !== 200)
          throw new Error(
            `TokenRequest for ${namespace}/${serviceAccount}: HTTP ${res.status}: ${res.body?.message ?? res.text}`,
          );
        return res.body.status.token as string;
      },
      async watch(collectionPath, o = {}) {
        const res = await rawRequest(
          'GET',
          collectionPath,
          {
            query: {
              watch: 'true',
              resourceVersion: o.resourceVersion,
              fieldSelector: o.fieldSelector,
              labelSelector: o.labelSelector,
              allowWatchBookmarks: o.allowWatchBookmarks ? 'true' : undefined,
              timeoutSeconds: o.timeoutSeconds ?? 60,
            },
            ...(o.token ? { token: o.token } : {}),
          },
          true,
        );
        return openWatch(res);
      },
      async compactEtcd() {
        // etcd's JSON gateway: the current revision from a range read, then a physical compaction.
        const range = await plain(`${etcdUrl}/v3/kv/range`, { key: Buffer.from('\0').toString('base64') });
        const revision = Number(JSON.parse(range.text).header.revision);
        const compact = await plain(`${etcdUrl}/v3/kv/compaction`, {
          revision: String(revision),
          physical: true,
        });
        if (compact.status !== 200)
          throw new Error(`etcd compaction at ${revision}: HTTP ${compact.status} ${compact.text}`);
        return revision;
      },
      async createNamespace(name) {
        const res = await request('POST', '/api/v1/namespaces', {
          body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
        });
        if (res.status !== 201) throw new Error(`create namespace ${name}: HTTP ${res.status} ${res.text}`);
      },
      async restartApiServer() {
        await stopGroup(api);
        children.splice(children.indexOf(api), 1);
        adminAgent.destroy();
        tokenAgent.destroy();
        api = spawnApi();
        await ready();
      },
      async stop() {
        adminAgent.destroy();
        tokenAgent.destroy();
        await cleanup();
      },
    };

    if (options.crds ?? true) await installCrds(server);
    return server;
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** Applies the operator CRDs from the reference folder and waits until each is Established. */
async function installCrds(server: KubeApiServer): Promise<void> {
  const dir = CRD_DIR;
  const crds = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .flatMap((f) =>
      parseAllDocuments(readFileSync(join(dir, f), 'utf8'))
        .map((d) => d.toJSON() as KubeObject)
        .filter((o) => o?.kind === 'CustomResourceDefinition'),
    );
  // In parallel: the API server takes seconds to establish each large CRD (schema compilation).
  await Promise.all(
    crds.map(async (crd) => {
      await server.apply([crd], 'flink-cutover-test');
      const path = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`;
      await until(
        60_000,
        async () => {
          const res = await server.request('GET', path);
          return (res.body?.status?.conditions ?? []).some(
            (c: { type: string; status: string }) => c.type === 'Established' && c.status === 'True',
          );
        },
        () => `CRD ${crd.metadata.name} did not become Established`,
      );
    }),
  );
}

/** A plain-http request to etcd: GET, or POST with a JSON body. */
function plain(url: string, body?: unknown): Promise<{ status: number; text: string }> {
  return new Promise((res, rej) => {
    const req = httpRequest(
      url,
      {
        method: body === undefined ? 'GET' : 'POST',
        headers: { 'content-type': 'application/json' },
        timeout: 5000,
      },
      (r) => {
        let t = '';
        r.setEncoding('utf8');
        r.on('data', (c: string) => (t += c));
        r.on('end', () => res({ status: r.statusCode ?? 0, text: t }));
        r.on('error', rej);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer within 5 s`)));
    req.on('error', rej);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** Reads a watch response: newline-delimited JSON events (or a Status body when not 200). */
async function openWatch(res: IncomingMessage): Promise<KubeWatch> {
  const status = res.statusCode ?? 0;
  res.setEncoding('utf8');
  if (status !== 200) {
    const text = await new Promise<string>((ok) => {
      let t = '';
      res.on('data', (c: string) => (t += c));
      res.on('end', () => ok(t));
    });
    let errorBody: unknown = text;
    try {
      errorBody = JSON.parse(text);
    } catch {
      // keep text
    }
    return {
      status,
      errorBody,
      next: () => Promise.reject(new Error(`watch answered HTTP ${status}: ${text}`)),
      close: () => res.destroy(),
    };
  }
  const queue: WatchEvent[] = [];
  const waiters: { resolve: (e: WatchEvent) => void; reject: (e: Error) => void }[] = [];
  let ended: Error | undefined;
  let buf = '';
  res.on('data', (chunk: string) => {
    buf += chunk;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i).trim();
      buf = buf.slice(i + 1);
      if (!line) continue;
      const ev = JSON.parse(line) as WatchEvent;
      const w = waiters.shift();
      if (w) w.resolve(ev);
      else queue.push(ev);
    }
  });
  const finish = (err: Error) => {
    ended ??= err;
    for (const w of waiters.splice(0)) w.reject(ended);
  };
  res.on('end', () => finish(new Error('the watch stream ended')));
  res.on('error', (e) => finish(e));
  res.on('close', () => finish(new Error('the watch stream closed')));
  return {
    status,
    next(timeoutMs = 10_000) {
      const ev = queue.shift();
      if (ev) return Promise.resolve(ev);
      if (ended) return Promise.reject(ended);
      return new Promise<WatchEvent>((resolve, reject) => {
        const waiter = {
          resolve: (e: WatchEvent) => {
            clearTimeout(timer);
            resolve(e);
          },
          reject: (e: Error) => {
            clearTimeout(timer);
            reject(e);
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`no watch event within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    close: () => res.destroy(),
  };
}
