import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { deploymentName, effectiveSpec, hasGate } from '../spec/effective.js';
import type { Color, FlinkDeploymentSpec, Json, JsonObject, Pipeline } from '../spec/types.js';
import {
  cutoverConfigMapName,
  pipelineAnnotations,
  pipelineLabels,
  statusConfigMapName,
  WAVE_JOBS,
} from './labels.js';

/** The operator's name for the container that runs Flink in job and task manager pods. */
export const MAIN_CONTAINER = 'flink-main-container';

export interface FlinkColorDeploymentProps {
  /** The validated pipeline (defaults applied). */
  readonly pipeline: Pipeline;
  /** The color this deployment runs. */
  readonly color: Color;
  /**
   * Inject the flink-cutover environment (pipeline, color, ConfigMap names) into the main
   * container. Never done for a color with `gate: false` (an adopted job must keep its exact spec).
   * @default true unless the color sets `gate: false`
   */
  readonly injectEnv?: boolean;
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * One color's `FlinkDeployment` (`flink.apache.org/v1beta1`): the effective spec of the color,
 * named `<pipeline>-<color>` (or the color's `deploymentName`), labelled, in sync wave 0.
 */
export class FlinkColorDeployment extends Construct {
  /** The FlinkDeployment's name. */
  public readonly name: string;
  /** The color it runs. */
  public readonly color: Color;
  /** The effective spec before injection (what policy rules compare). */
  public readonly spec: FlinkDeploymentSpec;
  /** The underlying API object. */
  public readonly apiObject: ApiObject;
  private readonly env: { name: string; value: string }[] = [];
  private readonly inject: boolean;

  constructor(scope: Construct, id: string, props: FlinkColorDeploymentProps) {
    super(scope, id);
    const p = props.pipeline;
    this.color = props.color;
    this.name = deploymentName(p, props.color);
    this.spec = effectiveSpec(p, props.color);
    this.inject = (props.injectEnv ?? true) && hasGate(p, props.color);
    if (this.inject) {
      this.addEnv('FLINK_CUTOVER_PIPELINE', p.metadata.name);
      this.addEnv('FLINK_CUTOVER_COLOR', props.color);
      this.addEnv('FLINK_CUTOVER_CONFIGMAP', cutoverConfigMapName(p));
      this.addEnv('FLINK_CUTOVER_STATUS_CONFIGMAP', statusConfigMapName(p));
    }
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: 'flink.apache.org/v1beta1',
      kind: 'FlinkDeployment',
      metadata: {
        name: this.name,
        ...(p.metadata.namespace ? { namespace: p.metadata.namespace } : {}),
        labels: pipelineLabels(p, 'flink-job', props.color),
        annotations: pipelineAnnotations(p, WAVE_JOBS),
      },
      spec: Lazy.any({ produce: () => this.renderSpec() }),
    });
  }

  /**
   * Adds an environment variable to the main container of job and task managers.
   * Refused for a `gate: false` color, whose spec must stay exactly as adopted.
   */
  public addEnv(name: string, value: string): void {
    if (!this.inject)
      throw new Error(
        `${this.name}: cannot add env ${name}: color ${this.color} is adopted (gate: false) and its spec is kept as is`,
      );
    const existing = this.env.find((e) => e.name === name);
    if (existing) existing.value = value;
    else this.env.push({ name, value });
  }

  private renderSpec(): JsonObject {
    const spec = JSON.parse(JSON.stringify(this.spec)) as JsonObject;
    if (this.env.length === 0) return spec;
    const podTemplate = isObject(spec.podTemplate) ? spec.podTemplate : {};
    const podSpec = isObject(podTemplate.spec) ? podTemplate.spec : {};
    const containers = Array.isArray(podSpec.containers) ? (podSpec.containers as Json[]) : [];
    let main = containers.find((c) => isObject(c) && c.name === MAIN_CONTAINER) as JsonObject | undefined;
    if (!main) {
      main = { name: MAIN_CONTAINER };
      containers.unshift(main);
    }
    const env = Array.isArray(main.env) ? (main.env as JsonObject[]) : [];
    for (const e of this.env) {
      const i = env.findIndex((x) => x.name === e.name);
      if (i >= 0) env[i] = { name: e.name, value: e.value };
      else env.push({ name: e.name, value: e.value });
    }
    main.env = env;
    podSpec.containers = containers;
    podTemplate.spec = podSpec;
    spec.podTemplate = podTemplate;
    return spec;
  }
}
