import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { DiagnosticError } from '../spec/diagnostics.js';
import { colorsOf, lifecycleState, standbyColor } from '../spec/effective.js';
import { validatePipelineObject } from '../spec/load.js';
import type { Color, Pipeline } from '../spec/types.js';
import { CutoverConfigMap } from './cutover-configmap.js';
import { CutoverRbac } from './cutover-rbac.js';
import { FlinkColorDeployment } from './flink-deployment.js';
import { VerifyJob } from './verify-job.js';
import type { VerifyJobProps } from './verify-job.js';

export interface FlinkBlueGreenPipelineProps {
  /**
   * The BlueGreenPipeline, as loaded from YAML or written in code. It is validated against
   * `schemas/pipeline.schema.json` and defaults are applied; an invalid spec throws a
   * DiagnosticError naming each problem.
   */
  readonly spec: unknown;
  /**
   * File the spec came from, for error messages.
   * @default "<construct id>"
   */
  readonly file?: string;
  /**
   * JobManager REST URLs per color for the cutover ConfigMap.
   * @default the operator's REST service of each color
   */
  readonly restUrls?: Partial<Record<Color, string>>;
  /**
   * The standby color's validation gate Job: options, or `false` for none.
   * @default a `VerifyJob` while a standby color exists (PostSync while staged, PreSync with a cutover)
   */
  readonly verify?:
    | false
    | Pick<
        VerifyJobProps,
        'image' | 'prometheusUrl' | 'timeout' | 'interval' | 'resources' | 'backoffLimit' | 'keepFinishedFor'
      >;
}

/**
 * A Flink job deployed blue/green: one `FlinkDeployment` per color, the `<name>-cutover`
 * ConfigMap carrying the desired handover, and least-privilege RBAC for the jobs' gates.
 *
 * ```ts
 * new FlinkBlueGreenPipeline(chart, 'orders', { spec });
 * ```
 */
export class FlinkBlueGreenPipeline extends Construct {
  /** The validated pipeline with defaults applied. */
  public readonly pipeline: Pipeline;
  /** The FlinkDeployment of each running color. */
  public readonly deployments: Partial<Record<Color, FlinkColorDeployment>> = {};
  public readonly cutoverConfigMap: CutoverConfigMap;
  public readonly rbac: CutoverRbac;
  /** The standby color's validation gate, while one exists. */
  public readonly verifyJob?: VerifyJob;

  constructor(scope: Construct, id: string, props: FlinkBlueGreenPipelineProps) {
    super(scope, id);
    const { pipeline, diagnostics } = validatePipelineObject(props.spec, props.file ?? `<${id}>`);
    if (!pipeline || diagnostics.length > 0) throw new DiagnosticError(diagnostics);
    this.pipeline = pipeline;

    this.cutoverConfigMap = new CutoverConfigMap(this, 'Cutover', { pipeline, restUrls: props.restUrls });
    this.rbac = new CutoverRbac(this, 'Rbac', { pipeline });
    for (const color of colorsOf(pipeline)) {
      this.deployments[color] = new FlinkColorDeployment(this, color === 'blue' ? 'Blue' : 'Green', {
        pipeline,
        color,
      });
    }

    const standby = standbyColor(pipeline);
    if (standby && props.verify !== false) {
      this.verifyJob = new VerifyJob(this, 'Verify', {
        ...(props.verify ?? {}),
        pipeline,
        standby,
        hook: pipeline.spec.cutover ? 'PreSync' : 'PostSync',
        restUrls: props.restUrls,
      });
    }

    this.node.addValidation({ validate: () => this.validateComposition() });
  }

  /** Lifecycle state of the pipeline (Steady, Staged, Cutover). */
  public get state() {
    return lifecycleState(this.pipeline);
  }

  /** The color that is not active, when two run. */
  public get standby(): Color | undefined {
    return standbyColor(this.pipeline);
  }

  /** Cross-construct checks, run at synth. */
  private validateComposition(): string[] {
    const errors: string[] = [];
    const p = this.pipeline;
    if (!this.deployments[p.spec.active]) errors.push(`active color ${p.spec.active} has no FlinkDeployment`);
    const cut = p.spec.cutover;
    if (cut && !this.deployments[cut.to])
      errors.push(`cutover #${cut.generation} targets ${cut.to}, which has no FlinkDeployment`);
    if (this.verifyJob && cut && this.verifyJob.name !== `${p.metadata.name}-${cut.to}-verify`)
      errors.push(`the verify Job checks ${this.verifyJob.name}, not the cutover target ${cut.to}`);
    const data = this.cutoverConfigMap.data;
    for (const color of colorsOf(p)) {
      if (!data[`${color}.restUrl`]) errors.push(`the cutover ConfigMap has no ${color}.restUrl`);
    }
    // Every object of a pipeline must have a distinct kind/name within its namespace.
    const names = new Map<string, string>();
    for (const child of this.node.findAll()) {
      if (!ApiObject.isApiObject(child)) continue;
      const key = `${child.kind}/${child.name}`;
      if (names.has(key)) errors.push(`${key} is rendered twice (${names.get(key)} and ${child.node.path})`);
      names.set(key, child.node.path);
    }
    return errors;
  }
}
