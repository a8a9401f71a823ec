import type {
  Color,
  ColorSpec,
  FlinkDeploymentSpec,
  Json,
  JsonObject,
  Pipeline,
  SinkSpec,
  SourceSpec,
  LifecycleState,
} from './types.js';
import { normalizeFlinkConfiguration } from './flink-configuration.js';

/** Longest Kubernetes object name; the operator names the REST service `<deployment>-rest`. */
export const MAX_NAME = 63;
const COLOR_ONLY_KEYS = new Set(['initialSavepointPath', 'deploymentName', 'restUrl', 'gate']);

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Deep-merges `override` onto `base`: objects merge key by key, everything else (arrays included)
 * is replaced; a `null` in the override removes the key. Neither input is modified.
 */
export function deepMerge(base: Json | undefined, override: Json | undefined): Json | undefined {
  if (override === undefined) return clone(base);
  if (!isObject(base) || !isObject(override)) return clone(override);
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(base)) out[k] = clone(v) as Json;
  for (const [k, v] of Object.entries(override)) {
    if (v === null) delete out[k];
    else out[k] = deepMerge(out[k], v) as Json;
  }
  return out;
}

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** Replaces `{{color}}` and `{{pipeline}}` in every string value, recursively. */
export function substitute<T>(value: T, vars: { color: string; pipeline: string }): T {
  const sub = (v: unknown): unknown => {
    if (typeof v === 'string')
      return v.includes('{{')
        ? v.replace(/\{\{\s*(color|pipeline)\s*\}\}/g, (_, k: 'color' | 'pipeline') => vars[k])
        : v;
    if (Array.isArray(v)) return v.map(sub);
    if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, sub(x)]));
    return v;
  };
  return sub(value) as T;
}

/** The colors a pipeline runs, in a stable order (blue first). */
export function colorsOf(p: Pipeline): Color[] {
  return (['blue', 'green'] as const).filter((c) => p.spec.colors[c] !== undefined);
}

/** The color that is not active, when the pipeline has two. */
export function standbyColor(p: Pipeline): Color | undefined {
  return colorsOf(p).find((c) => c !== p.spec.active);
}

/** Lifecycle state: Cutover with a cutover block, Staged with two colors, else Steady. */
export function lifecycleState(p: Pipeline): LifecycleState {
  if (p.spec.cutover) return 'Cutover';
  return colorsOf(p).length === 2 ? 'Staged' : 'Steady';
}

/** The FlinkDeployment name of a color: its `deploymentName`, or `<pipeline>-<color>`. */
export function deploymentName(p: Pipeline, color: Color): string {
  return p.spec.colors[color]?.deploymentName ?? `${p.metadata.name}-${color}`;
}

/** Whether a color runs the flink-cutover gate (false only for adopted jobs). */
export function hasGate(p: Pipeline, color: Color): boolean {
  return p.spec.colors[color]?.gate !== false;
}

/**
 * The color's effective FlinkDeployment spec: the template deep-merged with the color's overrides
 * (both flinkConfigurations first normalized to dotted keys, see normalizeFlinkConfiguration),
 * `initialSavepointPath` placed at `job.initialSavepointPath`, `{{color}}`/`{{pipeline}}`
 * substituted in every string. The result is shared and deep-frozen: copy it before changing it.
 */
export function effectiveSpec(p: Pipeline, color: Color): FlinkDeploymentSpec {
  // Pipelines are immutable once validated: computed once per pipeline object and color, and
  // shared deep-frozen (renders and policy rules read it many times; copy it before changing it).
  let perColor = effectiveCache.get(p);
  if (!perColor) effectiveCache.set(p, (perColor = {}));
  return (perColor[color] ??= deepFreeze(computeEffectiveSpec(p, color)));
}

const effectiveCache = new WeakMap<Pipeline, Partial<Record<Color, FlinkDeploymentSpec>>>();

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v as object)) deepFreeze(x);
  }
  return v;
}

/** A spec with its flinkConfiguration normalized to dotted keys (a shallow copy; the input is not changed). */
function withDottedConfiguration<T extends { flinkConfiguration?: JsonObject }>(spec: T): T {
  if (!isObject(spec.flinkConfiguration)) return spec;
  return { ...spec, flinkConfiguration: normalizeFlinkConfiguration(spec.flinkConfiguration).configuration };
}

function computeEffectiveSpec(p: Pipeline, color: Color): FlinkDeploymentSpec {
  const c: ColorSpec = withDottedConfiguration(p.spec.colors[color] ?? {});
  const overrides: JsonObject = {};
  for (const [k, v] of Object.entries(c)) if (!COLOR_ONLY_KEYS.has(k)) overrides[k] = v as Json;
  // Both flinkConfigurations in the operator's dotted form before the merge: a color's
  // `high-availability: {storageDir: x}` then replaces the template's `high-availability.storageDir`.
  const template = withDottedConfiguration(p.spec.template);
  // Merged without copying (the result shares the inputs' values), then copied once with the
  // substitution, as deepMerge's JSON copies and substitute would give it.
  const merged = (mergeShared(template as unknown as Json, overrides) ?? {}) as JsonObject;
  if (c.initialSavepointPath !== undefined) {
    const job = isObject(merged.job) ? { ...merged.job } : {};
    job.initialSavepointPath = c.initialSavepointPath;
    merged.job = job;
  }
  return substitutedCopy(merged, { color, pipeline: p.metadata.name }) as FlinkDeploymentSpec;
}

/** deepMerge without its copies: values of the inputs are shared, only merged maps are new. */
function mergeShared(base: Json | undefined, override: Json | undefined): Json | undefined {
  if (override === undefined) return base;
  if (!isObject(base) || !isObject(override)) return override;
  const out: JsonObject = { ...base };
  for (const [k, v] of Object.entries(override)) {
    if (v === null) delete out[k];
    else out[k] = mergeShared(out[k], v) as Json;
  }
  return out;
}

/**
 * A copy of a JSON value as `JSON.parse(JSON.stringify(v))` gives it (undefined members dropped,
 * in lists null; non-finite numbers null; -0 as 0), with `{{color}}`/`{{pipeline}}` substituted.
 */
function substitutedCopy(v: unknown, vars: { color: string; pipeline: string }): unknown {
  if (typeof v === 'string')
    return v.includes('{{')
      ? v.replace(/\{\{\s*(color|pipeline)\s*\}\}/g, (_, k: 'color' | 'pipeline') => vars[k])
      : v;
  if (typeof v === 'number') return Number.isFinite(v) ? (v === 0 ? 0 : v) : null;
  if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : substitutedCopy(x, vars)));
  if (isObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = substitutedCopy(x, vars);
    return out;
  }
  return v;
}

/** Sources with `{{color}}`/`{{pipeline}}` substituted for one color. */
export function effectiveSources(p: Pipeline, color: Color): SourceSpec[] {
  return substitute(p.spec.sources, { color, pipeline: p.metadata.name });
}

/** Sinks with `{{color}}`/`{{pipeline}}` substituted for one color. */
export function effectiveSinks(p: Pipeline, color: Color): SinkSpec[] {
  return substitute(p.spec.sinks, { color, pipeline: p.metadata.name });
}

/**
 * Flattens a flinkConfiguration that may mix dotted keys and nested maps
 * (`state: {checkpoints.dir: x}`) into dotted keys with string values, as Flink reads it.
 */
export function flattenFlinkConfiguration(conf: JsonObject | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (prefix: string, v: Json) => {
    if (isObject(v)) {
      for (const [k, x] of Object.entries(v)) walk(prefix ? `${prefix}.${k}` : k, x);
    } else if (Array.isArray(v)) {
      out[prefix] = v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(';');
    } else if (v !== null) {
      out[prefix] = String(v);
    }
  };
  if (conf) walk('', conf);
  return out;
}

/** The JobManager REST URL of a color: its `restUrl`, or `http://<deployment>-rest[.<namespace>]:<rest.port|8081>`. */
export function restUrl(p: Pipeline, color: Color): string {
  const own = p.spec.colors[color]?.restUrl;
  if (own !== undefined) return own;
  const conf = flattenFlinkConfiguration(effectiveSpec(p, color).flinkConfiguration);
  const port = conf['rest.port'] ?? '8081';
  const ns = p.metadata.namespace ? `.${p.metadata.namespace}` : '';
  return `http://${deploymentName(p, color)}-rest${ns}:${port}`;
}

/** Epoch millis of the committed cutover watermark, when there is a cutover. */
export function cutoverWatermarkMillis(p: Pipeline): number | undefined {
  return p.spec.cutover ? Date.parse(p.spec.cutover.watermark) : undefined;
}
