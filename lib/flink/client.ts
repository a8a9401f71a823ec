import { FlinkRestError } from './errors.js';
import type { HttpOptions } from './http.js';
import { getJson, joinUrl, withoutCredentials } from './http.js';
import { arr, num, obj, oneOf, optNum, optStr, str } from './shape.js';
import type {
  AggregatedMetric,
  Aggregation,
  CheckpointStats,
  CompletedCheckpoint,
  FailedCheckpoint,
  JobDetails,
  JobExceptions,
  JobOverview,
  JobStatus,
  JobVertex,
  MetricValue,
  PlanNode,
} from './types.js';

export const JOB_STATES: readonly JobStatus[] = [
  'INITIALIZING',
  'CREATED',
  'RUNNING',
  'FAILING',
  'FAILED',
  'CANCELLING',
  'CANCELED',
  'FINISHED',
  'RESTARTING',
  'SUSPENDED',
  'RECONCILING',
];

// ---- parsers (pure; throw ShapeError with a JSON pointer) -------------------------------------

export function parseJobsOverview(body: unknown): JobOverview[] {
  const jobs = arr(obj(body, '').jobs, '/jobs');
  return jobs.map((j, i) => {
    const o = obj(j, `/jobs/${i}`);
    return {
      jid: str(o.jid, `/jobs/${i}/jid`),
      name: str(o.name, `/jobs/${i}/name`),
      state: oneOf(o.state, JOB_STATES, `/jobs/${i}/state`),
      'start-time': num(o['start-time'], `/jobs/${i}/start-time`),
      ...(o['end-time'] !== undefined ? { 'end-time': num(o['end-time'], `/jobs/${i}/end-time`) } : {}),
    };
  });
}

export function parseJobDetails(body: unknown): JobDetails {
  const o = obj(body, '');
  const vertices: JobVertex[] = arr(o.vertices, '/vertices').map((v, i) => {
    const x = obj(v, `/vertices/${i}`);
    return {
      id: str(x.id, `/vertices/${i}/id`),
      name: str(x.name, `/vertices/${i}/name`),
      parallelism: num(x.parallelism, `/vertices/${i}/parallelism`),
      ...(x.maxParallelism !== undefined
        ? { maxParallelism: num(x.maxParallelism, `/vertices/${i}/maxParallelism`) }
        : {}),
      ...(x.status !== undefined ? { status: str(x.status, `/vertices/${i}/status`) } : {}),
    };
  });
  const details: JobDetails = {
    jid: str(o.jid, '/jid'),
    name: str(o.name, '/name'),
    state: oneOf(o.state, JOB_STATES, '/state'),
    'start-time': num(o['start-time'], '/start-time'),
    vertices,
  };
  const now = optNum(o.now, '/now');
  if (now !== undefined) details.now = now;
  if (o.timestamps !== undefined) {
    const ts = obj(o.timestamps, '/timestamps');
    details.timestamps = Object.fromEntries(
      Object.entries(ts).map(([k, v]) => [k, num(v, `/timestamps/${k}`)]),
    );
  }
  if (o.plan !== undefined && o.plan !== null) {
    const plan = obj(o.plan, '/plan');
    if (plan.nodes !== undefined) {
      details.plan = {
        nodes: arr(plan.nodes, '/plan/nodes').map((n, i): PlanNode => {
          const x = obj(n, `/plan/nodes/${i}`);
          const node: PlanNode = { id: str(x.id, `/plan/nodes/${i}/id`) };
          if (x.inputs !== undefined) {
            node.inputs = arr(x.inputs, `/plan/nodes/${i}/inputs`).map((inp, k) => ({
              id: str(obj(inp, `/plan/nodes/${i}/inputs/${k}`).id, `/plan/nodes/${i}/inputs/${k}/id`),
            }));
          }
          return node;
        }),
      };
    }
  }
  return details;
}

function parseCompleted(v: unknown, path: string): CompletedCheckpoint | undefined {
  if (v === undefined || v === null) return undefined;
  const o = obj(v, path);
  const c: CompletedCheckpoint = { id: num(o.id, `${path}/id`) };
  const trig = optNum(o.trigger_timestamp, `${path}/trigger_timestamp`);
  if (trig !== undefined) c.trigger_timestamp = trig;
  const ack = optNum(o.latest_ack_timestamp, `${path}/latest_ack_timestamp`);
  if (ack !== undefined) c.latest_ack_timestamp = ack;
  const ext = optStr(o.external_path, `${path}/external_path`);
  if (ext !== undefined) c.external_path = ext;
  return c;
}

function parseFailed(v: unknown, path: string): FailedCheckpoint | undefined {
  if (v === undefined || v === null) return undefined;
  const o = obj(v, path);
  const f: FailedCheckpoint = { id: num(o.id, `${path}/id`) };
  const trig = optNum(o.trigger_timestamp, `${path}/trigger_timestamp`);
  if (trig !== undefined) f.trigger_timestamp = trig;
  const ft = optNum(o.failure_timestamp, `${path}/failure_timestamp`);
  if (ft !== undefined) f.failure_timestamp = ft;
  const msg = optStr(o.failure_message, `${path}/failure_message`);
  if (msg !== undefined) f.failure_message = msg;
  return f;
}

export function parseCheckpoints(body: unknown): CheckpointStats {
  const o = obj(body, '');
  const counts = obj(o.counts, '/counts');
  const stats: CheckpointStats = {
    counts: {
      completed: num(counts.completed, '/counts/completed'),
      failed: num(counts.failed, '/counts/failed'),
    },
  };
  const inProgress = optNum(counts.in_progress, '/counts/in_progress');
  if (inProgress !== undefined) stats.counts.in_progress = inProgress;
  if (o.latest !== undefined && o.latest !== null) {
    const latest = obj(o.latest, '/latest');
    stats.latest = {};
    const completed = parseCompleted(latest.completed, '/latest/completed');
    if (completed) stats.latest.completed = completed;
    const failed = parseFailed(latest.failed, '/latest/failed');
    if (failed) stats.latest.failed = failed;
    const savepoint = parseCompleted(latest.savepoint, '/latest/savepoint');
    if (savepoint) stats.latest.savepoint = savepoint;
  }
  return stats;
}

/** Metric responses are bare arrays on the wire (the OpenAPI file says `{metrics: [...]}`). */
export function parseMetrics(body: unknown): MetricValue[] {
  return arr(body, '').map((m, i) => {
    const o = obj(m, `/${i}`);
    return { id: str(o.id, `/${i}/id`), value: str(o.value, `/${i}/value`) };
  });
}

export function parseAggregatedMetrics(body: unknown): AggregatedMetric[] {
  return arr(body, '').map((m, i) => {
    const o = obj(m, `/${i}`);
    const out: AggregatedMetric = { id: str(o.id, `/${i}/id`) };
    for (const k of ['min', 'max', 'avg', 'sum', 'skew'] as const) {
      const v = optNum(o[k], `/${i}/${k}`);
      if (v !== undefined) out[k] = v;
    }
    return out;
  });
}

export function parseExceptions(body: unknown): JobExceptions {
  const o = obj(body, '');
  const out: JobExceptions = {};
  const root = optStr(o['root-exception'], '/root-exception');
  if (root !== undefined) out['root-exception'] = root;
  if (o.exceptionHistory !== undefined) {
    const h = obj(o.exceptionHistory, '/exceptionHistory');
    out.exceptionHistory = {
      entries: arr(h.entries, '/exceptionHistory/entries').map((e, i) => {
        const x = obj(e, `/exceptionHistory/entries/${i}`);
        const entry: { exceptionName?: string; timestamp?: number; stacktrace?: string } = {};
        const name = optStr(x.exceptionName, `/exceptionHistory/entries/${i}/exceptionName`);
        if (name !== undefined) entry.exceptionName = name;
        const trace = optStr(x.stacktrace, `/exceptionHistory/entries/${i}/stacktrace`);
        if (trace !== undefined) entry.stacktrace = trace;
        const ts = optNum(x.timestamp, `/exceptionHistory/entries/${i}/timestamp`);
        if (ts !== undefined) entry.timestamp = ts;
        return entry;
      }),
    };
  }
  return out;
}

// ---- the client -------------------------------------------------------------------------------

/** Typed calls against one JobManager's REST API (`restUrl` like `http://orders-green-rest:8081`). */
export class FlinkRestClient {
  readonly restUrl: string;
  private readonly http: HttpOptions;

  constructor(restUrl: string, http: HttpOptions = {}) {
    this.restUrl = restUrl.replace(/\/+$/, '');
    this.http = http;
  }

  /** The URL of `path` as messages show it (without credentials). */
  shownUrl(path: string): string {
    return withoutCredentials(joinUrl(this.restUrl, path)).url;
  }

  private get<T>(path: string, expected: string, parse: (b: unknown) => T): Promise<T> {
    return getJson(joinUrl(this.restUrl, path), `${expected} (GET ${path.split('?')[0]})`, parse, this.http);
  }

  /** `GET /jobs/overview`. */
  jobsOverview(): Promise<JobOverview[]> {
    return this.get('/jobs/overview', 'a JSON object with a "jobs" array', parseJobsOverview);
  }

  /**
   * The job this JobManager runs (application mode runs one): the newest job not in a terminal
   * state, else the newest job. Throws FlinkRestError `not-found` when there is no job at all.
   */
  async currentJob(): Promise<JobOverview> {
    const jobs = await this.jobsOverview();
    const live = jobs.filter((j) => !['FAILED', 'CANCELED', 'FINISHED'].includes(j.state));
    const pick = (list: JobOverview[]) => [...list].sort((a, b) => b['start-time'] - a['start-time'])[0];
    const job = pick(live) ?? pick(jobs);
    if (!job) {
      throw new FlinkRestError({
        url: this.shownUrl('/jobs/overview'),
        problem: 'not-found',
        expected: 'a running job (GET /jobs/overview)',
        detail: 'the JobManager runs no job',
        attempts: 1,
      });
    }
    return job;
  }

  /** `GET /jobs/{id}`: state, start time, per-state timestamps and vertices with parallelism. */
  jobDetails(jobId: string): Promise<JobDetails> {
    return this.get(
      `/jobs/${jobId}`,
      'a job details object (jid, state, start-time, vertices)',
      parseJobDetails,
    );
  }

  /** `GET /jobs/{id}/checkpoints`. */
  checkpoints(jobId: string): Promise<CheckpointStats> {
    return this.get(`/jobs/${jobId}/checkpoints`, 'checkpoint statistics with "counts"', parseCheckpoints);
  }

  /** `GET /jobs/{id}/vertices/{vid}/watermarks`: per subtask `<i>.currentInputWatermark`, values as strings. */
  vertexWatermarks(jobId: string, vertexId: string): Promise<MetricValue[]> {
    return this.get(
      `/jobs/${jobId}/vertices/${vertexId}/watermarks`,
      'a JSON array of {id, value}',
      parseMetrics,
    );
  }

  /** `GET /jobs/{id}/metrics?get=...` (bare array on the wire). */
  jobMetrics(jobId: string, names: readonly string[]): Promise<MetricValue[]> {
    return this.get(
      `/jobs/${jobId}/metrics?get=${names.map(encodeURIComponent).join(',')}`,
      'a JSON array of {id, value}',
      parseMetrics,
    );
  }

  /**
   * `GET /jobs/{id}/vertices/{vid}/metrics?get=...`: per-subtask metrics of one vertex, ids like
   * `<subtask>.<operator>.<metric>` (bare array on the wire; ids not reported yet are left out).
   */
  vertexMetrics(jobId: string, vertexId: string, ids: readonly string[]): Promise<MetricValue[]> {
    return this.get(
      `/jobs/${jobId}/vertices/${vertexId}/metrics?get=${ids.map(encodeURIComponent).join(',')}`,
      'a JSON array of {id, value}',
      parseMetrics,
    );
  }

  /** `GET /jobs/{id}/vertices/{vid}/subtasks/metrics?get=...&agg=...` (bare array on the wire). */
  aggregatedSubtaskMetrics(
    jobId: string,
    vertexId: string,
    names: readonly string[],
    agg: readonly Aggregation[] = ['min', 'max'],
  ): Promise<AggregatedMetric[]> {
    const q = `get=${names.map(encodeURIComponent).join(',')}&agg=${agg.join(',')}`;
    return this.get(
      `/jobs/${jobId}/vertices/${vertexId}/subtasks/metrics?${q}`,
      'a JSON array of {id, min, max, ...}',
      parseAggregatedMetrics,
    );
  }

  /** `GET /jobs/{id}/exceptions`. */
  exceptions(jobId: string): Promise<JobExceptions> {
    return this.get(`/jobs/${jobId}/exceptions`, 'a job exceptions object', parseExceptions);
  }

  /**
   * The job's restart count: job metric `numRestarts`. Right after a JobManager or job starts,
   * its metric store is still empty (it fills every `metrics.fetcher.update-interval`, 10s) and
   * Flink answers `[]`: that is `not-found` (polling again helps), not a wrong shape.
   */
  async restarts(jobId: string): Promise<number> {
    const metrics = await this.jobMetrics(jobId, ['numRestarts']);
    const m = metrics.find((x) => x.id === 'numRestarts');
    const url = this.shownUrl(`/jobs/${jobId}/metrics?get=numRestarts`);
    if (!m) {
      throw new FlinkRestError({
        url,
        problem: 'not-found',
        expected: 'the numRestarts metric',
        detail:
          'numRestarts is not reported yet (the JobManager fetches metrics every metrics.fetcher.update-interval, 10s by default)',
        attempts: 1,
      });
    }
    const n = Number(m.value);
    if (!Number.isFinite(n))
      throw new FlinkRestError({
        url,
        problem: 'wrong-shape',
        expected: 'numRestarts as a number string',
        detail: `numRestarts is ${JSON.stringify(m.value)}`,
        attempts: 1,
      });
    return n;
  }
}
