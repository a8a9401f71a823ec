import type { RestFailure } from '../flink/errors.js';
import type { JobStatus } from '../flink/types.js';
import type { Color, ValidationSpec } from '../spec/types.js';

/**
 * Everything `verify` needs, serializable: what the verify Job receives as `--validation-json`
 * (so it never needs a file that exists only in git), and what `--spec` is turned into.
 */
export interface VerifySettings {
  readonly pipeline: string;
  readonly namespace?: string;
  /** The color being verified (the standby). */
  readonly color: Color;
  /** The color to compare watermarks with (the active one), when another color runs. */
  readonly activeColor?: Color;
  /** The color's JobManager REST URL. */
  readonly restUrl: string;
  /** The active color's JobManager REST URL. */
  readonly activeRestUrl?: string;
  /** The cutover generation an approval must name; absent while only staged. */
  readonly generation?: number;
  /** `spec.validation` with `{{color}}`/`{{pipeline}}` substituted for the verified color. */
  readonly validation: ValidationSpec;
  /** Prometheus base URL for queries that name none. */
  readonly prometheusUrl?: string;
}

/** A value read from somewhere, or why it could not be read. */
export type Observed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: RestFailure };

/** What one poll saw of a color's job. */
export interface JobObservation {
  readonly jid: string;
  readonly state: JobStatus;
  readonly startTime: number;
  /** Last transition to RUNNING (`timestamps.RUNNING`, else the start time). */
  readonly runningSince: number;
  /**
   * Vertices not (yet) RUNNING while the job is, as `<name> <status>` (e.g. tasks still
   * INITIALIZING while they restore state): the job is not really running until they are.
   */
  readonly pendingVertices?: readonly string[];
  /** The newest entry of the job's exception history (`exceptionName`), read when it restarted. */
  readonly lastException?: string;
  /** `numRestarts` of the job. */
  readonly restarts: number;
  readonly completedCheckpoints: number;
  /** The newest checkpoint attempt failed (after the newest completed one). */
  readonly failingCheckpoint?: { readonly id: number; readonly at: number; readonly message?: string };
  /** Min over non-source vertices of the min subtask input watermark; null when any has none yet. */
  readonly watermark: number | null;
  /** The vertex holding the job's watermark back (its name), for messages. */
  readonly slowestVertex?: string;
  /**
   * Every vertex is a source (one fully chained vertex, say): sources report no input
   * watermark, so the job's watermark can never be read over REST.
   */
  readonly onlySources?: boolean;
}

export interface PrometheusObservation {
  /** One value per series of the instant vector (or the scalar). */
  readonly values: readonly number[];
}

export interface HttpObservation {
  readonly status: number;
  /** The value at `jsonPath`, when the check names one (undefined when absent or not JSON). */
  readonly field?: unknown;
  readonly fieldFound?: boolean;
}

export interface ApprovalObservation {
  /** Where the approval was read (file or ConfigMap name). */
  readonly source: string;
  /** Approved generation from the cutover ConfigMap annotation or the status ConfigMap key, if any. */
  readonly approvedGeneration?: number;
  readonly from?: 'annotation' | 'status';
}

/** Everything one poll saw. */
export interface Observation {
  /** Wall clock of the poll (epoch millis). */
  readonly now: number;
  readonly job: Observed<JobObservation>;
  readonly active?: Observed<JobObservation>;
  readonly prometheus: Readonly<Record<string, Observed<PrometheusObservation>>>;
  readonly http: Readonly<Record<string, Observed<HttpObservation>>>;
  /** Absent when `validation.approval` is false or no generation is to be approved. */
  readonly approval?: Observed<ApprovalObservation> | { readonly ok: false; readonly missingSource: string };
}

/** One check's verdict: the JSON output's `checks[]` entry. */
export interface CheckResult {
  readonly name: string;
  readonly passed: boolean;
  readonly observed: string | null;
  readonly expected: string;
  readonly message: string;
  /** Polling again cannot change a failure (e.g. too many restarts, a wrong response shape). */
  readonly final?: boolean;
}

/** Soak bookkeeping carried from poll to poll. */
export interface SoakState {
  /** Job id seen at the previous poll. */
  readonly jid?: string;
  /** numRestarts seen at the previous poll. */
  readonly restarts?: number;
  /** Restarts of earlier job ids seen during this verification (a new job id counts as one more). */
  readonly carriedRestarts: number;
  /** Soak start: the latest RUNNING transition, or the poll at which a restart was noticed. */
  readonly since?: number;
  /** How many times the soak started over during this verification. */
  readonly resets: number;
}

export interface VerifyResult {
  readonly passed: boolean;
  readonly checks: readonly CheckResult[];
}
