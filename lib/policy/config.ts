import { toPointer } from '../spec/diagnostics.js';
import { effectiveSpec, flattenFlinkConfiguration } from '../spec/effective.js';
import type { Color, Json, JsonObject, Pipeline } from '../spec/types.js';

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One flattened flinkConfiguration entry with the JSON pointer of the node that sets it. */
export interface ConfigEntry {
  readonly key: string;
  readonly value: string;
  readonly pointer: string;
}

/**
 * Flattens a flinkConfiguration as written (nested maps and dotted keys), keeping for each dotted
 * key the pointer of its YAML node: `state: {checkpoints.dir: x}` gives `state.checkpoints.dir`.
 */
export function flattenWithPointers(conf: unknown, base: readonly (string | number)[]): ConfigEntry[] {
  const out: ConfigEntry[] = [];
  const walk = (prefix: string, v: Json, segs: (string | number)[]) => {
    if (isObject(v)) {
      for (const [k, x] of Object.entries(v)) walk(prefix ? `${prefix}.${k}` : k, x, [...segs, k]);
    } else if (v !== null) {
      const value = Array.isArray(v)
        ? v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(';')
        : String(v);
      out.push({ key: prefix, value, pointer: toPointer(segs) });
    }
  };
  if (isObject(conf)) walk('', conf, [...base]);
  return out;
}

/** Where a color's effective flinkConfiguration key is set: the color's override, else the template. */
export function configPointer(p: Pipeline, color: Color, key: string): string {
  const own = flattenWithPointers(p.spec.colors[color]?.flinkConfiguration, [
    'spec',
    'colors',
    color,
    'flinkConfiguration',
  ]).find((e) => e.key === key);
  if (own) return own.pointer;
  const tpl = flattenWithPointers(p.spec.template.flinkConfiguration, [
    'spec',
    'template',
    'flinkConfiguration',
  ]).find((e) => e.key === key);
  return tpl?.pointer ?? `/spec/colors/${color}`;
}

/**
 * A color's effective flinkConfiguration, flattened to dotted keys. Computed once per effective
 * spec (which is itself computed once per pipeline and color) and shared by every rule: frozen.
 */
export function effectiveConfig(p: Pipeline, color: Color): Readonly<Record<string, string>> {
  const spec = effectiveSpec(p, color);
  let flat = flatConfigs.get(spec);
  if (!flat)
    flatConfigs.set(spec, (flat = Object.freeze(flattenFlinkConfiguration(spec.flinkConfiguration))));
  return flat;
}

const flatConfigs = new WeakMap<object, Readonly<Record<string, string>>>();

/** Where a color's effective `job.<field>` is set: the color's override, else the template. */
export function jobPointer(p: Pipeline, color: Color, field: string): string {
  const own = p.spec.colors[color]?.job as Record<string, unknown> | undefined;
  if (own && own[field] !== undefined) return `/spec/colors/${color}/job/${field}`;
  const tpl = p.spec.template.job as Record<string, unknown> | undefined;
  if (tpl && tpl[field] !== undefined) return `/spec/template/job/${field}`;
  return `/spec/colors/${color}`;
}

/** The job parallelism of a color: `job.parallelism`, else `parallelism.default`, else undefined. */
export function jobParallelism(p: Pipeline, color: Color): number | undefined {
  const spec = effectiveSpec(p, color);
  if (spec.job?.parallelism !== undefined) return spec.job.parallelism;
  const d = effectiveConfig(p, color)['parallelism.default'];
  return d !== undefined && /^\d+$/.test(d.trim()) ? Number(d) : undefined;
}

/** Normalizes a storage path for comparison (trailing slashes, case of the scheme). */
export function normalizePath(v: string): string {
  const t = v.trim().replace(/\/+$/, '');
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(t);
  return m ? m[1]!.toLowerCase() + t.slice(m[1]!.length) : t;
}

/** Unit labels Flink's TimeUtils accepts (case-insensitive, singular or plural). */
const DURATION_UNIT =
  /^(d|days?|h|hours?|m|mins?|minutes?|s|secs?|seconds?|ms|millis?|milliseconds?|µs|micros?|microseconds?|ns|nanos?|nanoseconds?)$/i;

/** Whether a Flink duration value is zero (`0`, `0 ms`, `0 sec`, `00min`). */
export function isZeroDuration(v: string): boolean {
  const m = /^0+(?:\.0*)?\s*(\S*)$/.exec(v.trim());
  return m !== null && (m[1] === '' || DURATION_UNIT.test(m[1]!));
}

/** Who a setting at `pointer` applies to: both colors when it is in the template, else the color. */
export function setFor(pointer: string, color: Color): string {
  return pointer.startsWith('/spec/template/') ? 'both colors' : color;
}
