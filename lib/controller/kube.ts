/**
 * The controller's Kubernetes API edge, on @kubernetes/client-node: the calls it makes, each with
 * a timeout, and errors turned into data (`KubeApiError` with the HTTP code and a kind for metrics).
 */
import { CoordinationV1Api, CoreV1Api, KubeConfig, V1MicroTime, Watch } from '@kubernetes/client-node';
import type { V1ConfigMap, V1Lease } from '@kubernetes/client-node';

/** The label that marks the rendered desired-handover ConfigMaps. */
export const DESIRED_ROLE_LABEL = 'flink-cutover.dev/role';
export const DESIRED_ROLE_SELECTOR = `${DESIRED_ROLE_LABEL}=desired`;
/** The field manager / Event reporting component of the controller. */
export const FIELD_MANAGER = 'flink-cutover-controller';

export type KubeErrorKind =
  | 'conflict'
  | 'not-found'
  | 'already-exists'
  | 'gone'
  | 'forbidden'
  | 'server'
  | 'timeout'
  | 'connection'
  | 'other';

/** A failed API call as data. */
export class KubeApiError extends Error {
  readonly kind: KubeErrorKind;
  readonly code?: number;
  constructor(kind: KubeErrorKind, message: string, code?: number) {
    super(message);
    this.name = 'KubeApiError';
    this.kind = kind;
    if (code !== undefined) this.code = code;
  }
}

function kindOf(code: number | undefined): KubeErrorKind {
  if (code === 409) return 'conflict';
  if (code === 404) return 'not-found';
  if (code === 410) return 'gone';
  if (code === 401 || code === 403) return 'forbidden';
  if (code !== undefined && code >= 500) return 'server';
  return 'other';
}

/** Any error from client-node (ApiException, FetchError, watch errors) as a KubeApiError. */
export function toKubeError(err: unknown, what: string): KubeApiError {
  if (err instanceof KubeApiError) return err;
  const e = err as { code?: unknown; statusCode?: unknown; body?: unknown; message?: string; type?: string };
  const code =
    typeof e?.code === 'number' ? e.code : typeof e?.statusCode === 'number' ? e.statusCode : undefined;
  if (code !== undefined) {
    let detail = '';
    try {
      const b =
        typeof e.body === 'string'
          ? (JSON.parse(e.body) as { message?: string; reason?: string })
          : (e.body as { message?: string; reason?: string } | undefined);
      if (b?.message) detail = `: ${b.message}`;
      if (code === 409 && b?.reason === 'AlreadyExists')
        return new KubeApiError('already-exists', `${what}: HTTP 409${detail}`, code);
    } catch {
      /* not JSON */
    }
    return new KubeApiError(kindOf(code), `${what}: HTTP ${code}${detail}`, code);
  }
  const sys = typeof e?.code === 'string' ? e.code : undefined;
  if (
    sys === 'ECONNREFUSED' ||
    sys === 'ECONNRESET' ||
    sys === 'ENOTFOUND' ||
    sys === 'EHOSTUNREACH' ||
    e?.type === 'system'
  )
    return new KubeApiError('connection', `${what}: ${sys ?? ''} ${e?.message ?? String(err)}`.trim());
  return new KubeApiError('other', `${what}: ${e?.message ?? String(err)}`);
}

/** Loads a kubeconfig file, or the in-cluster service account when none is given. */
export function loadKubeConfig(kubeconfig?: string): KubeConfig {
  const kc = new KubeConfig();
  if (kubeconfig) kc.loadFromFile(kubeconfig);
  else kc.loadFromCluster();
  return kc;
}

/** A ConfigMap reduced to what the controller reads. */
export interface ConfigMapObject {
  namespace: string;
  name: string;
  uid?: string;
  resourceVersion: string;
  data: Record<string, string>;
  labels: Record<string, string>;
}

function cmObject(cm: V1ConfigMap): ConfigMapObject {
  return {
    namespace: cm.metadata?.namespace ?? 'default',
    name: cm.metadata?.name ?? '',
    ...(cm.metadata?.uid ? { uid: cm.metadata.uid } : {}),
    resourceVersion: cm.metadata?.resourceVersion ?? '',
    data: { ...(cm.data ?? {}) },
    labels: { ...(cm.metadata?.labels ?? {}) },
  };
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: ConfigMapObject | null;
  resourceVersion?: string;
  /** For ERROR: the Status code (410 = Gone). */
  code?: number;
}

export interface LeaseRecord {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: Date;
  renewTime?: Date;
  leaseTransitions?: number;
  resourceVersion?: string;
}

/** The API calls the controller makes. */
export class KubeApi {
  readonly kc: KubeConfig;
  private readonly core: CoreV1Api;
  private readonly coordination: CoordinationV1Api;
  private readonly watcher: Watch;
  readonly timeoutMs: number;
  /** Counts calls by verb (for tests and the benchmark). */
  readonly calls = new Map<string, number>();

  constructor(kc: KubeConfig, options: { timeoutMs?: number } = {}) {
    this.kc = kc;
    this.core = kc.makeApiClient(CoreV1Api);
    this.coordination = kc.makeApiClient(CoordinationV1Api);
    this.watcher = new Watch(kc);
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** Set when the process is to behave as dead (crash tests): no call leaves any more. */
  dead = false;

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    if (this.dead) throw new KubeApiError('connection', `${what}: the controller is stopped`);
    this.calls.set(what.split(' ')[0]!, (this.calls.get(what.split(' ')[0]!) ?? 0) + 1);
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        fn(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new KubeApiError('timeout', `${what}: no answer within ${this.timeoutMs} ms`)),
            this.timeoutMs,
          );
        }),
      ]);
    } catch (err) {
      throw toKubeError(err, what);
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  /** Lists the desired ConfigMaps (one namespace, or all); the list's resourceVersion to watch from. */
  async listDesired(namespace?: string): Promise<{ items: ConfigMapObject[]; resourceVersion: string }> {
    const list = await this.call(`list configmaps ${namespace ?? '(all namespaces)'}`, () =>
      namespace
        ? this.core.listNamespacedConfigMap({ namespace, labelSelector: DESIRED_ROLE_SELECTOR })
        : this.core.listConfigMapForAllNamespaces({ labelSelector: DESIRED_ROLE_SELECTOR }),
    );
    return { items: list.items.map(cmObject), resourceVersion: list.metadata?.resourceVersion ?? '' };
  }

  /**
   * Watches the desired ConfigMaps from `resourceVersion` (with bookmarks). `onEvent` gets each
   * event; `onDone` once, when the stream ends (null: closed by the server) or fails. Returns a
   * function that stops the watch.
   */
  async watchDesired(
    namespace: string | undefined,
    resourceVersion: string,
    onEvent: (e: WatchEvent) => void,
    onDone: (err: KubeApiError | null) => void,
  ): Promise<() => void> {
    const path = namespace
      ? `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps`
      : '/api/v1/configmaps';
    if (this.dead) throw new KubeApiError('connection', `watch ${path}: the controller is stopped`);
    this.calls.set('watch', (this.calls.get('watch') ?? 0) + 1);
    let done = false;
    const finish = (err: unknown) => {
      if (done) return;
      done = true;
      onDone(err ? toKubeError(err, `watch ${path}`) : null);
    };
    const controller = await this.watcher.watch(
      path,
      { labelSelector: DESIRED_ROLE_SELECTOR, resourceVersion, allowWatchBookmarks: true },
      (type: string, obj: Record<string, unknown>) => {
        if (done) return;
        if (type === 'ERROR') {
          const code = typeof obj?.code === 'number' ? obj.code : undefined;
          onEvent({ type: 'ERROR', object: null, ...(code !== undefined ? { code } : {}) });
          return;
        }
        const meta = (obj?.metadata ?? {}) as { resourceVersion?: string };
        if (type === 'BOOKMARK')
          onEvent({
            type,
            object: null,
            ...(meta.resourceVersion ? { resourceVersion: meta.resourceVersion } : {}),
          });
        else if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED')
          onEvent({
            type,
            object: cmObject(obj as V1ConfigMap),
            ...(meta.resourceVersion ? { resourceVersion: meta.resourceVersion } : {}),
          });
      },
      finish,
    );
    return () => {
      done = true;
      controller.abort();
    };
  }

  /** A ConfigMap, or undefined (404). */
  async readConfigMap(namespace: string, name: string): Promise<ConfigMapObject | undefined> {
    try {
      return cmObject(
        await this.call(`get configmap ${namespace}/${name}`, () =>
          this.core.readNamespacedConfigMap({ namespace, name }),
        ),
      );
    } catch (err) {
      if (err instanceof KubeApiError && err.kind === 'not-found') return undefined;
      throw err;
    }
  }

  /**
   * Writes a status ConfigMap whole: create when `resourceVersion` is undefined (409 AlreadyExists
   * when another writer was first), else replace with it as precondition (409 Conflict when stale).
   */
  async writeStatus(
    namespace: string,
    name: string,
    data: Record<string, string>,
    labels: Record<string, string>,
    resourceVersion: string | undefined,
  ): Promise<ConfigMapObject> {
    const body: V1ConfigMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace, labels, ...(resourceVersion ? { resourceVersion } : {}) },
      data,
    };
    const cm =
      resourceVersion === undefined
        ? await this.call(`create configmap ${namespace}/${name}`, () =>
            this.core.createNamespacedConfigMap({ namespace, body, fieldManager: FIELD_MANAGER }),
          )
        : await this.call(`update configmap ${namespace}/${name}`, () =>
            this.core.replaceNamespacedConfigMap({ namespace, name, body, fieldManager: FIELD_MANAGER }),
          );
    return cmObject(cm);
  }

  /** Emits a core/v1 Event about a ConfigMap. */
  async createEvent(e: {
    namespace: string;
    involved: { name: string; uid?: string };
    type: string;
    reason: string;
    message: string;
    at: Date;
    reportingInstance: string;
  }): Promise<void> {
    const name = `${e.involved.name}.${e.at.getTime().toString(16)}${Math.floor(Math.random() * 0xffff).toString(16)}`;
    await this.call(`create event ${e.namespace}/${name}`, () =>
      this.core.createNamespacedEvent({
        namespace: e.namespace,
        body: {
          metadata: { name, namespace: e.namespace },
          involvedObject: {
            kind: 'ConfigMap',
            apiVersion: 'v1',
            namespace: e.namespace,
            name: e.involved.name,
            ...(e.involved.uid ? { uid: e.involved.uid } : {}),
          },
          type: e.type,
          reason: e.reason,
          message: e.message.slice(0, 1024),
          // eventTime is a MicroTime: 6 fraction digits (a plain Date is sent with 3 and refused).
          firstTimestamp: e.at,
          lastTimestamp: e.at,
          eventTime: new V1MicroTime(e.at.getTime()),
          count: 1,
          source: { component: FIELD_MANAGER },
          reportingComponent: FIELD_MANAGER,
          reportingInstance: e.reportingInstance,
          action: e.reason,
        },
      }),
    );
  }

  async readLease(namespace: string, name: string): Promise<LeaseRecord | undefined> {
    try {
      const l = await this.call(`get lease ${namespace}/${name}`, () =>
        this.coordination.readNamespacedLease({ namespace, name }),
      );
      return leaseRecord(l);
    } catch (err) {
      if (err instanceof KubeApiError && err.kind === 'not-found') return undefined;
      throw err;
    }
  }

  /** Creates (resourceVersion undefined) or replaces the Lease with a resourceVersion precondition. */
  async writeLease(namespace: string, name: string, spec: LeaseRecord): Promise<LeaseRecord> {
    const body: V1Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name,
        namespace,
        ...(spec.resourceVersion ? { resourceVersion: spec.resourceVersion } : {}),
      },
      spec: {
        ...(spec.holderIdentity !== undefined ? { holderIdentity: spec.holderIdentity } : {}),
        ...(spec.leaseDurationSeconds !== undefined
          ? { leaseDurationSeconds: spec.leaseDurationSeconds }
          : {}),
        // MicroTime: the API server wants 6 fraction digits (a plain Date is sent with 3 and refused).
        ...(spec.acquireTime ? { acquireTime: new V1MicroTime(spec.acquireTime.getTime()) } : {}),
        ...(spec.renewTime ? { renewTime: new V1MicroTime(spec.renewTime.getTime()) } : {}),
        ...(spec.leaseTransitions !== undefined ? { leaseTransitions: spec.leaseTransitions } : {}),
      },
    };
    const l =
      spec.resourceVersion === undefined
        ? await this.call(`create lease ${namespace}/${name}`, () =>
            this.coordination.createNamespacedLease({ namespace, body, fieldManager: FIELD_MANAGER }),
          )
        : await this.call(`update lease ${namespace}/${name}`, () =>
            this.coordination.replaceNamespacedLease({ namespace, name, body, fieldManager: FIELD_MANAGER }),
          );
    return leaseRecord(l);
  }
}

function leaseRecord(l: V1Lease): LeaseRecord {
  const s = l.spec ?? {};
  const date = (d: unknown) =>
    d === undefined || d === null ? undefined : d instanceof Date ? d : new Date(String(d));
  const r: LeaseRecord = {};
  if (s.holderIdentity) r.holderIdentity = s.holderIdentity;
  if (s.leaseDurationSeconds !== undefined) r.leaseDurationSeconds = s.leaseDurationSeconds;
  const a = date(s.acquireTime);
  if (a) r.acquireTime = a;
  const rt = date(s.renewTime);
  if (rt) r.renewTime = rt;
  if (s.leaseTransitions !== undefined) r.leaseTransitions = s.leaseTransitions;
  if (l.metadata?.resourceVersion) r.resourceVersion = l.metadata.resourceVersion;
  return r;
}
