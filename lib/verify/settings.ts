import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parseDuration } from '../spec/duration.js';
import {
  colorsOf,
  effectiveSpec,
  flattenFlinkConfiguration,
  restUrl,
  substitute,
} from '../spec/effective.js';
import { schemaPath } from '../spec/paths.js';
import type { Color, Pipeline, ValidationSpec } from '../spec/types.js';
import { COLORS } from '../spec/types.js';
import type { VerifySettings } from './types.js';

export interface SettingsOverrides {
  readonly restUrl?: string;
  readonly activeRestUrl?: string;
  readonly prometheusUrl?: string;
  readonly generation?: number;
}

/**
 * The settings to verify `color` of a pipeline (pure): its validation block with
 * `{{color}}`/`{{pipeline}}` substituted, the REST URLs (flags win over the operator's REST
 * services), the active color to compare with, and the cutover generation an approval must name.
 */
export function settingsFromPipeline(p: Pipeline, color: Color, o: SettingsOverrides = {}): VerifySettings {
  const active = p.spec.active;
  const compareWith = active !== color && colorsOf(p).includes(active) ? active : undefined;
  const generation = o.generation ?? p.spec.cutover?.generation;
  return {
    pipeline: p.metadata.name,
    ...(p.metadata.namespace ? { namespace: p.metadata.namespace } : {}),
    color,
    ...(compareWith
      ? { activeColor: compareWith, activeRestUrl: o.activeRestUrl ?? restUrl(p, compareWith) }
      : {}),
    restUrl: o.restUrl ?? (p.spec.colors[color] ? restUrl(p, color) : ''),
    ...(generation !== undefined ? { generation } : {}),
    validation: substitute(p.spec.validation, { color, pipeline: p.metadata.name }) as ValidationSpec,
    ...(o.prometheusUrl ? { prometheusUrl: o.prometheusUrl } : {}),
  };
}

/** JSON Schema of `--validation-json` (VerifySettings); validation reuses the pipeline schema's block. */
function settingsSchema(): object {
  const pipelineSchema = JSON.parse(readFileSync(schemaPath('pipeline.schema.json'), 'utf8')) as {
    $defs?: object;
    properties: { spec: { properties: { validation: object } } };
  };
  const color = { type: 'string', enum: [...COLORS] };
  return {
    ...(pipelineSchema.$defs ? { $defs: pipelineSchema.$defs } : {}),
    type: 'object',
    additionalProperties: false,
    required: ['pipeline', 'color', 'restUrl', 'validation'],
    properties: {
      pipeline: { type: 'string', minLength: 1 },
      namespace: { type: 'string' },
      color,
      activeColor: color,
      restUrl: { type: 'string', minLength: 1 },
      activeRestUrl: { type: 'string', minLength: 1 },
      generation: { type: 'integer', minimum: 1 },
      prometheusUrl: { type: 'string' },
      validation: pipelineSchema.properties.spec.properties.validation,
    },
  };
}

let compiled: ReturnType<Ajv['compile']> | undefined;

/**
 * Parses `--validation-json` into settings (defaults of the validation block applied). Throws an
 * Error naming every problem (JSON pointer and message).
 */
export function parseSettingsJson(text: string): VerifySettings {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`--validation-json is not JSON: ${(err as Error).message}`);
  }
  compiled ??= new Ajv({ allErrors: true, useDefaults: true, strict: false }).compile(settingsSchema());
  if (!compiled(value)) {
    const problems = (compiled.errors ?? []).map(
      (e) =>
        `${e.instancePath || '(top)'} ${e.message ?? ''}${e.params && 'additionalProperty' in e.params ? ` "${String(e.params.additionalProperty)}"` : ''}`,
    );
    throw new Error(`--validation-json is not valid: ${problems.join('; ')}`);
  }
  const s = value as VerifySettings & { validation: Partial<ValidationSpec> };
  const validation: ValidationSpec = {
    minRunning: s.validation.minRunning ?? '10m',
    minCompletedCheckpoints: s.validation.minCompletedCheckpoints ?? 3,
    maxWatermarkLag: s.validation.maxWatermarkLag ?? '1m',
    maxRestarts: s.validation.maxRestarts ?? 0,
    prometheus: s.validation.prometheus ?? [],
    http: (s.validation.http ?? []).map((h) => ({ ...h, expectStatus: h.expectStatus ?? 200 })),
    approval: s.validation.approval ?? false,
  };
  parseDuration(validation.minRunning);
  parseDuration(validation.maxWatermarkLag);
  return { ...s, validation };
}

const FLINK_UNITS: Record<string, number> = {
  ms: 1,
  milli: 1,
  millis: 1,
  millisecond: 1,
  milliseconds: 1,
  s: 1000,
  sec: 1000,
  secs: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
};

/**
 * A color's checkpoint interval (`execution.checkpointing.interval` of its effective
 * flinkConfiguration, in Flink's duration syntax: `30s`, `1 min`, `30000` = ms), in ms;
 * undefined when unset or unreadable.
 */
export function checkpointIntervalMs(p: Pipeline, color: Color): number | undefined {
  const text = flattenFlinkConfiguration(effectiveSpec(p, color).flinkConfiguration)[
    'execution.checkpointing.interval'
  ];
  const m = text === undefined ? null : /^\s*([0-9]+)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = m[2] ? FLINK_UNITS[m[2].toLowerCase()] : 1;
  return unit === undefined ? undefined : Number(m[1]) * unit;
}

/**
 * The default `--timeout`: long enough for the soak and for the checkpoints, then 10m more:
 * max(`minRunning`, (`minCompletedCheckpoints` + 1) x the checkpoint interval) + 10m.
 */
export function defaultTimeoutMs(settings: VerifySettings, checkpointInterval?: number): number {
  const soak = parseDuration(settings.validation.minRunning);
  const checkpoints =
    checkpointInterval !== undefined
      ? (settings.validation.minCompletedCheckpoints + 1) * checkpointInterval
      : 0;
  return Math.max(soak, checkpoints) + 600_000;
}
