/**
 * Simulator scenarios: the format (`--scenario FILE`, YAML or JSON, examples in apps/scenarios/),
 * its validation with file:line diagnostics, and the random scenarios of a sweep.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Diagnostic } from '../spec/diagnostics.js';
import { createAjv } from '../spec/schema.js';
import type { Color, GateMode } from '../spec/types.js';
import { parseYamlSource, positionOf } from '../spec/yaml-source.js';
import type { SourceDocument } from '../spec/yaml-source.js';
import type { Rng } from './rng.js';

/** Event time of offset 0 (2026-12-01T12:00:00Z): event time = EPOCH + offset in ms. */
export const EPOCH = Date.UTC(2026, 11, 1, 12, 0, 0);
/** The most input records one scenario may generate (memory and time stay in seconds). */
export const MAX_RECORDS = 5_000_000;
/** After the input ends, give up waiting for the jobs to drain after this long. */
export const MAX_DRAIN_MS = 60_000;

export interface ColorSim {
  parallelism: number;
  /** Wall ms after scenario start; the active color starts at 0, the other from its latest checkpoint. */
  startMs: number;
  /** How far behind the input this color processes (wall ms). */
  lagMs: number;
  /** Max records per second per subtask (catch-up speed after a restore); 0 = unlimited. */
  maxRecordsPerSecond: number;
  /** false: an adopted job without a gate (only the active color): it emits every record, so the cutover is at-least-once. */
  gate?: boolean;
}

export interface Scenario {
  name: string;
  /** Seeds the scenario's own randomness (record jitter, propagation delays). */
  seed: number;
  /** The color that owns the output before the cutover. */
  active: Color;
  input: {
    partitions: number;
    ratePerSecond: number;
    durationMs: number;
    outOfOrdernessMs: number;
    lateFraction: number;
    lateByMaxMs: number;
    idle: { partition: number; fromMs: number; toMs: number }[];
  };
  colors: Record<Color, ColorSim>;
  checkpointIntervalMs: number;
  pollIntervalMs: number;
  /** Per-subtask delay of a ConfigMap change or read reaching a gate (uniform in [min, max]). */
  propagation: { minMs: number; maxMs: number };
  /** withdrawAtMs: the cutover is removed from git again at this wall time (generation 0). */
  cutover: {
    commitAtMs: number;
    watermarkAtMs: number;
    latenessMs: number;
    gateMode: GateMode;
    withdrawAtMs?: number;
  };
  restarts: { color: Color; atMs: number; downMs: number }[];
  /** Cancel the old color this long after Completed (no final savepoint); null = keep it running. */
  teardownDelayMs: number | null;
}

const ms = { type: 'integer', minimum: 0, maximum: 86_400_000 };
const color = { type: 'string', enum: ['blue', 'green'] };
const colorSim = {
  type: 'object',
  additionalProperties: false,
  required: ['parallelism'],
  properties: {
    parallelism: { type: 'integer', minimum: 1, maximum: 64 },
    startMs: { ...ms, default: 0 },
    lagMs: { ...ms, default: 0 },
    maxRecordsPerSecond: { type: 'integer', minimum: 0, default: 0 },
    gate: { type: 'boolean', default: true },
  },
};

/** JSON Schema of a scenario file (defaults filled in on load). */
export const SCENARIO_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'flink-cutover simulator scenario',
  type: 'object',
  additionalProperties: false,
  required: ['input', 'colors', 'cutover'],
  properties: {
    name: { type: 'string', default: 'scenario' },
    seed: { type: 'integer', minimum: 0, maximum: 4294967295, default: 1 },
    active: { ...color, default: 'blue' },
    input: {
      type: 'object',
      additionalProperties: false,
      required: ['partitions', 'durationMs'],
      properties: {
        partitions: { type: 'integer', minimum: 1, maximum: 256 },
        ratePerSecond: { type: 'number', exclusiveMinimum: 0, maximum: 10000, default: 10 },
        durationMs: { type: 'integer', minimum: 1000, maximum: 3_600_000 },
        outOfOrdernessMs: { ...ms, default: 0 },
        lateFraction: { type: 'number', minimum: 0, maximum: 1, default: 0 },
        lateByMaxMs: { ...ms },
        idle: {
          type: 'array',
          default: [],
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['partition', 'fromMs', 'toMs'],
            properties: { partition: { type: 'integer', minimum: 0 }, fromMs: ms, toMs: ms },
          },
        },
      },
    },
    colors: {
      type: 'object',
      additionalProperties: false,
      required: ['blue', 'green'],
      properties: { blue: colorSim, green: colorSim },
    },
    checkpointIntervalMs: { type: 'integer', minimum: 50, maximum: 600_000, default: 1000 },
    pollIntervalMs: { type: 'integer', minimum: 50, maximum: 600_000, default: 1000 },
    propagation: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: { minMs: { ...ms, default: 0 }, maxMs: { ...ms, default: 1000 } },
    },
    cutover: {
      type: 'object',
      additionalProperties: false,
      required: ['commitAtMs', 'watermarkAtMs'],
      properties: {
        commitAtMs: ms,
        watermarkAtMs: { type: 'integer', minimum: -86_400_000, maximum: 86_400_000 },
        latenessMs: { ...ms, default: 0 },
        gateMode: { type: 'string', enum: ['filter', 'tag'], default: 'filter' },
        withdrawAtMs: ms,
      },
    },
    restarts: {
      type: 'array',
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['color', 'atMs', 'downMs'],
        properties: { color, atMs: ms, downMs: { ...ms, minimum: 50 } },
      },
    },
    teardownDelayMs: { anyOf: [ms, { type: 'null' }], default: null },
  },
} as const;

let validator: ValidateFunction | undefined;
function validateScenario(data: unknown): readonly ErrorObject[] {
  validator ??= createAjv({ useDefaults: true }).compile(SCENARIO_SCHEMA);
  return validator(data) ? [] : (validator.errors ?? []);
}

export interface ScenarioLoad {
  scenario?: Scenario;
  diagnostics: Diagnostic[];
}

/** A value as a message shows it (JSON, but Infinity and NaN as themselves). */
function show(v: unknown): string {
  return typeof v === 'number' && !Number.isFinite(v) ? String(v) : JSON.stringify(v);
}

function valueAt(data: unknown, pointer: string): unknown {
  let v = data;
  for (const seg of pointer.split('/').slice(1)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[seg.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return v;
}

/** Reads a scenario from YAML or JSON text; every problem is a diagnostic with file:line. */
export function loadScenarioText(file: string, text: string): ScenarioLoad {
  const src = parseYamlSource(file, text);
  const mk = (
    doc: SourceDocument | undefined,
    path: string,
    message: string,
    fix?: string,
    key?: string,
  ): Diagnostic => {
    const pos = doc ? positionOf(doc, path, key) : { line: 1, column: 1 };
    const d: Diagnostic = {
      ruleId: 'scenario',
      severity: 'error',
      file,
      line: pos.line,
      column: pos.column,
      path: key ? `${path}/${key}` : path,
      message,
    };
    if (fix) d.fix = fix;
    return d;
  };
  if (src.syntaxErrors.length > 0) {
    return {
      diagnostics: src.syntaxErrors.map((e) => ({
        ruleId: 'scenario-syntax',
        severity: 'error',
        file,
        line: e.line,
        column: e.column,
        path: '',
        message: e.message,
      })),
    };
  }
  if (src.documents.length !== 1)
    return {
      diagnostics: [
        mk(src.documents[1], '', `expected one scenario document, found ${src.documents.length}`),
      ],
    };
  const doc = src.documents[0]!;
  let data: unknown;
  try {
    data = doc.doc.toJS();
  } catch (e) {
    // e.g. an alias bomb ("Excessive alias count ...")
    return {
      diagnostics: [
        mk(
          doc,
          '',
          `the scenario cannot be read: ${(e as Error).message}`,
          'write the values out instead of nesting aliases',
        ),
      ],
    };
  }
  const errors = validateScenario(data);
  if (errors.length > 0) {
    const out: Diagnostic[] = [];
    for (const e of errors) {
      // A value matching no branch of an anyOf (`teardownDelayMs: ms | null`): say what the first branch wants, once.
      if (/\/anyOf\/[1-9]/.test(e.schemaPath)) continue;
      const p = e.params as Record<string, unknown>;
      const field = e.instancePath.split('/').pop() || '(document)';
      switch (e.keyword) {
        case 'additionalProperties': {
          const allowed = Object.keys((e.parentSchema as { properties?: object }).properties ?? {});
          out.push(
            mk(
              doc,
              e.instancePath,
              `unknown field "${String(p.additionalProperty)}"`,
              `allowed here: ${allowed.join(', ')}`,
              String(p.additionalProperty),
            ),
          );
          break;
        }
        case 'required':
          out.push(
            mk(
              doc,
              e.instancePath,
              `missing required field "${String(p.missingProperty)}"`,
              `add ${String(p.missingProperty)}`,
            ),
          );
          break;
        case 'type':
          out.push(
            mk(
              doc,
              e.instancePath,
              `${field} must be ${String(p.type)}, not ${show(valueAt(data, e.instancePath))}`,
            ),
          );
          break;
        case 'enum':
          out.push(
            mk(
              doc,
              e.instancePath,
              `${field} is ${show(valueAt(data, e.instancePath))}; must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
            ),
          );
          break;
        case 'anyOf':
          break;
        default:
          out.push(
            mk(
              doc,
              e.instancePath,
              `${field} ${e.message ?? 'is invalid'} (is ${show(valueAt(data, e.instancePath))})`,
            ),
          );
      }
    }
    return { diagnostics: out.length > 0 ? out : [mk(doc, '', 'the scenario does not match its schema')] };
  }
  const s = data as Scenario;
  s.input.lateByMaxMs ??= s.cutover.latenessMs;
  const diagnostics: Diagnostic[] = [];
  const other: Color = s.active === 'blue' ? 'green' : 'blue';
  for (const c of ['blue', 'green'] as const) {
    if (s.colors[c].parallelism > s.input.partitions) {
      diagnostics.push(
        mk(
          doc,
          `/colors/${c}/parallelism`,
          `${c} parallelism ${s.colors[c].parallelism} exceeds the ${s.input.partitions} input partitions (a subtask without a partition never has a watermark)`,
          'use at most as many subtasks as partitions',
        ),
      );
    }
  }
  if (s.colors[other].gate === false)
    diagnostics.push(
      mk(
        doc,
        `/colors/${other}/gate`,
        `the standby color (${other}) has no gate: it would emit every record while ${s.active} does too`,
        `remove gate: false from colors.${other} (only the active color may be an adopted job without a gate)`,
      ),
    );
  if (s.colors[s.active].startMs !== 0)
    diagnostics.push(
      mk(
        doc,
        `/colors/${s.active}/startMs`,
        `the active color (${s.active}) must start at 0`,
        'set startMs: 0 (the other color starts from its checkpoint later)',
      ),
    );
  if (s.colors[other].startMs > s.cutover.commitAtMs)
    diagnostics.push(
      mk(
        doc,
        `/colors/${other}/startMs`,
        `${other} starts at ${s.colors[other].startMs} ms, after the cutover is committed at ${s.cutover.commitAtMs} ms`,
        'stage the standby color before scheduling the cutover',
      ),
    );
  if (s.propagation.maxMs < s.propagation.minMs)
    diagnostics.push(
      mk(doc, '/propagation/maxMs', `maxMs ${s.propagation.maxMs} is below minMs ${s.propagation.minMs}`),
    );
  s.input.idle.forEach((w, i) => {
    if (w.partition >= s.input.partitions)
      diagnostics.push(
        mk(
          doc,
          `/input/idle/${i}/partition`,
          `partition ${w.partition} does not exist (partitions are 0..${s.input.partitions - 1})`,
        ),
      );
    if (w.toMs < w.fromMs)
      diagnostics.push(mk(doc, `/input/idle/${i}/toMs`, `toMs ${w.toMs} is before fromMs ${w.fromMs}`));
  });
  s.restarts.forEach((x, i) => {
    if (x.atMs < s.colors[x.color].startMs)
      diagnostics.push(
        mk(
          doc,
          `/restarts/${i}/atMs`,
          `${x.color} fails at ${x.atMs} ms, before it starts (${s.colors[x.color].startMs} ms): the failure would never happen`,
          `use an atMs of at least ${s.colors[x.color].startMs}`,
        ),
      );
    else if (x.atMs > s.input.durationMs + MAX_DRAIN_MS)
      diagnostics.push(
        mk(
          doc,
          `/restarts/${i}/atMs`,
          `${x.color} fails at ${x.atMs} ms, after the run ends (at the latest ${s.input.durationMs + MAX_DRAIN_MS} ms: the input ends at ${s.input.durationMs} ms, then at most ${MAX_DRAIN_MS} ms of draining)`,
          'fail it while the input runs',
        ),
      );
  });
  const records = Math.round(s.input.partitions * s.input.ratePerSecond * (s.input.durationMs / 1000));
  if (records < 1)
    diagnostics.push(
      mk(
        doc,
        '/input/ratePerSecond',
        `the input would have no records (partitions ${s.input.partitions} x ratePerSecond ${s.input.ratePerSecond} x ${s.input.durationMs / 1000} s): nothing to audit`,
        'raise ratePerSecond or durationMs',
      ),
    );
  if (records > MAX_RECORDS)
    diagnostics.push(
      mk(
        doc,
        '/input/ratePerSecond',
        `the input would have about ${records} records (partitions ${s.input.partitions} x ratePerSecond ${s.input.ratePerSecond} x ${s.input.durationMs / 1000} s); the simulator takes at most ${MAX_RECORDS}`,
        'lower ratePerSecond, partitions or durationMs',
      ),
    );
  if (s.cutover.withdrawAtMs !== undefined && s.cutover.withdrawAtMs <= s.cutover.commitAtMs)
    diagnostics.push(
      mk(
        doc,
        '/cutover/withdrawAtMs',
        `the cutover is withdrawn at ${s.cutover.withdrawAtMs} ms, not after it is committed (${s.cutover.commitAtMs} ms)`,
        'withdraw it after commitAtMs',
      ),
    );
  if (s.cutover.commitAtMs >= s.input.durationMs)
    diagnostics.push(
      mk(
        doc,
        '/cutover/commitAtMs',
        `the cutover is committed at ${s.cutover.commitAtMs} ms, after the input ends (${s.input.durationMs} ms)`,
      ),
    );
  return diagnostics.length > 0 ? { diagnostics } : { scenario: s, diagnostics: [] };
}

/** A random scenario for sweeps: the space the property tests and `--runs` explore. */
export function randomScenario(r: Rng, name = 'random'): Scenario {
  const partitions = r.int(2, 8);
  const latenessMs = r.int(1, 5) * 1000;
  const outOfOrdernessMs = r.int(0, 4) * 500;
  const checkpointIntervalMs = r.pick([500, 1000, 2000, 3000]);
  const pollIntervalMs = r.pick([500, 1000, 2000]);
  const propMin = r.int(0, 5) * 100;
  const propagation = { minMs: propMin, maxMs: propMin + r.int(0, 35) * 100 };
  const greenStart = r.int(1, 8) * 1000;
  const commitAtMs = greenStart + r.int(2, 8) * 1000;
  const lead = r.int(-4, 15) * 1000 + r.int(0, 9) * 100;
  const watermarkAtMs = commitAtMs + lead;
  const blueLag = r.int(0, 15) * 100;
  const greenLag = r.int(0, 30) * 100;
  const durationMs =
    Math.max(commitAtMs, watermarkAtMs) +
    latenessMs +
    outOfOrdernessMs +
    Math.max(blueLag, greenLag) +
    8000 +
    r.int(0, 10) * 1000;
  const restarts: Scenario['restarts'] = [];
  const nRestarts = r.chance(0.55) ? (r.chance(0.3) ? 2 : 1) : 0;
  for (let i = 0; i < nRestarts; i++) {
    restarts.push({
      color: r.pick(['blue', 'green'] as const),
      atMs: commitAtMs + r.int(-3, 12) * 500,
      downMs: r.int(1, 8) * 500,
    });
  }
  const idle: Scenario['input']['idle'] = [];
  if (r.chance(0.3)) {
    const from = r.int(0, Math.floor(durationMs / 1000) - 1) * 1000;
    idle.push({ partition: r.int(0, partitions - 1), fromMs: from, toMs: from + r.int(1, 15) * 1000 });
  }
  const blueP = r.int(1, Math.min(4, partitions));
  const greenP = r.int(1, Math.min(4, partitions));
  const ratePerSecond = r.int(4, 16);
  // A throttled standby catches up at 1.5x to 3x its share of the input.
  const greenMax = r.chance(0.5)
    ? 0
    : Math.ceil(ratePerSecond * Math.ceil(partitions / greenP) * r.range(1.5, 3));
  const scenario: Scenario = {
    name,
    seed: r.int(0, 2 ** 31),
    active: 'blue',
    input: {
      partitions,
      ratePerSecond,
      durationMs,
      outOfOrdernessMs,
      lateFraction: r.pick([0, 0, 0.01, 0.05]),
      lateByMaxMs: latenessMs,
      idle,
    },
    colors: {
      blue: { parallelism: blueP, startMs: 0, lagMs: blueLag, maxRecordsPerSecond: 0, gate: true },
      green: {
        parallelism: greenP,
        startMs: greenStart,
        lagMs: greenLag,
        maxRecordsPerSecond: greenMax,
        gate: true,
      },
    },
    checkpointIntervalMs,
    pollIntervalMs,
    propagation,
    cutover: { commitAtMs, watermarkAtMs, latenessMs, gateMode: r.chance(0.8) ? 'filter' : 'tag' },
    restarts,
    teardownDelayMs: r.chance(0.5) ? r.int(0, 5) * 1000 : null,
  };
  // Drawn last, so the runs without a withdrawal stay what they were. Some runs withdraw the cutover
  // from git shortly after committing it: before the gates prepare, while Pending, or racing the arm.
  if (r.chance(0.15)) scenario.cutover.withdrawAtMs = commitAtMs + r.int(1, 16) * 250;
  return scenario;
}
