/**
 * The cutover contract between git (the `<name>-cutover` ConfigMap), the controller (the
 * `<name>-cutover-status` ConfigMap it owns) and the gates inside the jobs. ConfigMap data is a map
 * of strings; these functions turn it into typed objects (and back) with errors as data.
 */
import type { ErrorObject } from 'ajv';
import type { Diagnostic } from '../spec/diagnostics.js';
import { schemaValidator } from '../spec/schema.js';
import type { Color, GateMode } from '../spec/types.js';
import { COLORS } from '../spec/types.js';

export const CUTOVER_CONFIGMAP_SCHEMA = 'cutover-configmap.schema.json';
export const CUTOVER_STATUS_SCHEMA = 'cutover-status.schema.json';

export const PHASES = ['Pending', 'Armed', 'Rejected', 'Completed'] as const;
export type Phase = (typeof PHASES)[number];

/** What git says about one color's job. */
export interface ColorEndpoint {
  restUrl: string;
  /** false: an adopted job without a gate (nothing injected; a cutover from it is at-least-once). */
  gate: boolean;
}

/** The desired handover (`<name>-cutover`), typed. */
export interface CutoverDesired {
  pipeline: string;
  active: Color;
  /** 0 = no cutover. */
  generation: number;
  /** Present iff generation > 0. */
  to?: Color;
  /** Cutover watermark W, epoch millis; present iff generation > 0. */
  watermark?: number;
  /** Allowed lateness in millis. */
  lateness: number;
  gateMode: GateMode;
  colors: Partial<Record<Color, ColorEndpoint>>;
}

/** A generation whose handover took effect (Armed or Completed): records t >= watermark went from `active` to `to`. */
export interface DecidedGeneration {
  generation: number;
  active: Color;
  to: Color;
  watermark: number;
}

/** The controller's verdict (`<name>-cutover-status`), typed. */
export interface CutoverStatus {
  generation: number;
  phase: Phase;
  /** The decided generation's from-color, to-color and W, as in the desired map the controller decided on. */
  active: Color;
  to: Color;
  watermark: number;
  /** Earlier generations of this handover chain that were Armed or Completed, oldest first. */
  history: DecidedGeneration[];
  reason?: string;
  /** ISO-8601. */
  armedAt?: string;
  completedAt?: string;
  updatedAt: string;
  /** Min gate watermark per color (epoch millis). */
  watermarks: Partial<Record<Color, number>>;
}

/** One problem in ConfigMap data: `key` is the JSON pointer of the data key (e.g. `/watermark`). */
export interface ContractError {
  key: string;
  message: string;
  fix?: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: ContractError[] };

/** Thrown by the `...OrThrow` variants; carries the errors as data. */
export class ContractParseError extends Error {
  readonly errors: readonly ContractError[];
  constructor(what: string, errors: readonly ContractError[]) {
    super(`invalid ${what}: ${errors.map((e) => `${e.key || '(data)'}: ${e.message}`).join('; ')}`);
    this.name = 'ContractParseError';
    this.errors = errors;
  }
}

function pointer(key: string): string {
  return key === '' ? '' : '/' + key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function keyOf(e: ErrorObject): string {
  return e.instancePath.slice(1).replace(/~1/g, '/').replace(/~0/g, '~');
}

function ajvErrors(
  errors: readonly ErrorObject[] | null | undefined,
  data: Record<string, unknown>,
): ContractError[] {
  const out: ContractError[] = [];
  const seen = new Set<string>();
  for (const e of errors ?? []) {
    const p = e.params as Record<string, unknown>;
    let err: ContractError | undefined;
    switch (e.keyword) {
      case 'additionalProperties':
        err = {
          key: pointer(String(p.additionalProperty)),
          message: `unknown key "${String(p.additionalProperty)}"`,
          fix: 'remove it; the contract allows only the keys in the schema',
        };
        break;
      case 'required':
        err = {
          key: pointer(String(p.missingProperty)),
          message: `missing key "${String(p.missingProperty)}"`,
          fix: `add ${String(p.missingProperty)}`,
        };
        break;
      case 'dependencies':
        err = {
          key: pointer(String(p.missingProperty)),
          message: `"${String(p.property)}" needs "${String(p.missingProperty)}"`,
          fix: `give each color both <color>.restUrl and <color>.gate`,
        };
        break;
      case 'type':
        err = {
          key: e.instancePath,
          message: `${keyOf(e) || 'data'} must be a ${String(p.type)} (ConfigMap values are strings)`,
        };
        break;
      case 'enum':
        err = {
          key: e.instancePath,
          message: `${keyOf(e)} is ${JSON.stringify(data[keyOf(e)])}; must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
        };
        break;
      case 'const':
        if (keyOf(e) === 'active' && data.active !== data.to) break; // a bad color: the enum error says it
        err =
          keyOf(e) === 'active'
            ? {
                key: e.instancePath,
                message: `active and to are both ${JSON.stringify(data.active)}; a cutover goes to the other color`,
                fix: 'set to to the standby color',
              }
            : {
                key: e.instancePath,
                message: `${keyOf(e)} is ${JSON.stringify(data[keyOf(e)])}; must be ${JSON.stringify(p.allowedValue)} here`,
              };
        break;
      case 'pattern':
        err = /restUrl$/.test(keyOf(e))
          ? {
              key: e.instancePath,
              message: `${keyOf(e)} is ${JSON.stringify(data[keyOf(e)])}, which is not an http(s) URL`,
            }
          : {
              key: e.instancePath,
              message: `${keyOf(e)} is ${JSON.stringify(data[keyOf(e)])}, which is not a decimal integer string`,
              fix: 'write it like "0" or "300000" (epoch millis / millis as a quoted decimal)',
            };
        break;
      case 'format':
        err = {
          key: e.instancePath,
          message: `${keyOf(e)} is ${JSON.stringify(data[keyOf(e)])}, which is not a valid ${String(p.format)}`,
        };
        break;
      case 'false schema':
        err =
          keyOf(e) === 'completedAt' || keyOf(e) === 'armedAt'
            ? {
                key: e.instancePath,
                message: `${keyOf(e)} must be absent in phase ${JSON.stringify(data.phase)}`,
              }
            : {
                key: e.instancePath,
                message: `generation is "0" (no cutover), so "${keyOf(e)}" must be absent`,
                fix: 'remove to and watermark, or set generation > 0',
              };
        break;
      case 'if':
      case 'anyOf':
        break;
      default:
        err = { key: e.instancePath, message: `${keyOf(e) || 'data'} ${e.message ?? 'is invalid'}` };
    }
    if (err && !seen.has(err.key + err.message)) {
      seen.add(err.key + err.message);
      out.push(err);
    }
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function int(data: Record<string, unknown>, key: string, errors: ContractError[]): number {
  const n = Number(data[key]);
  if (!Number.isSafeInteger(n))
    errors.push({
      key: pointer(key),
      message: `${key} ${JSON.stringify(data[key])} is beyond the exact integer range`,
    });
  return n;
}

/** Parses `<name>-cutover` data (a string map) into the typed desired handover. */
export function parseCutoverConfigMap(data: unknown): ParseResult<CutoverDesired> {
  if (!isRecord(data))
    return { ok: false, errors: [{ key: '', message: 'ConfigMap data must be a map of strings' }] };
  const validate = schemaValidator(CUTOVER_CONFIGMAP_SCHEMA);
  if (!validate(data)) return { ok: false, errors: ajvErrors(validate.errors, data) };
  const s = data as Record<string, string>;
  const errors: ContractError[] = [];
  const value: CutoverDesired = {
    pipeline: s.pipeline!,
    active: s.active as Color,
    generation: int(s, 'generation', errors),
    lateness: int(s, 'lateness', errors),
    gateMode: s.gateMode as GateMode,
    colors: {},
  };
  if (value.generation > 0) {
    value.to = s.to as Color;
    value.watermark = int(s, 'watermark', errors);
  }
  for (const c of COLORS) {
    const url = s[`${c}.restUrl`];
    if (url !== undefined) value.colors[c] = { restUrl: url, gate: s[`${c}.gate`] === 'true' };
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value };
}

/** `<generation>:<from>><to>@<W>` entries, `;`-separated (the schema has checked the shape). */
function parseHistory(text: string, errors: ContractError[]): DecidedGeneration[] {
  const out: DecidedGeneration[] = [];
  for (const part of text.split(';')) {
    const m = /^(\d+):(blue|green)>(blue|green)@(-?\d+)$/.exec(part)!;
    const generation = Number(m[1]);
    const watermark = Number(m[4]);
    if (!Number.isSafeInteger(generation) || !Number.isSafeInteger(watermark))
      errors.push({
        key: pointer('history'),
        message: `history entry ${JSON.stringify(part)} is beyond the exact integer range`,
      });
    else if (out.length > 0 && generation <= out[out.length - 1]!.generation)
      errors.push({
        key: pointer('history'),
        message: `history entry ${JSON.stringify(part)} is not newer than the one before it`,
        fix: 'list the generations oldest first',
      });
    out.push({ generation, active: m[2] as Color, to: m[3] as Color, watermark });
  }
  return out;
}

export function renderHistory(h: readonly DecidedGeneration[]): string {
  return h.map((e) => `${e.generation}:${e.active}>${e.to}@${e.watermark}`).join(';');
}

/**
 * The handover chain a new generation `generation` from `active` continues, given the newest status
 * of an earlier generation: that status's own chain, plus its generation if it took effect (Armed
 * or Completed) and handed the output to `active` (a rollback, or a new cutover after a teardown
 * the status never saw). A Rejected or withdrawn generation moved nothing: its chain carries over if
 * it still ends at `active`.
 */
export function chainFor(
  generation: number,
  active: Color,
  prev: Pick<CutoverStatus, 'generation' | 'phase' | 'active' | 'to' | 'watermark' | 'history'> | null,
): DecidedGeneration[] {
  if (!prev || prev.generation >= generation) return [];
  const took = (prev.phase === 'Armed' || prev.phase === 'Completed') && prev.to === active;
  const chain = took
    ? [
        ...prev.history,
        { generation: prev.generation, active: prev.active, to: prev.to, watermark: prev.watermark },
      ]
    : prev.history;
  const last = chain[chain.length - 1];
  return last && last.to === active ? chain.map((e) => ({ ...e })) : [];
}

/**
 * The owner of a record with timestamp t before a generation's own W: `active`, unless the
 * generation continues a chain of earlier handovers (oldest first), whose boundaries then apply.
 */
export function chainOwner(chain: readonly DecidedGeneration[], active: Color, t: number): Color {
  if (chain.length === 0) return active;
  let owner = chain[0]!.active;
  for (const h of chain) if (t >= h.watermark) owner = h.to;
  return owner;
}

/** Parses `<name>-cutover-status` data (a string map) into the typed status. */
export function parseCutoverStatus(data: unknown): ParseResult<CutoverStatus> {
  if (!isRecord(data))
    return { ok: false, errors: [{ key: '', message: 'ConfigMap data must be a map of strings' }] };
  const validate = schemaValidator(CUTOVER_STATUS_SCHEMA);
  if (!validate(data)) return { ok: false, errors: ajvErrors(validate.errors, data) };
  const s = data as Record<string, string>;
  const errors: ContractError[] = [];
  const value: CutoverStatus = {
    generation: int(s, 'generation', errors),
    phase: s.phase as Phase,
    active: s.active as Color,
    to: s.to as Color,
    watermark: int(s, 'watermark', errors),
    history: s.history === undefined ? [] : parseHistory(s.history, errors),
    updatedAt: s.updatedAt!,
    watermarks: {},
  };
  if (s.reason !== undefined) value.reason = s.reason;
  if (s.armedAt !== undefined) value.armedAt = s.armedAt;
  if (s.completedAt !== undefined) value.completedAt = s.completedAt;
  for (const c of COLORS) {
    if (s[`${c}.watermark`] !== undefined) value.watermarks[c] = int(s, `${c}.watermark`, errors);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value };
}

export function parseCutoverConfigMapOrThrow(data: unknown): CutoverDesired {
  const r = parseCutoverConfigMap(data);
  if (!r.ok) throw new ContractParseError('cutover ConfigMap data', r.errors);
  return r.value;
}

export function parseCutoverStatusOrThrow(data: unknown): CutoverStatus {
  const r = parseCutoverStatus(data);
  if (!r.ok) throw new ContractParseError('cutover status data', r.errors);
  return r.value;
}

/** The `<name>-cutover` data for a typed desired handover (inverse of parseCutoverConfigMap). */
export function renderCutoverConfigMap(d: CutoverDesired): Record<string, string> {
  const out: Record<string, string> = {
    pipeline: d.pipeline,
    active: d.active,
    generation: String(d.generation),
    lateness: String(d.lateness),
    gateMode: d.gateMode,
  };
  if (d.generation > 0) {
    if (d.to !== undefined) out.to = d.to;
    if (d.watermark !== undefined) out.watermark = String(d.watermark);
  }
  for (const c of COLORS) {
    const e = d.colors[c];
    if (e) {
      out[`${c}.restUrl`] = e.restUrl;
      out[`${c}.gate`] = String(e.gate);
    }
  }
  return out;
}

/** The `<name>-cutover-status` data for a typed status (inverse of parseCutoverStatus). */
export function renderCutoverStatus(s: CutoverStatus): Record<string, string> {
  const out: Record<string, string> = {
    generation: String(s.generation),
    phase: s.phase,
    active: s.active,
    to: s.to,
    watermark: String(s.watermark),
  };
  if (s.history.length > 0) out.history = renderHistory(s.history);
  if (s.reason !== undefined) out.reason = s.reason;
  if (s.armedAt !== undefined) out.armedAt = s.armedAt;
  if (s.completedAt !== undefined) out.completedAt = s.completedAt;
  out.updatedAt = s.updatedAt;
  for (const c of COLORS) {
    const w = s.watermarks[c];
    if (w !== undefined) out[`${c}.watermark`] = String(w);
  }
  return out;
}

/** Contract errors as diagnostics of `file` (for CLI edges; ConfigMap data has no line numbers). */
export function contractDiagnostics(
  errors: readonly ContractError[],
  file: string,
  ruleId = 'cutover-contract',
): Diagnostic[] {
  return errors.map((e) => {
    const d: Diagnostic = {
      ruleId,
      severity: 'error',
      file,
      line: 0,
      column: 0,
      path: `/data${e.key}`,
      message: e.message,
    };
    if (e.fix) d.fix = e.fix;
    return d;
  });
}
