import { toPointer } from './diagnostics.js';
import type { Json, JsonObject } from './types.js';

/** Two forms of one Flink configuration key with different values, within one flinkConfiguration map. */
export interface FlinkConfigurationConflict {
  /** The dotted key both forms name, e.g. `high-availability.storageDir`. */
  readonly key: string;
  /** Path segments (inside the map) of the form seen first and of the one that contradicts it. */
  readonly first: readonly string[];
  readonly second: readonly string[];
  /** Both values as Flink reads them (strings; lists joined with `;`). */
  readonly values: readonly [string, string];
}

export interface NormalizedFlinkConfiguration {
  /** Dotted keys only, in the order they first appear; leaf values as written (a `null` is kept). */
  readonly configuration: JsonObject;
  readonly conflicts: FlinkConfigurationConflict[];
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A leaf value as Flink reads it (the string the operator writes into flink-conf.yaml). */
function asFlinkString(v: Json): string {
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(';');
  return v === null ? '' : String(v);
}

/**
 * Normalizes a flinkConfiguration to the form the Flink Kubernetes operator reads: nested maps are
 * flattened to dotted keys (`high-availability: {storageDir: x}` becomes
 * `high-availability.storageDir: x`), so that a key has exactly one form. Leaf values (scalars,
 * lists, and `null`, which in a color removes the template's key) are kept as written.
 *
 * Two forms of one key within the map with the same value are one key; with different values they
 * are a conflict (the operator would pick one of them): reported in `conflicts`, the later form
 * winning in `configuration`. Pipelines normalize the template's and each color's map before
 * merging them, so the rendered FlinkDeployment carries the dotted form only.
 */
export function normalizeFlinkConfiguration(conf: JsonObject | undefined): NormalizedFlinkConfiguration {
  const configuration: JsonObject = {};
  const conflicts: FlinkConfigurationConflict[] = [];
  const seenAt = new Map<string, string[]>();
  const walk = (prefix: string, v: Json, segs: string[]) => {
    if (isObject(v)) {
      for (const [k, x] of Object.entries(v)) walk(prefix ? `${prefix}.${k}` : k, x, [...segs, k]);
      return;
    }
    const prev = seenAt.get(prefix);
    if (prev !== undefined) {
      const a = asFlinkString(configuration[prefix]!);
      const b = asFlinkString(v);
      if (a !== b || (configuration[prefix] === null) !== (v === null))
        conflicts.push({ key: prefix, first: prev, second: segs, values: [a, b] });
    } else {
      seenAt.set(prefix, segs);
    }
    configuration[prefix] = v;
  };
  if (conf) for (const [k, x] of Object.entries(conf)) walk(k, x, [k]);
  return { configuration, conflicts };
}

/** A conflict as a message and the JSON pointers of both forms, under the map at `base`. */
export function describeFlinkConfigurationConflict(
  c: FlinkConfigurationConflict,
  base: readonly string[],
): { pointer: string; firstPointer: string; message: string; fix: string } {
  const firstPointer = toPointer([...base, ...c.first]);
  const pointer = toPointer([...base, ...c.second]);
  const form = (segs: readonly string[]) =>
    segs.length === 1 ? segs[0]! : `${segs[0]}: {${segs.slice(1).join(': {')}${'}'.repeat(segs.length - 1)}`;
  return {
    pointer,
    firstPointer,
    message: `flinkConfiguration key ${c.key} is set twice with different values: "${c.values[0]}" as ${form(c.first)} (${firstPointer}) and "${c.values[1]}" as ${form(c.second)}; the operator flattens nested maps to dotted keys and would use only one of them`,
    fix: `write it once, as ${c.key}: <value> (dotted, the form the operator reads), and remove the other`,
  };
}
