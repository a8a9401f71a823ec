/**
 * Reading the gate operators of one color's job over the Flink REST API, under the names of
 * `schemas/gate-metrics.contract.json` (the same file the Java gate tests against).
 */
import { readFileSync } from 'node:fs';
import { schemaPath } from '../spec/paths.js';
import type { FlinkRestClient } from './client.js';
import type { FlinkRestError } from './errors.js';
import type { JobDetails, JobVertex, MetricValue } from './types.js';
import { NO_WATERMARK } from './types.js';

/** The decision gauges every gate subtask registers. */
export const GATE_DECISION_METRICS = [
  'preparedGeneration',
  'maxTimestampAtPrepare',
  'gateWatermark',
] as const;
export type GateDecisionMetric = (typeof GATE_DECISION_METRICS)[number];

/** The parts of the contract file the controller reads. */
export interface GateMetricsContract {
  operatorName: string;
  operatorNamePattern: string;
  metricGroup: string;
  metricIdTemplate: string;
  noValue: string;
  decisionMetrics: Record<GateDecisionMetric, string>;
}

let cached: GateMetricsContract | undefined;

/** `schemas/gate-metrics.contract.json`, read once. */
export function gateMetricsContract(): GateMetricsContract {
  cached ??= JSON.parse(
    readFileSync(schemaPath('gate-metrics.contract.json'), 'utf8'),
  ) as GateMetricsContract;
  return cached;
}

/**
 * The name of the gate operator a vertex carries, or undefined. Flink names a chained vertex by
 * its operators joined with ` -> ` (e.g. `flink-cutover-gate -> Sink: out`), so each part is tested.
 */
export function gateOperatorOf(vertexName: string, contract = gateMetricsContract()): string | undefined {
  const re = new RegExp(contract.operatorNamePattern);
  return vertexName
    .split(' -> ')
    .map((s) => s.trim())
    .find((s) => re.test(s));
}

/** `<subtask>.<operator>.<group>.<metric>`, per the contract's template. */
export function gateMetricId(
  subtask: number,
  operator: string,
  metric: GateDecisionMetric,
  contract = gateMetricsContract(),
): string {
  return contract.metricIdTemplate
    .replace('{subtask}', String(subtask))
    .replace('{operator}', operator)
    .replace('{group}', contract.metricGroup)
    .replace('{metric}', metric);
}

/** One gate subtask's decision metrics (null = Long.MIN_VALUE / not reported as a value). */
export interface GateSubtaskMetrics {
  subtask: number;
  preparedGeneration: number;
  maxTimestampAtPrepare: number | null;
  gateWatermark: number | null;
}

/** One gate vertex of a job. */
export interface ObservedGate {
  vertexId: string;
  operator: string;
  parallelism: number;
  /** Subtasks that reported all three metrics, by subtask index. */
  subtasks: GateSubtaskMetrics[];
  /** Subtask indexes missing at least one metric. */
  missing: number[];
}

/** What one poll saw of a color's job. */
export interface ObservedJob {
  jobId: string;
  state: JobDetails['state'];
  gates: ObservedGate[];
  /** For a color without a gate: its job watermark covered by the last completed checkpoint. */
  committedWatermark?: number | null;
  /** REST requests this poll made. */
  requests: number;
}

function metricValue(v: string | undefined, contract: GateMetricsContract): number | null | undefined {
  if (v === undefined) return undefined;
  if (v === contract.noValue || v === NO_WATERMARK) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** Reads the metrics answer of one gate vertex (pure). */
export function gateFromMetrics(
  vertex: JobVertex,
  operator: string,
  metrics: readonly MetricValue[],
  contract = gateMetricsContract(),
): ObservedGate {
  const byId = new Map(metrics.map((m) => [m.id, m.value]));
  const subtasks: GateSubtaskMetrics[] = [];
  const missing: number[] = [];
  for (let i = 0; i < vertex.parallelism; i++) {
    const [g, m, w] = GATE_DECISION_METRICS.map((name) =>
      metricValue(byId.get(gateMetricId(i, operator, name, contract)), contract),
    );
    if (g === undefined || g === null || m === undefined || w === undefined) missing.push(i);
    else subtasks.push({ subtask: i, preparedGeneration: g, maxTimestampAtPrepare: m, gateWatermark: w });
  }
  return { vertexId: vertex.id, operator, parallelism: vertex.parallelism, subtasks, missing };
}

/** Vertices no other vertex reads from (the job's last vertices; all of them without a plan). */
function sinkVertices(d: JobDetails): JobVertex[] {
  const nodes = d.plan?.nodes;
  if (!nodes || nodes.length === 0) return d.vertices.slice(-1);
  const inputs = new Set(nodes.flatMap((n) => (n.inputs ?? []).map((i) => i.id)));
  const sinks = d.vertices.filter((v) => !inputs.has(v.id));
  return sinks.length > 0 ? sinks : d.vertices.slice(-1);
}

/** Memory an ungated color's observer keeps between polls (watermarks seen, by wall time). */
export interface CommittedWatermarkMemory {
  jobId?: string;
  /** [seenAt (JobManager clock, ms), min watermark] samples, oldest first. */
  samples: [number, number][];
  covered: number | null;
}

/**
 * Observes a color's job: rediscovers the running job (`/jobs/overview`), reads its vertices
 * (`/jobs/:jid`) and, per gate vertex, all its subtasks' decision metrics in one request
 * (`/jobs/:jid/vertices/:vid/metrics?get=...`): 2 + (gate vertices) requests. With `gate: false`,
 * the sink vertices' watermarks and the checkpoint statistics instead: the job watermark seen
 * before the last completed checkpoint was triggered is what that checkpoint covers.
 */
export async function observeGates(
  client: FlinkRestClient,
  gate: boolean,
  memory?: CommittedWatermarkMemory,
  contract = gateMetricsContract(),
): Promise<ObservedJob> {
  let requests = 1;
  const job = await client.currentJob();
  requests++;
  const details = await client.jobDetails(job.jid);
  const out: ObservedJob = { jobId: job.jid, state: details.state, gates: [], requests };
  if (details.state !== 'RUNNING') return out;
  if (gate) {
    const found = details.vertices.flatMap((v) => {
      const op = gateOperatorOf(v.name, contract);
      return op ? [{ v, op }] : [];
    });
    out.gates = await Promise.all(
      found.map(async ({ v, op }) => {
        const ids = Array.from({ length: v.parallelism }, (_, i) =>
          GATE_DECISION_METRICS.map((m) => gateMetricId(i, op, m, contract)),
        ).flat();
        const metrics = await client.vertexMetrics(job.jid, v.id, ids);
        return gateFromMetrics(v, op, metrics, contract);
      }),
    );
    out.requests += found.length;
    return out;
  }
  const mem = memory ?? { samples: [], covered: null };
  if (mem.jobId !== job.jid) {
    mem.jobId = job.jid;
    mem.samples = [];
    mem.covered = null;
  }
  const seenAt = details.now ?? Date.now();
  const sinks = sinkVertices(details);
  const [wms, cps] = await Promise.all([
    Promise.all(sinks.map((v) => client.vertexWatermarks(job.jid, v.id))),
    client.checkpoints(job.jid),
  ]);
  out.requests += sinks.length + 1;
  const values = wms.flat().map((m) => metricValue(m.value, contract));
  if (values.length > 0 && values.every((x) => typeof x === 'number'))
    mem.samples.push([seenAt, Math.min(...(values as number[]))]);
  const trigger = cps.latest?.completed?.trigger_timestamp;
  if (trigger !== undefined) {
    const covered = mem.samples.filter(([t]) => t < trigger);
    if (covered.length > 0) mem.covered = Math.max(mem.covered ?? -Infinity, ...covered.map(([, w]) => w));
    // Keep the newest covered sample (its watermark holds) and everything after it.
    mem.samples = mem.samples.filter(([t]) => t >= trigger);
  }
  if (mem.samples.length > 64) mem.samples.splice(0, mem.samples.length - 64);
  out.committedWatermark = mem.covered;
  return out;
}

/** A color's observation, or why there is none (as data). */
export type ColorObservation =
  { ok: true; job: ObservedJob } | { ok: false; error: FlinkRestError | Error; requests: number };

/** observeGates with its failure as data (counts the requests the failed poll made as at least 1). */
export async function observeColor(
  client: FlinkRestClient,
  gate: boolean,
  memory?: CommittedWatermarkMemory,
): Promise<ColorObservation> {
  try {
    return { ok: true, job: await observeGates(client, gate, memory) };
  } catch (err) {
    return { ok: false, error: err as Error, requests: 1 };
  }
}
