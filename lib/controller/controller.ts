/**
 * The cutover controller's executor, the way kubernetes/sample-controller is built: a list+watch
 * of the desired ConfigMaps feeds a cache and a work queue of `namespace/name` keys (handlers only
 * enqueue); one worker reconciles one pipeline at a time from what it reads now (level-triggered):
 * the desired map from the cache, the status map from the API, the colors from their JobManagers;
 * `reconcile()` decides; the status is written whole and only when it changed, then the Events.
 * Only the leader (Lease) reconciles; every replica watches, serves `/metrics`, `/healthz`, `/readyz`.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { FlinkRestClient } from '../flink/client.js';
import { FlinkRestError } from '../flink/errors.js';
import type { CommittedWatermarkMemory } from '../flink/gate-metrics.js';
import { observeColor } from '../flink/gate-metrics.js';
import type { HttpOptions } from '../flink/http.js';
import type { Phase } from '../gate/contract.js';
import type { Color } from '../spec/types.js';
import { COLORS } from '../spec/types.js';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ConfigMapObject } from './kube.js';
import { DESIRED_ROLE_LABEL, FIELD_MANAGER, KubeApi, KubeApiError } from './kube.js';
import { LeaderElector } from './leader.js';
import { ControllerMetrics } from './metrics.js';
import { WorkQueue } from './queue.js';
import type { Observed, ReconcileMemory } from './reconcile.js';
import { observationNeeded, reconcile } from './reconcile.js';

/** One JSON log line (phase changes and errors). */
export type LogLine = Record<string, unknown> & { level: 'info' | 'warn' | 'error'; msg: string };

export interface ControllerOptions {
  kubeConfig: KubeConfig;
  /** Watch one namespace; undefined: all namespaces. */
  namespace?: string;
  /** Resync of a pipeline while its cutover is open (ms). @default 10000 */
  intervalMs?: number;
  /** Re-list everything this often, since a watch can stall silently (ms). @default 300000 */
  relistMs?: number;
  /** Armed and a watermark not moving this long: a Warning (ms). @default 300000 */
  stallMs?: number;
  /** Port for /metrics, /healthz, /readyz (0: any free port; undefined: no server). */
  metricsPort?: number;
  /** Bind address of that server. @default 0.0.0.0 */
  metricsHost?: string;
  leaderElection?: {
    namespace: string;
    name?: string;
    identity?: string;
    leaseDurationMs?: number;
    renewDeadlineMs?: number;
    retryPeriodMs?: number;
  };
  /** JobManager REST timeouts and retries. @default 5 s timeout, 1 retry */
  flinkHttp?: HttpOptions;
  /** Kubernetes API call timeout (ms). @default 10000 */
  apiTimeoutMs?: number;
  /** Backoff of a failing key. @default 500 ms doubling up to 60 s */
  backoff?: { baseDelayMs?: number; maxDelayMs?: number };
  log?: (line: LogLine) => void;
  now?: () => number;
}

/** The status ConfigMap of a desired `<name>-cutover`. */
export function statusNameOf(desiredName: string): string {
  return `${desiredName}-status`;
}

interface KeyState {
  memory?: ReconcileMemory;
  /** Desired resourceVersion last polled with generation 0 (the `once` observation). */
  observedRv?: string;
  /** Per color, an ungated color's committed-watermark memory. */
  committed: Partial<Record<Color, CommittedWatermarkMemory>>;
  /** When this controller first saw each generation (for the commit-to-Armed metrics). */
  firstSeen: Map<number, number>;
  lastGeneration?: number;
  lastPhase?: Phase | null;
}

export class CutoverController {
  readonly api: KubeApi;
  readonly metrics = new ControllerMetrics(true);
  readonly queue: WorkQueue;
  readonly identity: string;
  private readonly o: ControllerOptions;
  private readonly now: () => number;
  private readonly cache = new Map<string, ConfigMapObject>();
  private readonly state = new Map<string, KeyState>();
  private readonly elector: LeaderElector | undefined;
  private server: Server | undefined;
  private stopped = false;
  private synced = false;
  private stopWatch: (() => void) | undefined;
  private relistTimer: NodeJS.Timeout | undefined;
  private informerLoop: Promise<void> | undefined;
  private workerLoop: Promise<void> | undefined;
  private relistNow: (() => void) | undefined;
  /** When the informer last heard from the API (list, event or bookmark). */
  lastInformerProgress = 0;
  /** REST requests made (all colors, all pipelines), for the benchmark. */
  restRequests = 0;
  /** Reconciles run (in all, and per key). */
  reconciles = 0;
  readonly reconcilesByKey = new Map<string, number>();

  constructor(options: ControllerOptions) {
    this.o = options;
    this.now = options.now ?? Date.now;
    this.api = new KubeApi(options.kubeConfig, { timeoutMs: options.apiTimeoutMs ?? 10_000 });
    this.queue = new WorkQueue(options.backoff ?? {});
    this.identity = options.leaderElection?.identity ?? `${hostname()}-${process.pid}`;
    if (options.leaderElection) {
      const le = options.leaderElection;
      this.elector = new LeaderElector(this.api, {
        namespace: le.namespace,
        name: le.name ?? 'flink-cutover-controller',
        identity: this.identity,
        ...(le.leaseDurationMs !== undefined ? { leaseDurationMs: le.leaseDurationMs } : {}),
        ...(le.renewDeadlineMs !== undefined ? { renewDeadlineMs: le.renewDeadlineMs } : {}),
        ...(le.retryPeriodMs !== undefined ? { retryPeriodMs: le.retryPeriodMs } : {}),
        onStartedLeading: () => {
          this.metrics.leader.set(1);
          this.log({ level: 'info', msg: 'started leading', identity: this.identity });
          // A new leader looks at every pipeline once.
          for (const k of this.cache.keys()) this.queue.add(k);
        },
        onStoppedLeading: () => {
          this.metrics.leader.set(0);
          this.log({ level: 'warn', msg: 'stopped leading', identity: this.identity });
        },
        onNewLeader: (id) => this.log({ level: 'info', msg: 'leader', leader: id }),
        onError: (err) => this.apiError('lease', err),
      });
    }
  }

  /** Whether this replica may write now. */
  get isLeader(): boolean {
    return this.elector ? this.elector.isLeader : !this.stopped;
  }

  /** The initial list has been read (readiness). */
  get ready(): boolean {
    return this.synced;
  }

  /** The metrics server's port (after start). */
  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  private log(line: LogLine): void {
    (this.o.log ?? ((l) => process.stdout.write(JSON.stringify(l) + '\n')))({
      time: new Date(this.now()).toISOString(),
      ...line,
    });
  }

  private apiError(what: string, err: unknown): void {
    const kind = err instanceof KubeApiError ? err.kind : 'other';
    this.metrics.apiErrors.inc({ kind });
    this.log({ level: 'error', msg: 'kubernetes api error', what, kind, error: (err as Error).message });
  }

  async start(): Promise<void> {
    if (this.o.metricsPort !== undefined) await this.serve(this.o.metricsPort);
    if (!this.elector) this.metrics.leader.set(1);
    this.informerLoop = this.runInformer();
    this.elector?.start();
    this.workerLoop = this.runWorker();
    const relist = this.o.relistMs ?? 300_000;
    this.relistTimer = setInterval(() => this.relistNow?.(), relist);
    this.relistTimer.unref?.();
  }

  /** Stops everything; a leader releases its Lease. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.relistTimer) clearInterval(this.relistTimer);
    this.stopWatch?.();
    this.relistNow?.();
    this.queue.shutdown();
    await this.workerLoop?.catch(() => undefined);
    await this.elector?.stop(true);
    await this.informerLoop?.catch(() => undefined);
    this.metrics.leader.set(0);
    if (this.server) await new Promise<void>((r) => this.server!.close(() => r()));
  }

  /**
   * Dies without cleanup, as a killed process: no API call leaves after this (the Lease stays held
   * until it expires). For crash tests.
   */
  async kill(): Promise<void> {
    this.api.dead = true;
    this.stopped = true;
    if (this.relistTimer) clearInterval(this.relistTimer);
    this.stopWatch?.();
    this.relistNow?.();
    this.queue.shutdown();
    await this.elector?.stop(false);
    await this.workerLoop?.catch(() => undefined);
    if (this.server) await new Promise<void>((r) => this.server!.close(() => r()));
  }

  // ---- HTTP ---------------------------------------------------------------------------------------

  private async serve(port: number): Promise<void> {
    this.server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/metrics') {
        void this.metrics.registry.metrics().then((text) => {
          res.writeHead(200, { 'content-type': this.metrics.registry.contentType });
          res.end(text);
        });
        return;
      }
      if (path === '/healthz') {
        // Live while the informer loop runs (it makes progress at least every re-list).
        const alive = !this.stopped && this.informerLoop !== undefined;
        res.writeHead(alive ? 200 : 503, { 'content-type': 'text/plain' });
        res.end(alive ? 'ok\n' : 'stopped\n');
        return;
      }
      if (path === '/readyz') {
        const ready = this.synced && !this.stopped;
        res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' });
        res.end(ready ? `ok (${this.isLeader ? 'leader' : 'standby'})\n` : 'not synced\n');
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found\n');
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, this.o.metricsHost ?? '0.0.0.0', () => resolve());
    });
  }

  // ---- list + watch -------------------------------------------------------------------------------

  private keyOf(cm: { namespace: string; name: string }): string {
    return `${cm.namespace}/${cm.name}`;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((r) => {
      const t = setTimeout(r, ms);
      t.unref?.();
      this.relistNow = () => {
        clearTimeout(t);
        r();
      };
    });
  }

  /**
   * List, then watch from the list's resourceVersion; on 410 Gone list again; on any other error
   * or a closed stream watch again from the last resourceVersion seen (after a backoff on errors);
   * every `relistMs` list again anyway.
   */
  private async runInformer(): Promise<void> {
    let failures = 0;
    const ns = this.o.namespace;
    while (!this.stopped) {
      let rv: string;
      try {
        const list = await this.api.listDesired(ns);
        rv = list.resourceVersion;
        const seen = new Set<string>();
        for (const cm of list.items) {
          const key = this.keyOf(cm);
          seen.add(key);
          this.cache.set(key, cm);
          this.queue.add(key);
        }
        for (const key of [...this.cache.keys()]) if (!seen.has(key)) this.deleted(key);
        this.synced = true;
        this.lastInformerProgress = this.now();
        failures = 0;
      } catch (err) {
        this.apiError('list', err);
        await this.sleep(Math.min(30_000, 200 * 2 ** failures++));
        continue;
      }
      // Watch until a re-list is due (410, relist timer) or we stop.
      let relist = false;
      while (!this.stopped && !relist) {
        const outcome = await new Promise<'gone' | 'closed' | 'error' | 'relist'>((resolve) => {
          let settled = false;
          const settle = (v: 'gone' | 'closed' | 'error' | 'relist') => {
            if (settled) return;
            settled = true;
            this.stopWatch?.();
            resolve(v);
          };
          this.relistNow = () => settle('relist');
          this.api
            .watchDesired(
              ns,
              rv,
              (e) => {
                this.lastInformerProgress = this.now();
                if (e.type === 'ERROR') return settle(e.code === 410 ? 'gone' : 'error');
                if (e.resourceVersion) rv = e.resourceVersion;
                if (e.type === 'BOOKMARK' || !e.object) return;
                const key = this.keyOf(e.object);
                if (e.type === 'DELETED') this.deleted(key);
                else if (e.object.labels[DESIRED_ROLE_LABEL] === 'desired') {
                  this.cache.set(key, e.object);
                  this.queue.add(key);
                }
              },
              (err) => {
                if (err) {
                  if (err.kind === 'gone') return settle('gone');
                  this.apiError('watch', err);
                  return settle('error');
                }
                settle('closed');
              },
            )
            .then(
              (stop) => {
                this.stopWatch = stop;
                if (settled) stop();
              },
              (err: unknown) => {
                this.apiError('watch', err);
                settle('error');
              },
            );
        });
        if (outcome === 'gone' || outcome === 'relist') relist = true;
        else if (outcome === 'error') {
          await this.sleep(Math.min(30_000, 200 * 2 ** failures++));
          if (failures > 5) relist = true;
        } else failures = 0;
      }
    }
  }

  private deleted(key: string): void {
    this.cache.delete(key);
    this.state.delete(key);
    const [namespace, name] = key.split('/') as [string, string];
    this.metrics.forget(namespace, name.replace(/-cutover$/, ''));
  }

  // ---- the worker ---------------------------------------------------------------------------------

  private async runWorker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      const started = Date.now();
      try {
        const requeue = await this.sync(key);
        this.queue.forget(key);
        // The resync is measured from this reconcile's start, so a pipeline is looked at once per
        // interval however long its polls took.
        if (requeue !== null) this.queue.addAfter(key, Math.max(1, requeue - (Date.now() - started)));
      } catch (err) {
        const delay = this.queue.addRateLimited(key);
        if (err instanceof KubeApiError) this.apiError(`reconcile ${key}`, err);
        else
          this.log({
            level: 'error',
            msg: 'reconcile failed',
            key,
            error: (err as Error).message,
            retryInMs: delay,
          });
      } finally {
        this.queue.done(key);
      }
    }
  }

  /** Polls the colors a step needs (both colors of an open cutover; every color once otherwise). */
  private async observe(
    key: string,
    st: KeyState,
    desired: ConfigMapObject,
    colors: Color[],
  ): Promise<Observed> {
    const observed: Observed = {};
    await Promise.all(
      colors.map(async (c) => {
        const url = desired.data[`${c}.restUrl`];
        if (!url) return;
        const gated = desired.data[`${c}.gate`] !== 'false';
        const client = new FlinkRestClient(url, {
          timeoutMs: 5000,
          retries: 1,
          backoffMs: 200,
          ...(this.o.flinkHttp ?? {}),
        });
        const mem = (st.committed[c] ??= { samples: [], covered: null });
        const r = await observeColor(client, gated, mem);
        const n = r.ok ? r.job.requests : r.requests;
        this.restRequests += n;
        this.metrics.restRequests.inc(n);
        if (r.ok) observed[c] = { ok: true, job: r.job };
        else {
          const problem = r.error instanceof FlinkRestError ? r.error.failure.problem : 'other';
          this.metrics.restErrors.inc({ kind: problem });
          this.log({
            level: 'warn',
            msg: 'jobmanager error',
            key,
            color: c,
            kind: problem,
            error: r.error.message,
          });
          observed[c] = { ok: false, problem, message: r.error.message };
        }
      }),
    );
    return observed;
  }

  /** Reconciles one pipeline; returns when to look again (ms) or null. Throws to retry with backoff. */
  async sync(key: string): Promise<number | null> {
    const desired = this.cache.get(key);
    if (!desired) return null;
    if (!this.isLeader) return null; // the leader's start re-queues every key
    this.reconciles++;
    this.reconcilesByKey.set(key, (this.reconcilesByKey.get(key) ?? 0) + 1);
    const end = this.metrics.reconcileDuration.startTimer();
    try {
      const st = this.state.get(key) ?? { committed: {}, firstSeen: new Map<number, number>() };
      this.state.set(key, st);
      const statusName = statusNameOf(desired.name);
      const current = await this.api.readConfigMap(desired.namespace, statusName);
      const need = observationNeeded(desired.data, current?.data ?? null);
      let observed: Observed = {};
      if (need === 'always' || (need === 'once' && st.observedRv !== desired.resourceVersion)) {
        const colors = COLORS.filter((c) => desired.data[`${c}.restUrl`] !== undefined);
        observed = await this.observe(key, st, desired, colors);
        if (need === 'once' && COLORS.every((c) => !observed[c] || observed[c]!.ok))
          st.observedRv = desired.resourceVersion;
      }
      const now = this.now();
      const ref = {
        kind: 'ConfigMap' as const,
        apiVersion: 'v1' as const,
        namespace: desired.namespace,
        name: desired.name,
        ...(desired.uid ? { uid: desired.uid } : {}),
      };
      const result = reconcile(desired.data, current?.data ?? null, observed, now, {
        desiredRef: ref,
        ...(st.memory ? { memory: st.memory } : {}),
        options: { resyncMs: this.o.intervalMs ?? 10_000, stallMs: this.o.stallMs ?? 300_000 },
      });
      const g = result.desired?.generation ?? 0;
      if (g > 0 && !st.firstSeen.has(g)) st.firstSeen.set(g, now);
      if (result.write) {
        if (!this.isLeader) return null;
        // Whole status; create when absent, else replace with the read resourceVersion (409: re-read
        // and decide again on the retry).
        const labels = {
          'app.kubernetes.io/managed-by': FIELD_MANAGER,
          [DESIRED_ROLE_LABEL]: 'status',
          ...(desired.labels['flink-cutover.dev/pipeline']
            ? { 'flink-cutover.dev/pipeline': desired.labels['flink-cutover.dev/pipeline'] }
            : {}),
        };
        await this.api.writeStatus(
          desired.namespace,
          statusName,
          result.write,
          labels,
          current?.resourceVersion,
        );
        this.metrics.statusWrites.inc();
      }
      st.memory = result.memory;
      const pipeline = result.desired?.pipeline ?? desired.name.replace(/-cutover$/, '');
      const s = result.status;
      if (s) {
        if (st.lastGeneration !== undefined && st.lastGeneration !== s.generation)
          this.metrics.forget(desired.namespace, pipeline);
        this.metrics.setPhase(desired.namespace, pipeline, s.generation, s.phase);
        const d = result.desired;
        for (const c of COLORS) {
          const w = s.watermarks[c];
          if (w === undefined || !d || d.watermark === undefined) continue;
          this.metrics.gateWatermark.set({ namespace: desired.namespace, pipeline, color: c }, w);
          this.metrics.watermarkDistance.set(
            { namespace: desired.namespace, pipeline, color: c },
            d.watermark + d.lateness - w,
          );
        }
        if (result.write && s.phase !== st.lastPhase) {
          const seen = st.firstSeen.get(s.generation);
          if (seen !== undefined && s.phase === 'Armed')
            this.metrics.toArmed.observe({ namespace: desired.namespace }, (now - seen) / 1000);
          if (seen !== undefined && s.phase === 'Completed')
            this.metrics.toCompleted.observe({ namespace: desired.namespace }, (now - seen) / 1000);
        }
        if (result.write && (s.phase !== result.from || s.generation !== st.lastGeneration)) {
          this.log({
            level: s.phase === 'Rejected' ? 'warn' : 'info',
            msg: 'phase',
            namespace: desired.namespace,
            pipeline,
            generation: s.generation,
            from: result.from,
            phase: s.phase,
            reason: s.reason,
          });
        }
        st.lastGeneration = s.generation;
        st.lastPhase = s.phase;
      }
      for (const e of result.events) {
        try {
          await this.api.createEvent({
            namespace: desired.namespace,
            involved: {
              name: e.involvedObject.name,
              ...(e.involvedObject.uid ? { uid: e.involvedObject.uid } : {}),
            },
            type: e.type,
            reason: e.reason,
            message: e.message,
            at: new Date(now),
            reportingInstance: this.identity,
          });
        } catch (err) {
          this.apiError('event', err);
        }
        if (e.type === 'Warning')
          this.log({
            level: 'warn',
            msg: 'event',
            namespace: desired.namespace,
            reason: e.reason,
            message: e.message,
          });
      }
      return result.requeueAfterMs;
    } finally {
      end();
    }
  }
}
