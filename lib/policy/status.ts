import { parseAllDocuments } from 'yaml';
import type { Pipeline } from '../spec/types.js';
import { parseIsoStrict } from '../spec/time.js';

export type CutoverPhase = 'Pending' | 'Armed' | 'Rejected' | 'Completed';
const PHASES: readonly CutoverPhase[] = ['Pending', 'Armed', 'Rejected', 'Completed'];

/** The controller's verdict on a pipeline's cutover (ConfigMap `<name>-cutover-status`). */
export interface CutoverStatus {
  readonly name: string;
  readonly namespace?: string;
  readonly generation: number;
  readonly phase: CutoverPhase;
  readonly reason?: string;
  /** Epoch millis. */
  readonly armedAt?: number;
  readonly completedAt?: number;
  readonly updatedAt?: number;
  /** `<color>.watermark` keys, epoch millis. */
  readonly watermarks: Record<string, number>;
}

/** A problem reading a status file: data, turned into a usage error by the CLI. */
export interface StatusProblem {
  readonly message: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function time(
  data: Record<string, unknown>,
  key: string,
  where: string,
  problems: StatusProblem[],
): number | undefined {
  const v = data[key];
  if (v === undefined || v === '') return undefined;
  const t = parseIsoStrict(String(v));
  if (t === undefined)
    problems.push({ message: `${where}: ${key} "${String(v)}" is not an ISO-8601 date-time` });
  return t;
}

function fromConfigMap(
  obj: Record<string, unknown>,
  where: string,
  problems: StatusProblem[],
): CutoverStatus | undefined {
  const meta = isObject(obj.metadata) ? obj.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : undefined;
  if (!name) {
    problems.push({ message: `${where}: ConfigMap without metadata.name` });
    return undefined;
  }
  if (!name.endsWith('-cutover-status')) return undefined; // another ConfigMap in the same file
  const data = isObject(obj.data) ? obj.data : {};
  const generation = Number(data.generation ?? 0);
  if (!Number.isSafeInteger(generation) || generation < 0) {
    problems.push({
      message: `${where} (${name}): generation "${String(data.generation)}" is not a whole number`,
    });
    return undefined;
  }
  const phase = String(data.phase ?? '');
  if (!(PHASES as readonly string[]).includes(phase)) {
    problems.push({ message: `${where} (${name}): phase "${phase}" must be one of ${PHASES.join(', ')}` });
    return undefined;
  }
  const watermarks: Record<string, number> = {};
  for (const [k, v] of Object.entries(data)) {
    const m = /^(blue|green)\.watermark$/.exec(k);
    if (!m) continue;
    if (/^-?\d+$/.test(String(v)) && Number.isSafeInteger(Number(v))) watermarks[m[1]!] = Number(v);
    else
      problems.push({
        message: `${where} (${name}): ${k} "${String(v)}" is not a whole number of epoch millis`,
      });
  }
  const s: CutoverStatus = {
    name,
    namespace: typeof meta.namespace === 'string' ? meta.namespace : undefined,
    generation,
    phase: phase as CutoverPhase,
    reason: typeof data.reason === 'string' && data.reason !== '' ? data.reason : undefined,
    armedAt: time(data, 'armedAt', `${where} (${name})`, problems),
    completedAt: time(data, 'completedAt', `${where} (${name})`, problems),
    updatedAt: time(data, 'updatedAt', `${where} (${name})`, problems),
    watermarks,
  };
  return s;
}

/**
 * Parses status ConfigMaps from JSON or YAML text: one ConfigMap, a `List` of them, or several
 * YAML documents. Other objects are ignored; malformed status ConfigMaps are problems.
 */
export function parseStatusText(
  text: string,
  file: string,
): { statuses: CutoverStatus[]; problems: StatusProblem[] } {
  const problems: StatusProblem[] = [];
  const statuses: CutoverStatus[] = [];
  const objects: unknown[] = [];
  try {
    const docs = parseAllDocuments(text);
    const list = Array.isArray(docs) ? docs : [];
    for (const d of list) {
      if (d.errors.length > 0) {
        const e = d.errors[0]!;
        problems.push({
          message: `${file}:${e.linePos?.[0].line ?? 0}: invalid YAML/JSON: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}; it should be the ConfigMap as printed by kubectl get configmap <pipeline>-cutover-status -o yaml (or -o json)`,
        });
        return { statuses, problems };
      }
      const js = d.toJS({ maxAliasCount: 100 }) as unknown;
      if (js !== null && js !== undefined) objects.push(js);
    }
  } catch (err) {
    // An alias bomb ("Excessive alias count") or nesting too deep for the parser: a problem of the file.
    const why = err instanceof RangeError ? 'it is nested too deeply' : (err as Error).message;
    problems.push({ message: `${file}: cannot read it: ${why}` });
    return { statuses, problems };
  }
  const visit = (o: unknown, where: string) => {
    if (Array.isArray(o)) return o.forEach((x, i) => visit(x, `${where}[${i}]`));
    if (!isObject(o)) return;
    if (Array.isArray(o.items)) return o.items.forEach((x, i) => visit(x, `${where} items[${i}]`));
    if (o.kind === 'ConfigMap') {
      const s = fromConfigMap(o, where, problems);
      if (s) statuses.push(s);
    }
  };
  try {
    objects.forEach((o, i) => visit(o, objects.length > 1 ? `${file} document ${i + 1}` : file));
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    problems.push({ message: `${file}: cannot read it: it is nested too deeply` });
  }
  if (statuses.length === 0 && problems.length === 0)
    problems.push({ message: `${file}: no ConfigMap named <pipeline>-cutover-status found` });
  return { statuses, problems };
}

/** The status of a pipeline: the ConfigMap `<name>-cutover-status` in its namespace (or with none given). */
export function statusFor(statuses: readonly CutoverStatus[], p: Pipeline): CutoverStatus | undefined {
  const name = `${p.metadata.name}-cutover-status`;
  return statuses.find(
    (s) =>
      s.name === name &&
      (s.namespace === undefined ||
        p.metadata.namespace === undefined ||
        s.namespace === p.metadata.namespace),
  );
}
