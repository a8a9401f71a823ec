/* eslint-disable @typescript-eslint/no-explicit-any -- test fixtures are edited as plain objects */
/**
 * An in-process Kubernetes API server for tests, with the wire behaviour a controller depends on:
 * list and watch with resourceVersion (replay from a version, bookmarks, 410 Gone after
 * compaction, server-side close after timeoutSeconds), create (409 AlreadyExists), update with a
 * resourceVersion precondition (409 Conflict), JSON merge patch, server-side apply
 * (`application/apply-patch+yaml`, fieldManager, conflicts unless force), delete, label
 * selectors, for ConfigMaps, Events (core and events.k8s.io), Leases and FlinkDeployments.
 * Served over plain http; the kubeconfig it writes sets `insecure-skip-tls-verify: true` (the
 * client refuses http:// servers otherwise). Faults are scriptable: status codes, delays, hang-ups,
 * dropped or silently stalled watches. Every request is recorded.
 *
 * Tests that need nothing fake-specific use only `KubeHarness` (URL + kubeconfig), so the same
 * body can run against a real kube-apiserver.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** What any Kubernetes API a test runs against provides. */
export interface KubeHarness {
  /** e.g. `http://127.0.0.1:39123`. */
  readonly apiUrl: string;
  /** A kubeconfig file whose current context reaches `apiUrl`. */
  readonly kubeconfigPath: string;
  close(): Promise<void>;
}

/** Something that starts a KubeHarness (the fake by default; a real apiserver elsewhere). */
export type KubeHarnessFactory = () => Promise<KubeHarness>;

export type KubeObject = {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    uid?: string;
    labels?: Record<string, string>;
    [k: string]: any;
  };
  [k: string]: any;
};

interface ResourceType {
  group: string; // '' = core
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

export const RESOURCE_TYPES: readonly ResourceType[] = [
  { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true },
  { group: '', version: 'v1', plural: 'events', kind: 'Event', namespaced: true },
  { group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false },
  { group: 'events.k8s.io', version: 'v1', plural: 'events', kind: 'Event', namespaced: true },
  { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease', namespaced: true },
  {
    group: 'flink.apache.org',
    version: 'v1beta1',
    plural: 'flinkdeployments',
    kind: 'FlinkDeployment',
    namespaced: true,
  },
];

/** A scripted fault on requests that match. */
export interface KubeFault {
  method?: string;
  /** Matched against the path (without query). */
  path: RegExp;
  /** Also require this query parameter (e.g. `watch`). */
  query?: Record<string, string>;
  /** Answer with this status and a Status body. */
  status?: number;
  delayMs?: number;
  /** Destroy the socket without answering. */
  hangUp?: boolean;
  /** How many matching requests to affect. @default Infinity */
  times?: number;
}

/** One request as recorded. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  contentType?: string;
  body?: unknown;
  status?: number;
  /** The bearer token the client sent (tells replicas apart: `kubeconfigFor(token)`). */
  token?: string;
}

interface HistoryEntry {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  key: string;
  type_: ResourceType;
  object: KubeObject;
}

interface Watcher {
  type: ResourceType;
  namespace?: string;
  selector: (o: KubeObject) => boolean;
  res: ServerResponse;
  bookmarks: boolean;
  stalled: boolean;
  lastRv: number;
  timer?: NodeJS.Timeout;
}

function typeKey(t: ResourceType): string {
  return `${t.group}/${t.plural}`;
}

function clone<T>(x: T): T {
  return x === undefined ? x : (JSON.parse(JSON.stringify(x)) as T);
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return clone(patch);
  const out: Record<string, unknown> =
    target && typeof target === 'object' && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === undefined) continue;
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Leaf paths of an object (for server-side apply field ownership); arrays are leaves. */
function leaves(o: unknown, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (o && typeof o === 'object' && !Array.isArray(o)) {
    for (const [k, v] of Object.entries(o as Record<string, unknown>))
      for (const [p, x] of leaves(v, `${prefix}/${k}`)) out.set(p, x);
  } else out.set(prefix, o);
  return out;
}

function deletePath(o: Record<string, unknown>, path: string): void {
  const parts = path.split('/').slice(1);
  let cur: Record<string, unknown> | undefined = o;
  for (const p of parts.slice(0, -1)) cur = cur?.[p] as Record<string, unknown> | undefined;
  if (cur) delete cur[parts[parts.length - 1]!];
}

function selectorOf(text: string | null): (o: KubeObject) => boolean {
  if (!text) return () => true;
  const terms = text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
    .map((t) => {
      const ne = t.match(/^([^!=]+)!=(.*)$/);
      if (ne) return (l: Record<string, string>) => l[ne[1]!] !== ne[2];
      const eq = t.match(/^([^=]+)==?(.*)$/);
      if (eq) return (l: Record<string, string>) => l[eq[1]!] === eq[2];
      if (t.startsWith('!')) return (l: Record<string, string>) => !(t.slice(1) in l);
      return (l: Record<string, string>) => t in l;
    });
  return (o) => terms.every((f) => f(o.metadata.labels ?? {}));
}

function status(
  code: number,
  reason: string,
  message: string,
  details?: Record<string, unknown>,
): Record<string, unknown> {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
    ...(details ? { details } : {}),
  };
}

let uidCounter = 0;

export class FakeKube implements KubeHarness {
  private readonly objects = new Map<string, KubeObject>();
  /** Field owners for server-side apply: object key -> leaf path -> manager. */
  private readonly owners = new Map<string, Map<string, string>>();
  private history: HistoryEntry[] = [];
  private rv = 1000;
  /** Watches from a resourceVersion older than this get 410 Gone. */
  private compactedRv = 0;
  private readonly watchers = new Set<Watcher>();
  readonly faults: KubeFault[] = [];
  readonly requests: RecordedRequest[] = [];
  private server!: Server;
  private port = 0;
  private dir = '';
  private readonly sockets = new Set<Socket>();
  /** Called for every request before it is answered (script changes by request, not by time). */
  onRequest: ((r: RecordedRequest) => void) | undefined;

  private constructor() {}

  static async start(): Promise<FakeKube> {
    const k = new FakeKube();
    k.server = createServer((req, res) => void k.handle(req, res));
    k.server.on('connection', (s) => {
      k.sockets.add(s);
      s.on('close', () => k.sockets.delete(s));
    });
    await new Promise<void>((r) => k.server.listen(0, '127.0.0.1', r));
    k.port = (k.server.address() as AddressInfo).port;
    k.dir = mkdtempSync(join(tmpdir(), 'fake-kube-'));
    writeFileSync(join(k.dir, 'kubeconfig'), k.kubeconfig());
    return k;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get kubeconfigPath(): string {
    return join(this.dir, 'kubeconfig');
  }

  /** Writes a kubeconfig file that authenticates with `token` (to tell clients apart); returns its path. */
  kubeconfigFor(token: string): string {
    const path = join(this.dir, `kubeconfig-${token}`);
    writeFileSync(path, this.kubeconfig('default', token));
    return path;
  }

  /** A kubeconfig (YAML) for this server; `namespace` sets the context's default namespace. */
  kubeconfig(namespace = 'default', token = 'fake-token'): string {
    return [
      'apiVersion: v1',
      'kind: Config',
      'current-context: fake',
      'clusters:',
      '- name: fake',
      '  cluster:',
      `    server: ${this.apiUrl}`,
      '    insecure-skip-tls-verify: true',
      'users:',
      '- name: fake',
      '  user:',
      `    token: ${token}`,
      'contexts:',
      '- name: fake',
      '  context:',
      '    cluster: fake',
      '    user: fake',
      `    namespace: ${namespace}`,
      '',
    ].join('\n');
  }

  async close(): Promise<void> {
    for (const w of this.watchers) this.endWatch(w);
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  // ---- test controls ----------------------------------------------------------------------------

  fault(f: KubeFault): KubeFault {
    this.faults.push(f);
    return f;
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** The current resourceVersion. */
  get resourceVersion(): string {
    return String(this.rv);
  }

  /** Forgets the watch history: a watch from an older resourceVersion now gets 410 Gone. */
  compact(): void {
    this.compactedRv = this.rv + 1;
    this.history = [];
  }

  /** Ends every open watch from the server side (connection closed mid-stream). */
  dropWatches(): void {
    for (const w of [...this.watchers]) {
      w.res.socket?.destroy();
      this.endWatch(w);
    }
  }

  /** Open watches stop delivering events but stay connected (a silent stall); new watches work. */
  stallWatches(): void {
    for (const w of this.watchers) w.stalled = true;
  }

  /** Sends a BOOKMARK with the current resourceVersion to every watch that asked for them. */
  bookmark(): void {
    for (const w of this.watchers) {
      if (!w.bookmarks || w.stalled) continue;
      this.send(w, {
        type: 'BOOKMARK',
        object: {
          kind: w.type.kind,
          apiVersion: this.apiVersionOf(w.type),
          metadata: { resourceVersion: String(this.rv) },
        },
      });
    }
  }

  /** Open watches right now. */
  get watchCount(): number {
    return this.watchers.size;
  }

  /** Creates or replaces an object directly (as kubectl apply would), emitting watch events. */
  put(plural: string, obj: KubeObject, group = ''): KubeObject {
    const t = this.typeOf(group, plural);
    const key = this.key(t, obj.metadata.namespace, obj.metadata.name);
    const existing = this.objects.get(key);
    return this.store(
      t,
      key,
      {
        ...clone(obj),
        metadata: {
          ...clone(obj.metadata),
          ...(existing
            ? { uid: existing.metadata.uid, creationTimestamp: existing.metadata.creationTimestamp }
            : {}),
        },
      },
      existing ? 'MODIFIED' : 'ADDED',
    );
  }

  get(plural: string, namespace: string | undefined, name: string, group = ''): KubeObject | undefined {
    const o = this.objects.get(this.key(this.typeOf(group, plural), namespace, name));
    return o ? clone(o) : undefined;
  }

  list(plural: string, group = ''): KubeObject[] {
    const t = this.typeOf(group, plural);
    return [...this.objects.entries()]
      .filter(([k]) => k.startsWith(typeKey(t) + '|'))
      .map(([, o]) => clone(o));
  }

  remove(plural: string, namespace: string | undefined, name: string, group = ''): void {
    const t = this.typeOf(group, plural);
    const key = this.key(t, namespace, name);
    const o = this.objects.get(key);
    if (!o) return;
    this.objects.delete(key);
    this.owners.delete(key);
    this.record(t, key, 'DELETED', { ...o, metadata: { ...o.metadata, resourceVersion: String(++this.rv) } });
  }

  /** Requests other than reads (what a controller wrote). */
  get writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.method !== 'GET');
  }

  // ---- store ------------------------------------------------------------------------------------

  private typeOf(group: string, plural: string): ResourceType {
    const t = RESOURCE_TYPES.find((x) => x.group === group && x.plural === plural);
    if (!t) throw new Error(`fake-kube: unknown resource ${group}/${plural}`);
    return t;
  }

  private apiVersionOf(t: ResourceType): string {
    return t.group ? `${t.group}/${t.version}` : t.version;
  }

  private key(t: ResourceType, ns: string | undefined, name: string): string {
    return `${typeKey(t)}|${t.namespaced ? (ns ?? 'default') : ''}|${name}`;
  }

  private store(t: ResourceType, key: string, obj: KubeObject, type: 'ADDED' | 'MODIFIED'): KubeObject {
    const o = clone(obj);
    o.apiVersion = this.apiVersionOf(t);
    o.kind = t.kind;
    o.metadata.resourceVersion = String(++this.rv);
    o.metadata.uid ??= `uid-${++uidCounter}`;
    o.metadata.creationTimestamp ??= new Date().toISOString();
    if (t.namespaced) o.metadata.namespace ??= 'default';
    this.objects.set(key, o);
    this.record(t, key, type, o);
    return clone(o);
  }

  private record(t: ResourceType, key: string, type: HistoryEntry['type'], object: KubeObject): void {
    const e: HistoryEntry = {
      rv: Number(object.metadata.resourceVersion),
      type,
      key,
      type_: t,
      object: clone(object),
    };
    this.history.push(e);
    if (this.history.length > 10_000) this.history.splice(0, this.history.length - 10_000);
    for (const w of this.watchers) this.deliver(w, e);
  }

  private deliver(w: Watcher, e: HistoryEntry): void {
    if (w.stalled || typeKey(w.type) !== typeKey(e.type_) || e.rv <= w.lastRv) return;
    if (w.namespace && e.object.metadata.namespace !== w.namespace) return;
    if (!w.selector(e.object)) return;
    w.lastRv = e.rv;
    this.send(w, { type: e.type, object: e.object });
  }

  private send(w: Watcher, event: unknown): void {
    if (!w.res.writableEnded && !w.res.destroyed) w.res.write(JSON.stringify(event) + '\n');
  }

  private endWatch(w: Watcher): void {
    if (w.timer) clearTimeout(w.timer);
    this.watchers.delete(w);
    if (!w.res.writableEnded) w.res.end();
  }

  // ---- HTTP -------------------------------------------------------------------------------------

  private async readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  private reply(res: ServerResponse, rec: RecordedRequest, code: number, body: unknown): void {
    rec.status = code;
    if (res.destroyed) return;
    const text = JSON.stringify(body);
    res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    const text = method === 'GET' || method === 'DELETE' ? '' : await this.readBody(req);
    const contentType = req.headers['content-type']?.split(';')[0];
    const auth = req.headers.authorization;
    const rec: RecordedRequest = {
      method,
      path: url.pathname,
      query: url.search,
      ...(contentType ? { contentType } : {}),
      ...(auth?.startsWith('Bearer ') ? { token: auth.slice(7) } : {}),
    };
    if (text) {
      try {
        rec.body = contentType === 'application/apply-patch+yaml' ? parseYaml(text) : JSON.parse(text);
      } catch {
        rec.body = text;
      }
    }
    this.requests.push(rec);
    this.onRequest?.(rec);
    const fault = this.faults.find(
      (f) =>
        (f.method ?? method) === method &&
        f.path.test(url.pathname) &&
        Object.entries(f.query ?? {}).every(([k, v]) => url.searchParams.get(k) === v) &&
        (f.times ?? Infinity) > 0,
    );
    if (fault) {
      if (fault.times !== undefined) fault.times -= 1;
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault.hangUp) {
        rec.status = 0;
        req.socket.destroy();
        return;
      }
      if (fault.status !== undefined)
        return this.reply(
          res,
          rec,
          fault.status,
          status(
            fault.status,
            fault.status >= 500 ? 'InternalError' : 'BadRequest',
            `injected fault: HTTP ${fault.status}`,
          ),
        );
    }
    try {
      this.route(method, url, rec, res);
    } catch (err) {
      this.reply(res, rec, 400, status(400, 'BadRequest', (err as Error).message));
    }
  }

  private route(method: string, url: URL, rec: RecordedRequest, res: ServerResponse): void {
    const m = url.pathname.match(
      /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?$/,
    );
    if (!m)
      return this.reply(
        res,
        rec,
        404,
        status(404, 'NotFound', `the server could not find the requested resource (${url.pathname})`),
      );
    const group = m[2] ?? '';
    const version = m[1] ?? m[3]!;
    const ns = m[4];
    const plural = m[5]!;
    const name = m[6];
    const t = RESOURCE_TYPES.find((x) => x.group === group && x.version === version && x.plural === plural);
    if (!t)
      return this.reply(
        res,
        rec,
        404,
        status(404, 'NotFound', `the server could not find the requested resource (${url.pathname})`),
      );
    if (!name) {
      if (
        method === 'GET' &&
        (url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1')
      )
        return this.watch(t, ns, url, rec, res);
      if (method === 'GET') return this.listReply(t, ns, url, rec, res);
      if (method === 'POST') return this.create(t, ns, rec, res);
      return this.reply(
        res,
        rec,
        405,
        status(405, 'MethodNotAllowed', `${method} is not allowed on a collection`),
      );
    }
    const key = this.key(t, ns, name);
    const existing = this.objects.get(key);
    const notFound = () =>
      this.reply(
        res,
        rec,
        404,
        status(404, 'NotFound', `${plural} "${name}" not found`, { name, kind: plural }),
      );
    switch (method) {
      case 'GET':
        return existing ? this.reply(res, rec, 200, existing) : notFound();
      case 'PUT': {
        const body = rec.body as KubeObject;
        if (!existing) return notFound();
        if (body?.metadata?.name !== name)
          return this.reply(
            res,
            rec,
            400,
            status(400, 'BadRequest', 'the name of the object does not match the name on the URL'),
          );
        const bad = badMicroTime(t.kind, body as never);
        if (bad) return this.reply(res, rec, 400, status(400, 'BadRequest', bad));
        if (
          body.metadata.resourceVersion !== undefined &&
          body.metadata.resourceVersion !== existing.metadata.resourceVersion
        )
          return this.conflict(res, rec, plural, name);
        return this.reply(
          res,
          rec,
          200,
          this.store(
            t,
            key,
            {
              ...body,
              metadata: {
                ...body.metadata,
                namespace: existing.metadata.namespace,
                uid: existing.metadata.uid,
                creationTimestamp: existing.metadata.creationTimestamp,
              },
            },
            'MODIFIED',
          ),
        );
      }
      case 'PATCH':
        return this.patch(t, key, ns, name, existing, url, rec, res);
      case 'DELETE':
        if (!existing) return notFound();
        this.remove(plural, ns, name, group);
        return this.reply(res, rec, 200, status(200, '', 'deleted'));
      default:
        return this.reply(res, rec, 405, status(405, 'MethodNotAllowed', `${method} not allowed`));
    }
  }

  private conflict(res: ServerResponse, rec: RecordedRequest, plural: string, name: string): void {
    this.reply(
      res,
      rec,
      409,
      status(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${plural} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        { name, kind: plural },
      ),
    );
  }

  private create(t: ResourceType, ns: string | undefined, rec: RecordedRequest, res: ServerResponse): void {
    const body = rec.body as KubeObject;
    let name = body?.metadata?.name;
    if (!name && body?.metadata?.generateName)
      name = `${body.metadata.generateName as string}${(++uidCounter).toString(36)}`;
    if (!name)
      return this.reply(
        res,
        rec,
        422,
        status(422, 'Invalid', `${t.kind} is invalid: metadata.name: Required value`),
      );
    if (t.namespaced && body.metadata.namespace && ns && body.metadata.namespace !== ns)
      return this.reply(
        res,
        rec,
        400,
        status(
          400,
          'BadRequest',
          'the namespace of the provided object does not match the namespace sent on the request',
        ),
      );
    const bad = badMicroTime(t.kind, body as never);
    if (bad) return this.reply(res, rec, 400, status(400, 'BadRequest', bad));
    const key = this.key(t, ns, name);
    if (this.objects.has(key))
      return this.reply(
        res,
        rec,
        409,
        status(409, 'AlreadyExists', `${t.plural} "${name}" already exists`, { name, kind: t.plural }),
      );
    const { resourceVersion: _rv, ...meta } = body.metadata;
    void _rv;
    this.reply(
      res,
      rec,
      201,
      this.store(
        t,
        key,
        { ...body, metadata: { ...meta, name, ...(t.namespaced ? { namespace: ns ?? 'default' } : {}) } },
        'ADDED',
      ),
    );
  }

  private patch(
    t: ResourceType,
    key: string,
    ns: string | undefined,
    name: string,
    existing: KubeObject | undefined,
    url: URL,
    rec: RecordedRequest,
    res: ServerResponse,
  ): void {
    const body = rec.body as KubeObject;
    if (
      rec.contentType === 'application/merge-patch+json' ||
      rec.contentType === 'application/strategic-merge-patch+json'
    ) {
      if (!existing)
        return this.reply(res, rec, 404, status(404, 'NotFound', `${t.plural} "${name}" not found`));
      const rv = body?.metadata?.resourceVersion;
      if (rv !== undefined && rv !== existing.metadata.resourceVersion)
        return this.conflict(res, rec, t.plural, name);
      const next = mergePatch(existing, body) as KubeObject;
      next.metadata.name = name;
      return this.reply(res, rec, 200, this.store(t, key, next, 'MODIFIED'));
    }
    if (rec.contentType === 'application/apply-patch+yaml') {
      const manager = url.searchParams.get('fieldManager');
      if (!manager)
        return this.reply(
          res,
          rec,
          400,
          status(400, 'BadRequest', 'PATCH, fieldManager: Required value: is required for apply patch'),
        );
      const force = url.searchParams.get('force') === 'true';
      const applied = leaves({
        metadata: { labels: body.metadata?.labels, annotations: body.metadata?.annotations },
        data: body.data,
        spec: body.spec,
      });
      for (const [p, v] of [...applied]) if (v === undefined) applied.delete(p);
      const owners = this.owners.get(key) ?? new Map<string, string>();
      const current = existing ? leaves(existing) : new Map<string, unknown>();
      const conflicts = [...applied].filter(
        ([p, v]) =>
          owners.has(p) && owners.get(p) !== manager && JSON.stringify(current.get(p)) !== JSON.stringify(v),
      );
      if (conflicts.length > 0 && !force)
        return this.reply(
          res,
          rec,
          409,
          status(
            409,
            'Conflict',
            `Apply failed with ${conflicts.length} conflict(s): ${conflicts.map(([p]) => `conflict with "${owners.get(p)}": ${p}`).join(', ')}`,
          ),
        );
      const next = (
        existing
          ? clone(existing)
          : { metadata: { name, ...(t.namespaced ? { namespace: ns ?? 'default' } : {}) } }
      ) as KubeObject;
      // Fields this manager owned and no longer applies are removed (unless another manager owns them too).
      for (const [p, m] of [...owners])
        if (m === manager && !applied.has(p)) {
          deletePath(next as Record<string, unknown>, p);
          owners.delete(p);
        }
      const merged = mergePatch(next, {
        metadata: { labels: body.metadata?.labels, annotations: body.metadata?.annotations },
        ...(body.data ? { data: body.data } : {}),
        ...(body.spec ? { spec: body.spec } : {}),
      }) as KubeObject;
      for (const p of applied.keys()) owners.set(p, manager);
      this.owners.set(key, owners);
      if (
        existing &&
        JSON.stringify({ ...merged, metadata: { ...merged.metadata, resourceVersion: undefined } }) ===
          JSON.stringify({ ...existing, metadata: { ...existing.metadata, resourceVersion: undefined } })
      ) {
        return this.reply(res, rec, 200, existing); // a no-op apply does not bump the resourceVersion
      }
      return this.reply(
        res,
        rec,
        existing ? 200 : 201,
        this.store(t, key, merged, existing ? 'MODIFIED' : 'ADDED'),
      );
    }
    this.reply(
      res,
      rec,
      415,
      status(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`,
      ),
    );
  }

  private matching(
    t: ResourceType,
    ns: string | undefined,
    selector: (o: KubeObject) => boolean,
  ): KubeObject[] {
    return [...this.objects.entries()]
      .filter(
        ([k, o]) => k.startsWith(typeKey(t) + '|') && (!ns || o.metadata.namespace === ns) && selector(o),
      )
      .map(([, o]) => o)
      .sort((a, b) =>
        `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(
          `${b.metadata.namespace}/${b.metadata.name}`,
        ),
      );
  }

  private listReply(
    t: ResourceType,
    ns: string | undefined,
    url: URL,
    rec: RecordedRequest,
    res: ServerResponse,
  ): void {
    const items = this.matching(t, ns, selectorOf(url.searchParams.get('labelSelector')));
    this.reply(res, rec, 200, {
      kind: `${t.kind}List`,
      apiVersion: this.apiVersionOf(t),
      metadata: { resourceVersion: String(this.rv) },
      items,
    });
  }

  private watch(
    t: ResourceType,
    ns: string | undefined,
    url: URL,
    rec: RecordedRequest,
    res: ServerResponse,
  ): void {
    const rvText = url.searchParams.get('resourceVersion');
    const from = rvText && rvText !== '0' ? Number(rvText) : undefined;
    rec.status = 200;
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    const w: Watcher = {
      type: t,
      ...(ns ? { namespace: ns } : {}),
      selector: selectorOf(url.searchParams.get('labelSelector')),
      res,
      bookmarks: url.searchParams.get('allowWatchBookmarks') === 'true',
      stalled: false,
      lastRv: from ?? this.rv,
    };
    if (from !== undefined && from < this.compactedRv) {
      this.send(w, {
        type: 'ERROR',
        object: status(410, 'Expired', `too old resource version: ${from} (${this.compactedRv})`),
      });
      res.end();
      return;
    }
    this.watchers.add(w);
    res.on('close', () => this.endWatch(w));
    if (from === undefined) {
      for (const o of this.matching(t, ns, w.selector)) this.send(w, { type: 'ADDED', object: o });
    } else {
      for (const e of this.history) if (e.rv > from) this.deliver(w, e);
    }
    const timeout = Number(url.searchParams.get('timeoutSeconds') ?? '0');
    if (timeout > 0) w.timer = setTimeout(() => this.endWatch(w), timeout * 1000);
  }
}

/** The default harness: a FakeKube. */
export const fakeKubeHarness: KubeHarnessFactory = () => FakeKube.start();

/**
 * As the API server: an Event's eventTime and a Lease's acquireTime/renewTime are MicroTimes
 * (RFC 3339 with exactly 6 fraction digits); anything else is refused when decoding the body.
 */
export function badMicroTime(
  kind: string,
  body: { eventTime?: unknown; spec?: { acquireTime?: unknown; renewTime?: unknown } },
): string | undefined {
  const fields: [string, unknown][] =
    kind === 'Event'
      ? [['eventTime', body.eventTime]]
      : kind === 'Lease'
        ? [
            ['acquireTime', body.spec?.acquireTime],
            ['renewTime', body.spec?.renewTime],
          ]
        : [];
  for (const [, v] of fields) {
    if (typeof v === 'string' && !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d)$/.test(v)) {
      return `${kind} in version "v1" cannot be handled as a ${kind}: parsing time "${v}" as "2006-01-02T15:04:05.000000Z07:00"`;
    }
  }
  return undefined;
}
