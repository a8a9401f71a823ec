/**
 * A fake Flink JobManager for tests: a real HTTP server on 127.0.0.1 (random port) answering the
 * REST calls flink-cutover makes, with bodies shaped like Flink's (they validate against the
 * OpenAPI spec in ../shared/reference/flink-rest, with metric responses as bare arrays as on the
 * wire). Everything is scriptable: job state and start time, vertices and parallelism,
 * checkpoints, restarts (optionally with a new job id), watermarks advancing with the clock, the
 * gate operator's metrics, and slow or failing responses.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JobStatus } from '../../lib/flink/types.js';

export const LONG_MIN = '-9223372036854775808';

/**
 * The names the fake serves gate metrics under, from the contract file itself (read here without
 * the code under test, so the contract test compares two independent readings).
 */
const CONTRACT = JSON.parse(
  readFileSync(
    join(dirname(fileURLToPath(import.meta.url)), '../../schemas/gate-metrics.contract.json'),
    'utf8',
  ),
) as {
  operatorName: string;
  metricGroup: string;
  noValue: string;
  decisionMetrics: Record<string, string>;
};
/** The gate operator's name (a job with several gates: this plus `-<suffix>`). */
export const GATE_OPERATOR = CONTRACT.operatorName;
export const GATE_METRIC_GROUP = CONTRACT.metricGroup;
export const GATE_METRICS = Object.keys(CONTRACT.decisionMetrics) as (
  'preparedGeneration' | 'maxTimestampAtPrepare' | 'gateWatermark'
)[];
export type GateMetric = 'preparedGeneration' | 'maxTimestampAtPrepare' | 'gateWatermark';

/**
 * A gate metric's name within its subtask, as Flink's MetricStore keys it: `<operator>.<group>.<metric>`
 * (what `/subtasks/:i/metrics` and the aggregated `/subtasks/metrics` list). The vertex-level
 * `/vertices/:vid/metrics` lists it as `<subtask>.<operator>.<group>.<metric>`.
 */
export function gateMetricName(metric: GateMetric, operator = GATE_OPERATOR): string {
  return `${operator}.${GATE_METRIC_GROUP}.${metric}`;
}

export interface FakeVertex {
  id: string;
  name: string;
  parallelism: number;
  /** Source vertices have no inputs in the plan and no input watermark (Long.MIN_VALUE). */
  source?: boolean;
  /**
   * Watermark of each subtask at the fake's `watermarkAnchor`, advancing with the clock at
   * `watermarkRate` (ms of event time per ms of wall time); `null` = no watermark yet.
   * @default none (Long.MIN_VALUE)
   */
  watermarks?: (number | null)[];
  /** The vertex's execution state in `/jobs/{id}` (e.g. INITIALIZING while restoring). @default from the job state */
  status?: string;
  /**
   * Extra subtask metrics: name within the subtask (e.g. `gateMetricName('gateWatermark')`) ->
   * value per subtask (`undefined`: not reported by that subtask; `null`: Long.MIN_VALUE).
   */
  metrics?: Record<string, (number | null | undefined)[]>;
}

export interface FakeCheckpoints {
  completed: number;
  failed: number;
  inProgress: number;
  restored: number;
  /** external_path of `latest.completed` (`undefined` = no completed checkpoint). */
  latestPath?: string;
  latestCompletedAt?: number;
  /** The latest checkpoint attempt failed (newer than the latest completed one). */
  failing?: { at: number; message: string };
}

export interface FakeJob {
  jid: string;
  name: string;
  state: JobStatus;
  startTime: number;
  /** Last transition to RUNNING (`timestamps.RUNNING`). */
  runningSince: number;
  restarts: number;
  vertices: FakeVertex[];
  checkpoints: FakeCheckpoints;
  exceptions: { name: string; at: number }[];
}

/** A scripted fault on requests whose path (without query) matches. */
export interface Fault {
  path: RegExp;
  /** Respond with this status (and Flink's `{"errors": [...]}` body). */
  status?: number;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Respond with this body (JSON-encoded unless a string). */
  body?: unknown;
  /** Destroy the socket without answering. */
  hangUp?: boolean;
  /** How many matching requests to affect. @default Infinity */
  times?: number;
}

export interface FakeOptions {
  /** The clock the fake's job runs on. @default Date.now */
  clock?: () => number;
  job?: Partial<FakeJob>;
  /** Event-time ms per wall ms. @default 1 */
  watermarkRate?: number;
  /**
   * Serve the REST API under this path, as behind a reverse proxy or ingress (e.g. `/flink`);
   * `url` then ends with it. @default none
   */
  pathPrefix?: string;
}

/** Another job the JobManager lists in `/jobs/overview` (e.g. an earlier one that ended). */
export interface FakeOtherJob {
  jid: string;
  name: string;
  state: JobStatus;
  startTime: number;
  /** -1 while not ended. */
  endTime: number;
}

let counter = 0;
/** A 32-hex job/vertex id, deterministic per fake process. */
export function hexId(seed: string): string {
  let h = 0x811c9dc5;
  const out: string[] = [];
  for (let round = 0; round < 4; round++) {
    for (const ch of `${seed}:${round}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    out.push(h.toString(16).padStart(8, '0'));
  }
  return out.join('');
}

/** Three vertices: a source, a map, and the sink side carrying the gate operator. */
export function defaultVertices(parallelism = 2, watermark: number | null = 1_700_000_000_000): FakeVertex[] {
  return [
    { id: hexId('source'), name: 'Source: orders', parallelism, source: true },
    {
      id: hexId('map'),
      name: 'Map -> Timestamps/Watermarks',
      parallelism,
      watermarks: Array.from({ length: parallelism }, () => watermark),
    },
    {
      id: hexId('sink'),
      name: `${GATE_OPERATOR} -> Sink: out`,
      parallelism,
      watermarks: Array.from({ length: parallelism }, () => watermark),
    },
  ];
}

export class FakeJobManager {
  readonly clock: () => number;
  job: FakeJob;
  /** No job at all (the JobManager is up but nothing runs). */
  noJob = false;
  /** More jobs listed by `/jobs/overview` beside `job` (only listed: their other endpoints 404). */
  otherJobs: FakeOtherJob[] = [];
  /** Path prefix the API is served under (`''` or e.g. `/flink`). */
  readonly pathPrefix: string;
  /** Event-time ms per wall ms for watermarks. */
  watermarkRate: number;
  /** Wall time at which `watermarks` hold their written values. */
  watermarkAnchor: number;
  readonly faults: Fault[] = [];
  /** Paths (with query) of every request received, in order. */
  readonly requests: string[] = [];
  /** Called with each request's path (and query) before it is answered: script changes by request, not by time. */
  onRequest: ((path: string) => void) | undefined;
  private server!: Server;
  private port = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(options: FakeOptions) {
    this.clock = options.clock ?? Date.now;
    const now = this.clock();
    this.watermarkRate = options.watermarkRate ?? 1;
    this.watermarkAnchor = now;
    this.pathPrefix = (options.pathPrefix ?? '').replace(/\/+$/, '');
    this.job = {
      jid: hexId(`job-${++counter}`),
      name: 'orders',
      state: 'RUNNING',
      startTime: now - 3_600_000,
      runningSince: now - 3_600_000,
      restarts: 0,
      vertices: defaultVertices(),
      checkpoints: {
        completed: 12,
        failed: 0,
        inProgress: 0,
        restored: 1,
        latestPath: 's3://b/chk/orders/blue/0000/chk-12',
        latestCompletedAt: now - 30_000,
      },
      exceptions: [],
      ...options.job,
    };
  }

  /** Starts a fake on 127.0.0.1 with a random port. */
  /**
   * A fake without a server of its own, answering through `route()` (one process serving many
   * JobManagers behind one port, as the controller benchmark does).
   */
  static detached(options: FakeOptions = {}): FakeJobManager {
    return new FakeJobManager(options);
  }

  static async start(options: FakeOptions = {}): Promise<FakeJobManager> {
    const fake = new FakeJobManager(options);
    fake.server = createServer((req, res) => void fake.handle(req, res));
    fake.server.on('connection', (s) => {
      fake.sockets.add(s);
      s.on('close', () => fake.sockets.delete(s));
    });
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  /** `http://127.0.0.1:<port>` (plus the path prefix, if any). */
  get url(): string {
    return `http://127.0.0.1:${this.port}${this.pathPrefix}`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Adds a fault; returns it so a test can remove it. */
  fault(f: Fault): Fault {
    this.faults.push(f);
    return f;
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /**
   * The job restarts (a failover: same job id, `numRestarts` + 1, back to RUNNING now), or with
   * `newJobId` is resubmitted (new id, restarts counted from 0, new start time).
   */
  restart(options: { newJobId?: boolean; exception?: string } = {}): void {
    const now = this.clock();
    if (options.newJobId) {
      this.job.jid = hexId(`job-${++counter}`);
      this.job.startTime = now;
      this.job.restarts = 0;
      this.job.checkpoints = {
        ...this.job.checkpoints,
        completed: 0,
        failed: 0,
        inProgress: 0,
        failing: undefined,
      };
    } else {
      this.job.restarts += 1;
    }
    this.job.exceptions.push({ name: options.exception ?? 'java.lang.RuntimeException: boom', at: now });
    this.job.state = 'RUNNING';
    this.job.runningSince = now;
  }

  /** Completes `n` checkpoints now (clearing a failing state). */
  completeCheckpoints(n = 1): void {
    const c = this.job.checkpoints;
    c.completed += n;
    c.latestCompletedAt = this.clock();
    c.latestPath = `s3://b/chk/${this.job.name}/${this.job.jid}/chk-${c.completed}`;
    c.failing = undefined;
  }

  /** The next checkpoint attempt fails now. */
  failCheckpoint(message = 'Checkpoint expired before completing.'): void {
    this.job.checkpoints.failed += 1;
    this.job.checkpoints.failing = { at: this.clock(), message };
  }

  /** Sets every subtask watermark of every non-source vertex to `value` (at the current clock). */
  setWatermark(value: number | null): void {
    this.watermarkAnchor = this.clock();
    for (const v of this.job.vertices)
      if (!v.source) v.watermarks = Array.from({ length: v.parallelism }, () => value);
  }

  /**
   * Sets a gate metric per subtask on a gate vertex (`null`: Long.MIN_VALUE, `undefined`: not
   * reported). `operator` names the gate (default: the first vertex carrying one).
   */
  setGateMetric(metric: GateMetric, values: (number | null | undefined)[], operator?: string): void {
    const gate = this.gateVertex(operator);
    const op = operator ?? this.gateOperators(gate)[0]!;
    gate.metrics = { ...(gate.metrics ?? {}), [gateMetricName(metric, op)]: values };
  }

  /** Sets all three gate metrics of every subtask of every gate at once. */
  setGates(m: {
    preparedGeneration: number;
    maxTimestampAtPrepare: number | null;
    gateWatermark: number | null;
  }): void {
    for (const v of this.job.vertices) {
      for (const op of this.gateOperators(v)) {
        for (const metric of GATE_METRICS)
          this.setGateMetric(
            metric,
            Array.from({ length: v.parallelism }, () => m[metric]),
            op,
          );
      }
    }
  }

  /** The gate operators a vertex's (chained) name carries. */
  gateOperators(v: FakeVertex): string[] {
    return v.name
      .split(' -> ')
      .map((x) => x.trim())
      .filter((x) => x === GATE_OPERATOR || x.startsWith(GATE_OPERATOR + '-'));
  }

  gateVertex(operator?: string): FakeVertex {
    const v = this.job.vertices.find((x) =>
      operator ? this.gateOperators(x).includes(operator) : this.gateOperators(x).length > 0,
    );
    if (!v) throw new Error(`the fake job has no gate vertex${operator ? ` ${operator}` : ''}`);
    return v;
  }

  /** Current watermark of a subtask (with the clock's advance), or LONG_MIN. */
  watermarkOf(v: FakeVertex, subtask: number): string {
    const w = v.watermarks?.[subtask];
    if (v.source || w === null || w === undefined) return LONG_MIN;
    return String(Math.floor(w + (this.clock() - this.watermarkAnchor) * this.watermarkRate));
  }

  // ---- HTTP -----------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    this.requests.push(url.pathname + url.search);
    this.onRequest?.(url.pathname + url.search);
    if (this.pathPrefix) {
      if (!url.pathname.startsWith(this.pathPrefix + '/'))
        return this.send(res, 404, { errors: ['Not found: ' + url.pathname] });
      url.pathname = url.pathname.slice(this.pathPrefix.length);
    }
    const fault = this.faults.find((f) => f.path.test(url.pathname) && (f.times ?? Infinity) > 0);
    if (fault) {
      if (fault.times !== undefined) fault.times -= 1;
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault.hangUp) {
        req.socket.destroy();
        return;
      }
      if (fault.status !== undefined || fault.body !== undefined) {
        const status = fault.status ?? 200;
        const body =
          fault.body !== undefined
            ? fault.body
            : { errors: [status >= 500 ? 'Internal server error.' : 'Not found: ' + url.pathname] };
        return this.send(res, status, body);
      }
    }
    if (req.method !== 'GET') return this.send(res, 405, { errors: ['method not allowed'] });
    const [status, body] = this.route(url);
    this.send(res, status, body);
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    if (res.destroyed) return;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=UTF-8',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  }

  /** The response (status, body) for a GET: public so the OpenAPI test can validate bodies directly. */
  route(url: URL): [number, unknown] {
    const parts = url.pathname.split('/').filter(Boolean);
    const notFound = (what: string): [number, unknown] => [404, { errors: [what] }];
    if (parts[0] !== 'jobs') return notFound('Not found: ' + url.pathname);
    if (parts[1] === 'overview' && parts.length === 2) return [200, this.overview()];
    const job = this.job;
    if (this.noJob || parts[1] !== job.jid) return notFound(`Job ${parts[1]} not found`);
    if (parts.length === 2) return [200, this.details()];
    if (parts[2] === 'checkpoints' && parts.length === 3) return [200, this.checkpointsBody()];
    if (parts[2] === 'exceptions' && parts.length === 3) return [200, this.exceptionsBody()];
    if (parts[2] === 'metrics' && parts.length === 3) {
      const all: Record<string, string> = {
        numRestarts: String(job.restarts),
        fullRestarts: String(job.restarts),
        uptime: String(this.clock() - job.runningSince),
      };
      return [200, this.metricList(url, all)];
    }
    if (parts[2] === 'vertices' && parts[3]) {
      const v = job.vertices.find((x) => x.id === parts[3]);
      if (!v) return notFound(`Vertex ${parts[3]} not found`);
      if (parts[4] === 'watermarks' && parts.length === 5) {
        return [
          200,
          Array.from({ length: v.parallelism }, (_, i) => ({
            id: `${i}.currentInputWatermark`,
            value: this.watermarkOf(v, i),
          })),
        ];
      }
      if (parts[4] === 'subtasks' && parts[5] === 'metrics' && parts.length === 6)
        return [200, this.aggregated(url, v)];
      if (parts[4] === 'metrics' && parts.length === 5) {
        // Vertex-level metrics: `<subtask>.<name within the subtask>`, as Flink's MetricStore lists them.
        const values: Record<string, string> = {};
        for (let i = 0; i < v.parallelism; i++) {
          values[`${i}.numRecordsIn`] = '0';
          for (const [name, per] of Object.entries(v.metrics ?? {})) {
            const x = per[i];
            if (x !== undefined) values[`${i}.${name}`] = x === null ? CONTRACT.noValue : String(x);
          }
        }
        return [200, this.metricList(url, values)];
      }
      if (parts[4] === 'subtasks' && parts[6] === 'metrics' && parts.length === 7) {
        const i = Number(parts[5]);
        if (!Number.isInteger(i) || i < 0 || i >= v.parallelism)
          return notFound(`Subtask ${parts[5]} not found`);
        const values: Record<string, string> = { currentInputWatermark: this.watermarkOf(v, i) };
        for (const [name, per] of Object.entries(v.metrics ?? {})) {
          const x = per[i];
          if (x !== undefined) values[name] = x === null ? CONTRACT.noValue : String(x);
        }
        return [200, this.metricList(url, values)];
      }
    }
    return notFound('Not found: ' + url.pathname);
  }

  private metricList(url: URL, values: Record<string, string>): { id: string; value?: string }[] {
    const get = url.searchParams.get('get');
    if (!get) return Object.keys(values).map((id) => ({ id }));
    return get
      .split(',')
      .filter((id) => values[id] !== undefined)
      .map((id) => ({ id, value: values[id]! }));
  }

  private aggregated(url: URL, v: FakeVertex): Record<string, number | string>[] {
    const subtasks = url.searchParams.get('subtasks');
    const chosen = subtasks
      ? subtasks.split(',').map(Number)
      : Array.from({ length: v.parallelism }, (_, i) => i);
    const perSubtask: Record<string, (number | null | undefined)[]> = {
      currentInputWatermark: Array.from({ length: v.parallelism }, (_, i) => Number(this.watermarkOf(v, i))),
      ...(v.metrics ?? {}),
    };
    const get = url.searchParams.get('get');
    if (!get) return Object.keys(perSubtask).map((id) => ({ id }));
    const aggs = (url.searchParams.get('agg') ?? 'min,max,avg,sum').split(',');
    const out: Record<string, number | string>[] = [];
    for (const id of get.split(',')) {
      const values = chosen
        .map((i) => perSubtask[id]?.[i])
        .filter((x): x is number => x !== undefined && x !== null);
      if (values.length === 0) continue;
      const entry: Record<string, number | string> = { id };
      const sum = values.reduce((a, b) => a + b, 0);
      if (aggs.includes('min')) entry.min = Math.min(...values);
      if (aggs.includes('max')) entry.max = Math.max(...values);
      if (aggs.includes('avg')) entry.avg = sum / values.length;
      if (aggs.includes('sum')) entry.sum = sum;
      out.push(entry);
    }
    return out;
  }

  private overview(): unknown {
    const now = this.clock();
    const others = this.otherJobs.map((o) => {
      const ended = o.endTime >= 0;
      return {
        jid: o.jid,
        name: o.name,
        state: o.state,
        'start-time': o.startTime,
        'end-time': o.endTime,
        duration: (ended ? o.endTime : now) - o.startTime,
        'last-modification': ended ? o.endTime : o.startTime,
        tasks: {
          running: 0,
          canceling: 0,
          canceled: o.state === 'CANCELED' ? 1 : 0,
          total: 1,
          created: 0,
          scheduled: 0,
          deploying: 0,
          reconciling: 0,
          finished: o.state === 'FINISHED' ? 1 : 0,
          initializing: 0,
          failed: o.state === 'FAILED' ? 1 : 0,
        },
      };
    });
    if (this.noJob) return { jobs: others };
    const j = this.job;
    const total = j.vertices.length;
    return {
      jobs: [
        ...others,
        {
          jid: j.jid,
          name: j.name,
          state: j.state,
          'start-time': j.startTime,
          'end-time': -1,
          duration: now - j.startTime,
          'last-modification': j.runningSince,
          tasks: {
            running: j.state === 'RUNNING' ? total : 0,
            canceling: 0,
            canceled: 0,
            total,
            created: 0,
            scheduled: 0,
            deploying: 0,
            reconciling: 0,
            finished: 0,
            initializing: 0,
            failed: 0,
          },
        },
      ],
    };
  }

  private details(): unknown {
    const j = this.job;
    const now = this.clock();
    const vertexStatus = j.state === 'RUNNING' ? 'RUNNING' : j.state === 'FAILED' ? 'FAILED' : 'CREATED';
    return {
      jid: j.jid,
      name: j.name,
      isStoppable: false,
      state: j.state,
      'start-time': j.startTime,
      'end-time': -1,
      duration: now - j.startTime,
      maxParallelism: -1,
      now,
      timestamps: {
        CREATED: j.startTime,
        INITIALIZING: j.startTime,
        RUNNING: j.runningSince,
        FAILING: 0,
        FAILED: 0,
        CANCELLING: 0,
        CANCELED: 0,
        FINISHED: 0,
        RESTARTING: 0,
        SUSPENDED: 0,
        RECONCILING: 0,
      },
      vertices: j.vertices.map((v) => ({
        id: v.id,
        name: v.name,
        maxParallelism: 128,
        parallelism: v.parallelism,
        status: v.status ?? vertexStatus,
        'start-time': j.runningSince,
        'end-time': -1,
        duration: now - j.runningSince,
        tasks: { RUNNING: v.parallelism },
        metrics: {
          'read-bytes': 0,
          'read-bytes-complete': true,
          'write-bytes': 0,
          'write-bytes-complete': true,
          'read-records': 0,
          'read-records-complete': true,
          'write-records': 0,
          'write-records-complete': true,
          'accumulated-backpressured-time': 0,
          'accumulated-idle-time': 0,
          'accumulated-busy-time': 0,
        },
      })),
      'status-counts': { RUNNING: j.vertices.length },
      plan: {
        jid: j.jid,
        name: j.name,
        type: 'STREAMING',
        nodes: j.vertices.map((v, i) => ({
          id: v.id,
          parallelism: v.parallelism,
          operator: '',
          operator_strategy: '',
          description: v.name,
          ...(v.source || i === 0
            ? {}
            : {
                inputs: [
                  {
                    num: 0,
                    id: j.vertices[i - 1]!.id,
                    ship_strategy: 'FORWARD',
                    exchange: 'pipelined_bounded',
                  },
                ],
              }),
          optimizer_properties: {},
        })),
      },
    };
  }

  private checkpointsBody(): unknown {
    const c = this.job.checkpoints;
    const parallelism = this.job.vertices.reduce((a, v) => a + v.parallelism, 0);
    const completed =
      c.latestPath !== undefined && c.completed > 0
        ? {
            className: 'completed',
            id: c.completed + c.failed,
            status: 'COMPLETED',
            is_savepoint: false,
            trigger_timestamp: (c.latestCompletedAt ?? 0) - 1200,
            latest_ack_timestamp: c.latestCompletedAt ?? 0,
            checkpointed_size: 1024,
            state_size: 4096,
            end_to_end_duration: 1200,
            alignment_buffered: 0,
            processed_data: 0,
            persisted_data: 0,
            num_subtasks: parallelism,
            num_acknowledged_subtasks: parallelism,
            checkpoint_type: 'CHECKPOINT',
            tasks: {},
            external_path: c.latestPath,
            discarded: false,
          }
        : null;
    const failed = c.failing
      ? {
          className: 'failed',
          id: c.completed + c.failed + 1,
          status: 'FAILED',
          is_savepoint: false,
          trigger_timestamp: c.failing.at - 600_000,
          latest_ack_timestamp: -1,
          checkpointed_size: 0,
          state_size: 0,
          end_to_end_duration: 600_000,
          alignment_buffered: 0,
          processed_data: 0,
          persisted_data: 0,
          num_subtasks: parallelism,
          num_acknowledged_subtasks: 0,
          checkpoint_type: 'CHECKPOINT',
          tasks: {},
          failure_timestamp: c.failing.at,
          failure_message: c.failing.message,
        }
      : null;
    const stat = { min: 0, max: 0, avg: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0 };
    return {
      counts: {
        restored: c.restored,
        total: c.completed + c.failed + c.inProgress,
        in_progress: c.inProgress,
        completed: c.completed,
        failed: c.failed,
      },
      summary: {
        checkpointed_size: stat,
        state_size: stat,
        end_to_end_duration: stat,
        alignment_buffered: stat,
        processed_data: stat,
        persisted_data: stat,
      },
      // Absent entries are left out (the OpenAPI schemas do not allow null).
      latest: { ...(completed ? { completed } : {}), ...(failed ? { failed } : {}) },
      history: [completed, failed].filter((x) => x !== null),
    };
  }

  private exceptionsBody(): unknown {
    const entries = [...this.job.exceptions].reverse().map((e) => ({
      // As in Flink: exceptionName is the class only; the stack trace starts with class and message.
      exceptionName: e.name.split(':')[0],
      stacktrace: `${e.name}\n\tat Fake.run(Fake.java:1)`,
      timestamp: e.at,
      taskName: this.job.vertices[1]?.name,
      location: '10.0.0.7:6122',
      taskManagerId: 'tm-1',
      failureLabels: {},
      concurrentExceptions: [],
    }));
    const latest = entries[0];
    return {
      'root-exception': latest?.stacktrace,
      timestamp: latest?.timestamp,
      'all-exceptions': [],
      truncated: false,
      exceptionHistory: { entries, truncated: false },
    };
  }
}
