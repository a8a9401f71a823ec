/** Text and JSON reports of simulator runs and sweeps. */
import type { ColorStats, RunResult } from './engine.js';
import { fmtMs, fmtOffset } from './engine.js';
import { EPOCH } from './scenario.js';
import type { SweepSummary } from './sweep.js';
import { STRATEGY_DESCRIPTIONS } from './strategies.js';
import { isoSeconds } from '../policy/time.js';
import { humanDuration } from '../spec/duration.js';

/** The JSON of `simulate --format json`: the sweep shape, for one run or many. */
export interface SimulateJson extends Pick<
  SweepSummary,
  'runs' | 'records' | 'duplicates' | 'missing' | 'violatingRuns' | 'maxOutputStallMs'
> {
  strategy: string;
  phases: Record<string, number>;
  seed?: number;
  scenario?: string;
  phase?: string;
  reason?: string;
  guarantee?: 'exactly-once' | 'at-least-once';
  emitted?: Record<string, number>;
  examples?: SweepSummary['examples'];
}

export function runJson(r: RunResult): SimulateJson {
  return {
    strategy: r.strategy,
    scenario: r.scenario,
    runs: 1,
    records: r.records,
    duplicates: r.duplicates,
    missing: r.missing,
    violatingRuns: guaranteeHeld(r) ? 0 : 1,
    maxOutputStallMs: r.outputStallMs,
    phases: { [r.phase]: 1 },
    phase: r.phase,
    reason: r.reason,
    guarantee: r.atLeastOnce ? 'at-least-once' : 'exactly-once',
    emitted: r.emitted,
  };
}

export function sweepJson(s: SweepSummary): SimulateJson {
  return {
    strategy: s.strategy,
    seed: s.seed,
    runs: s.runs,
    records: s.records,
    duplicates: s.duplicates,
    missing: s.missing,
    violatingRuns: s.violatingRuns,
    maxOutputStallMs: s.maxOutputStallMs,
    phases: s.phases as Record<string, number>,
    examples: s.examples,
  };
}

/** Epoch millis as decide() writes them into reasons (13 digits: the years 2001 to 2286). */
const EPOCH_MS = /(?<![\d.])1\d{12}(?![\d.])/g;

/**
 * A controller reason (or any text of the simulator) for people: epoch millis become ISO-8601
 * UTC times (`2026-12-01T12:00:25Z`), `15.4 s short` becomes a human duration (`15s short`).
 * The JSON report keeps decide()'s reason verbatim.
 */
export function humanText(text: string): string {
  return text
    .replace(EPOCH_MS, (m) => isoSeconds(Number(m)))
    .replace(/(\d+(?:\.\d+)?) s short/g, (_, n: string) => `${humanDuration(Number(n) * 1000)} short`);
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function lpad(s: string, n: number): string {
  return s.length >= n ? s : ' '.repeat(n - s.length) + s;
}

/** A readable report of one run: the handover timeline per color, the counts and the verdict. */
export function runText(r: RunResult, title: string): string {
  const lines: string[] = [];
  lines.push(`flink-cutover simulate: ${title}`);
  lines.push(`strategy ${r.strategy}: ${STRATEGY_DESCRIPTIONS[r.strategy]}`);
  lines.push('');
  lines.push(
    `timeline (wall time since start; W and offsets are event time; event time 0s is ${isoSeconds(EPOCH)}, W is ${isoSeconds(r.watermark)})`,
  );
  for (const e of r.timeline) {
    lines.push(`  ${lpad(fmtMs(e.atMs), 8)}  ${pad(e.color ?? '', 5)}  ${humanText(e.text)}`);
  }
  lines.push('');
  lines.push('per color');
  for (const c of ['blue', 'green'] as const)
    lines.push(`  ${pad(c, 6)} ${colorLine(r.colors[c], r.emitted[c])}`);
  lines.push('');
  lines.push('counts');
  lines.push(`  input records        ${r.records}`);
  lines.push(`  emitted (committed)  blue ${r.emitted.blue}, green ${r.emitted.green}`);
  const at = (x: [number, number] | null): string =>
    x ? ` (event time ${range(x, (n) => `W${fmtOffset(n)}`)})` : '';
  lines.push(`  duplicates           ${r.duplicates}${at(r.duplicatesAt)}`);
  lines.push(
    `  missing              ${r.missing}${at(r.missingAt)}${r.heldAtEnd > 0 ? ` (${r.heldAtEnd} still held by an undecided gate)` : ''}`,
  );
  lines.push(`  max held at once     ${r.maxHeld} (one subtask)`);
  lines.push(
    `  output stall         ${fmtMs(r.outputStallMs)} (longest gap between output commits during the handover)`,
  );
  lines.push(`  phase                ${r.phase}${r.phase === 'none' ? '' : `: ${humanText(r.reason)}`}`);
  lines.push('');
  lines.push(
    r.atLeastOnce && r.missing === 0
      ? atLeastOnceVerdict(r)
      : verdict(r.duplicates, r.missing, `${r.records} records`),
  );
  return lines.join('\n') + '\n';
}

function range(r: [number, number], fmt: (n: number) => string): string {
  return r[0] === r[1] ? fmt(r[0]) : `${fmt(r[0])}..${fmt(r[1])}`;
}

function colorLine(s: ColorStats, emitted: number): string {
  const parts = [
    `parallelism ${s.parallelism}`,
    s.startedAtMs === null ? 'never started' : `started ${fmtMs(s.startedAtMs)}`,
  ];
  if (s.prepared)
    parts.push(
      `prepared ${range(s.prepared, fmtMs)}${s.maxAtPrepareVsW ? ` (max t at prepare ${range(s.maxAtPrepareVsW, (n) => `W${fmtOffset(n)}`)})` : ''}`,
    );
  for (const [phase, at] of Object.entries(s.phases)) parts.push(`${phase} seen ${range(at, fmtMs)}`);
  if (s.releasedEmitted + s.releasedDropped > 0)
    parts.push(`held records released: ${s.releasedEmitted} emitted, ${s.releasedDropped} dropped`);
  if (s.failures > 0) parts.push(`${s.failures} failure(s)`);
  if (s.tornDownAtMs !== null) parts.push(`torn down ${fmtMs(s.tornDownAtMs)}`);
  parts.push(`emitted ${emitted}`);
  return parts.join('; ');
}

function atLeastOnceVerdict(r: RunResult): string {
  return `verdict: AT-LEAST-ONCE (as expected: ${r.active} has no gate and emits every record until it is torn down): none of ${r.records} records missing, ${r.duplicates} duplicate(s)`;
}

/** Whether the run kept the guarantee its setup promises: exactly-once, or at-least-once from a color without a gate. */
export function guaranteeHeld(r: Pick<RunResult, 'duplicates' | 'missing' | 'atLeastOnce'>): boolean {
  return r.missing === 0 && (r.duplicates === 0 || r.atLeastOnce);
}

function verdict(duplicates: number, missing: number, what: string): string {
  if (duplicates === 0 && missing === 0)
    return `verdict: EXACT: each of ${what} emitted exactly once across blue and green`;
  return `verdict: NOT EXACT: ${duplicates} duplicate(s), ${missing} missing record(s) out of ${what}`;
}

/** A readable summary of a sweep. */
export function sweepText(s: SweepSummary): string {
  const lines: string[] = [];
  lines.push(`flink-cutover simulate: ${s.runs} random scenario(s) from seed ${s.seed}`);
  lines.push(`strategy ${s.strategy}: ${STRATEGY_DESCRIPTIONS[s.strategy]}`);
  lines.push('');
  lines.push(`  records              ${s.records}`);
  lines.push(`  duplicates           ${s.duplicates}`);
  lines.push(`  missing              ${s.missing}`);
  lines.push(`  runs with violations ${s.violatingRuns} of ${s.runs}`);
  lines.push(
    `  phases               ${Object.entries(s.phases)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  lines.push(`  max output stall     ${fmtMs(s.maxOutputStallMs)}`);
  if (s.examples.length > 0) {
    lines.push('');
    lines.push('  replay a violating run in detail:');
    for (const e of s.examples)
      lines.push(
        `    flink-cutover simulate --seed ${s.seed} --run ${e.run} --strategy ${s.strategy}   (${e.duplicates} duplicate(s), ${e.missing} missing, phase ${e.phase})`,
      );
  }
  lines.push('');
  lines.push(verdict(s.duplicates, s.missing, `${s.records} records in ${s.runs} run(s)`));
  return lines.join('\n') + '\n';
}
