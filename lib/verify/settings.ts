import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parseDuration } from '../spec/duration.js';
import { colorsOf, restUrl, substitute } from '../spec/effective.js';
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
    ...(compareWith ? { activeColor: compareWith, activeRestUrl: o.activeRestUrl ?? restUrl(p, compareWith) } : {}),
    restUrl: o.restUrl ?? (p.spec.colors[color] ? restUrl(p, color) : ''),
    ...(generation !== undefined ? { generation } : {}),
    validation: substitute(p.spec.validation, { color, pipeline: p.metadata.name }) as ValidationSpec,
    ...(o.prometheusUrl ? { prometheusUrl: o.prometheusUrl } : {}),
  };
}

/** JSON Schema of `--validation-json` (VerifySettings); validation reuses the pipeline schema's block. */
function settingsSchema(): object {
  const pipelineSchema = JSON.parse(readFileSync(schemaPath('pipeline.schema.json'), 'utf8')) as { $defs?: object; properties: { spec: { properties: { validation: object } } } };
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
    const problems = (compiled.errors ?? []).map((e) => `${e.instancePath || '(top)'} ${e.message ?? ''}${e.params && 'additionalProperty' in e.params ? ` "${String(e.params.additionalProperty)}"` : ''}`);
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

/** The default `--timeout`: long enough for the soak, `minRunning` + 10m. */
export function defaultTimeoutMs(settings: VerifySettings): number {
  return parseDuration(settings.validation.minRunning) + 600_000;
}
