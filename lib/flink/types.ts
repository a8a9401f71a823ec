/**
 * Shapes of the Flink JobManager REST responses this product reads, after the OpenAPI spec
 * `rest_v1_dispatcher.yml` (Flink 1.19), except where the wire format differs from it: metric
 * responses are bare arrays (see `MetricValue`, `AggregatedMetric`).
 */

/** `JobStatus` of the OpenAPI spec. */
export type JobStatus =
  | 'INITIALIZING'
  | 'CREATED'
  | 'RUNNING'
  | 'FAILING'
  | 'FAILED'
  | 'CANCELLING'
  | 'CANCELED'
  | 'FINISHED'
  | 'RESTARTING'
  | 'SUSPENDED'
  | 'RECONCILING';

export const TERMINAL_JOB_STATES: readonly JobStatus[] = ['FAILED', 'CANCELED', 'FINISHED', 'SUSPENDED'];

/** One entry of `GET /jobs/overview` (`JobDetails`). */
export interface JobOverview {
  jid: string;
  name: string;
  state: JobStatus;
  'start-time': number;
  'end-time'?: number;
  duration?: number;
  'last-modification'?: number;
  tasks?: Record<string, number>;
}

/** One vertex of `GET /jobs/{id}` (`JobDetailsVertexInfo`). */
export interface JobVertex {
  id: string;
  name: string;
  parallelism: number;
  maxParallelism?: number;
  status?: string;
  'start-time'?: number;
}

/** A node of the job plan (`plan.nodes[]`, RawJson in the spec). */
export interface PlanNode {
  id: string;
  parallelism?: number;
  description?: string;
  operator?: string;
  inputs?: { id: string; num?: number; ship_strategy?: string; exchange?: string }[];
}

/** `GET /jobs/{id}` (`JobDetailsInfo`). */
export interface JobDetails {
  jid: string;
  name: string;
  state: JobStatus;
  'start-time': number;
  now?: number;
  duration?: number;
  /** Last transition time per state, e.g. `timestamps.RUNNING`. */
  timestamps?: Partial<Record<JobStatus, number>>;
  vertices: JobVertex[];
  plan?: { jid?: string; name?: string; nodes?: PlanNode[] };
}

/** A completed checkpoint in `latest.completed` (`CompletedCheckpointStatistics`). */
export interface CompletedCheckpoint {
  id: number;
  status?: string;
  trigger_timestamp?: number;
  latest_ack_timestamp?: number;
  external_path?: string;
  is_savepoint?: boolean;
}

/** A failed checkpoint in `latest.failed` (`FailedCheckpointStatistics`). */
export interface FailedCheckpoint {
  id: number;
  trigger_timestamp?: number;
  failure_timestamp?: number;
  failure_message?: string;
}

/** `GET /jobs/{id}/checkpoints` (`CheckpointingStatistics`). */
export interface CheckpointStats {
  counts: { completed: number; failed: number; in_progress?: number; restored?: number; total?: number };
  latest?: {
    completed?: CompletedCheckpoint;
    failed?: FailedCheckpoint;
    savepoint?: CompletedCheckpoint;
    restored?: { id?: number; external_path?: string; restore_timestamp?: number };
  };
}

/** One entry of a metric response (`[{"id":"numRestarts","value":"0"}]` on the wire). */
export interface MetricValue {
  id: string;
  value: string;
}

/** One entry of an aggregated metric response (`[{"id":"x","min":1,"max":2}]` on the wire). */
export interface AggregatedMetric {
  id: string;
  min?: number;
  max?: number;
  avg?: number;
  sum?: number;
  skew?: number;
}

export type Aggregation = 'min' | 'max' | 'avg' | 'sum' | 'skew';

/** `GET /jobs/{id}/exceptions` (`JobExceptionsInfoWithHistory`), the parts we read. */
export interface JobExceptions {
  'root-exception'?: string;
  timestamp?: number;
  exceptionHistory?: {
    entries: { exceptionName?: string; timestamp?: number; stacktrace?: string; taskName?: string }[];
    truncated?: boolean;
  };
}

/** Long.MIN_VALUE as Flink prints it: no watermark yet. */
export const NO_WATERMARK = '-9223372036854775808';
