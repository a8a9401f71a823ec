/**
 * Types of the BlueGreenPipeline spec (`schemas/pipeline.schema.json` is the source of truth for
 * validation; these types mirror it after defaults are applied).
 */

export const API_VERSION = 'flink-cutover.dev/v1alpha1';
export const KIND = 'BlueGreenPipeline';
export const COLORS = ['blue', 'green'] as const;
export type Color = (typeof COLORS)[number];

export function otherColor(c: Color): Color {
  return c === 'blue' ? 'green' : 'blue';
}

/** A JSON value (what YAML parses into for our purposes). */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** The FlinkDeployment `spec.job` block. */
export interface FlinkJobSpec {
  jarURI?: string;
  entryClass?: string;
  args?: string[];
  parallelism?: number;
  upgradeMode?: 'stateless' | 'savepoint' | 'last-state';
  state?: 'running' | 'suspended';
  initialSavepointPath?: string;
  allowNonRestoredState?: boolean;
  savepointTriggerNonce?: number;
  checkpointTriggerNonce?: number;
  savepointRedeployNonce?: number;
  autoscalerResetNonce?: number;
}

/** The FlinkDeployment spec (operator CRD `flink.apache.org/v1beta1`), as far as we read it. */
export interface FlinkDeploymentSpec {
  image?: string;
  imagePullPolicy?: string;
  flinkVersion?: string;
  serviceAccount?: string;
  flinkConfiguration?: JsonObject;
  logConfiguration?: Record<string, string>;
  podTemplate?: JsonObject;
  jobManager?: JsonObject;
  taskManager?: JsonObject;
  job?: FlinkJobSpec;
  ingress?: JsonObject;
  mode?: 'native' | 'standalone';
  restartNonce?: number;
}

/** One color's entry: template overrides plus the color-only fields. */
export interface ColorSpec extends FlinkDeploymentSpec {
  initialSavepointPath?: string;
  deploymentName?: string;
  /** The JobManager REST URL, when not the operator's `<deployment>-rest` Service. */
  restUrl?: string;
  gate?: boolean;
}

export interface CutoverSpec {
  generation: number;
  to: Color;
  /** ISO-8601 date-time. */
  watermark: string;
}

export type GateMode = 'filter' | 'tag';

export interface GateSpec {
  mode: GateMode;
  /** Duration string, e.g. `5m`. */
  lateness: string;
}

export interface PrometheusCheck {
  name: string;
  url?: string;
  query: string;
  min?: number;
  max?: number;
}

export interface HttpCheck {
  name: string;
  url: string;
  expectStatus: number;
  jsonPath?: string;
  equals?: string | number | boolean;
}

export interface ValidationSpec {
  minRunning: string;
  minCompletedCheckpoints: number;
  maxWatermarkLag: string;
  maxRestarts: number;
  prometheus: PrometheusCheck[];
  http: HttpCheck[];
  approval: boolean;
}

export interface PolicySpec {
  minLeadTime: string;
  teardownDelay: string;
  allowParallelismChange: boolean;
  /** `warn` (default): pod-security findings are warnings; `enforce`: errors. */
  podSecurity?: 'warn' | 'enforce';
}

export type SourceKind =
  | 'kafka'
  | 'kinesis'
  | 'pulsar'
  | 'filesystem'
  | 'jdbc'
  | 'datagen'
  | 'rabbitmq'
  | 'sqs'
  | 'jms'
  | 'pubsub'
  | 'other';

export interface SourceSpec {
  name: string;
  kind: SourceKind;
  topics?: string[];
  consumerGroup?: string;
  properties?: Record<string, string | number | boolean>;
}

export interface SinkSpec {
  name: string;
  kind: string;
  topic?: string;
  deliveryGuarantee?: 'exactly-once' | 'at-least-once' | 'none';
  transactionalIdPrefix?: string;
  properties?: Record<string, string | number | boolean>;
}

export interface PipelineMetadata {
  name: string;
  /** Required: the namespace of every rendered object (and of the reader RoleBinding's subjects). */
  namespace: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** The pipeline spec after defaults are applied. */
export interface PipelineSpecBody {
  active: Color;
  colors: Partial<Record<Color, ColorSpec>>;
  cutover?: CutoverSpec;
  template: FlinkDeploymentSpec;
  gate: GateSpec;
  validation: ValidationSpec;
  policy: PolicySpec;
  sources: SourceSpec[];
  sinks: SinkSpec[];
}

export interface Pipeline {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  metadata: PipelineMetadata;
  spec: PipelineSpecBody;
}

/** A Prometheus check as written (no defaults apply to it). */
export type PrometheusCheckInput = PrometheusCheck;

/** An HTTP check as written: `expectStatus` defaults to 200. */
export type HttpCheckInput = Omit<HttpCheck, 'expectStatus'> & { expectStatus?: number };

/** `spec.validation` as written: every field has a default. */
export interface ValidationSpecInput {
  minRunning?: string;
  minCompletedCheckpoints?: number;
  maxWatermarkLag?: string;
  maxRestarts?: number;
  prometheus?: PrometheusCheckInput[];
  http?: HttpCheckInput[];
  approval?: boolean;
}

/** The pipeline spec as written, before defaults: only `active`, `colors` and `template` are required. */
export interface PipelineSpecInput {
  active: Color;
  colors: Partial<Record<Color, ColorSpec>>;
  cutover?: CutoverSpec;
  template: FlinkDeploymentSpec;
  gate?: Partial<GateSpec>;
  validation?: ValidationSpecInput;
  policy?: Partial<PolicySpec>;
  sources?: SourceSpec[];
  sinks?: SinkSpec[];
}

/**
 * A BlueGreenPipeline as written in YAML or in code, before defaults are applied: what
 * `validatePipelineObject` and the `FlinkBlueGreenPipeline` construct take. `Pipeline` is the shape
 * after validation (every default filled in).
 */
export interface PipelineInput {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  metadata: PipelineMetadata;
  spec: PipelineSpecInput;
}

/** Lifecycle state derived from a spec (README "Promoting a pipeline"). */
export type LifecycleState = 'Steady' | 'Staged' | 'Cutover';
