import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { parseDuration } from '../spec/duration.js';
import { colorsOf, cutoverWatermarkMillis, hasGate, restUrl } from '../spec/effective.js';
import type { Color, Pipeline } from '../spec/types.js';
import {
  cutoverConfigMapName,
  LABEL_ROLE,
  pipelineAnnotations,
  pipelineLabels,
  WAVE_CONTRACT,
} from './labels.js';

export interface CutoverConfigMapProps {
  /** The validated pipeline (defaults applied). */
  readonly pipeline: Pipeline;
  /**
   * JobManager REST URL per color, when not the operator's service `<deployment>-rest`.
   * @default `http://<deployment>-rest[.<namespace>]:<rest.port or 8081>`
   */
  readonly restUrls?: Partial<Record<Color, string>>;
}

/**
 * The `<name>-cutover` ConfigMap: the desired handover every gate and the controller read
 * (README "The handover"). All values are strings; `generation` is `0` when there is no
 * cutover, and `to`/`watermark` (epoch millis) are present only with one. Sync wave -1. Labelled
 * `flink-cutover.dev/role: desired`, which the controller selects it by.
 */
export class CutoverConfigMap extends Construct {
  /** The ConfigMap's name. */
  public readonly name: string;
  /** The underlying cdk8s-plus ConfigMap (an RBAC resource). */
  public readonly configMap: kplus.ConfigMap;

  constructor(scope: Construct, id: string, props: CutoverConfigMapProps) {
    super(scope, id);
    const p = props.pipeline;
    this.name = cutoverConfigMapName(p);
    const data: Record<string, string> = {
      pipeline: p.metadata.name,
      active: p.spec.active,
      generation: String(p.spec.cutover?.generation ?? 0),
      lateness: String(parseDuration(p.spec.gate.lateness)),
      gateMode: p.spec.gate.mode,
    };
    if (p.spec.cutover) {
      data.to = p.spec.cutover.to;
      data.watermark = String(cutoverWatermarkMillis(p));
    }
    for (const c of colorsOf(p)) {
      data[`${c}.restUrl`] = props.restUrls?.[c] ?? restUrl(p, c);
      data[`${c}.gate`] = String(hasGate(p, c));
    }
    this.configMap = new kplus.ConfigMap(this, 'Resource', {
      metadata: {
        name: this.name,
        ...(p.metadata.namespace ? { namespace: p.metadata.namespace } : {}),
        labels: { ...pipelineLabels(p, 'cutover'), [LABEL_ROLE]: 'desired' },
        annotations: pipelineAnnotations(p, WAVE_CONTRACT),
      },
    });
    // cdk8s-plus renders data lazily, so keys added later (addData) still land in the output.
    for (const [k, v] of Object.entries(data)) this.configMap.addData(k, v);
  }

  /** Adds or replaces a key of the ConfigMap's data. */
  public addData(key: string, value: string): void {
    this.configMap.addData(key, value);
  }

  /** The data as rendered. */
  public get data(): Readonly<Record<string, string>> {
    return this.configMap.data;
  }
}
