/**
 * The end-to-end audit: from the records the input writer wrote and the records each color's
 * exactly-once file sink committed, what was lost, what was emitted twice, which records the wrong
 * color emitted, and how long the output stalled around the cutover against steady state.
 */
import type { Color } from '../../lib/spec/types.js';

/** One input record: its id and event timestamp. */
export interface InputRecord {
  readonly id: string;
  readonly t: number;
}

/** One committed output record, and when its file was first seen committed (wall millis). */
export interface OutputRecord {
  readonly id: string;
  readonly t: number;
  readonly color: Color;
  readonly committedAt: number;
}

/** Who owns which event times: `from` before `W` and `to` from it on, chained for a rollback. */
export interface Ownership {
  /** The owner of the first segment (the first generation's from-color). */
  readonly first: Color;
  /** Each completed handover: from `watermark` on, the output is `to`'s. Oldest first. */
  readonly handovers: readonly { readonly watermark: number; readonly to: Color }[];
}

export function ownerOf(o: Ownership, t: number): Color {
  let owner = o.first;
  for (const h of o.handovers) if (t >= h.watermark) owner = h.to;
  return owner;
}

export interface AuditResult {
  readonly records: number;
  readonly lost: string[];
  readonly duplicated: string[];
  /** Records emitted by a color that does not own their event time. */
  readonly wrongOwner: string[];
  /** Output records no input record has (corrupt output). */
  readonly unknown: string[];
  /** Longest gap between commits of any output in the window around the cutover (ms). */
  readonly stallMs: number;
  /** Longest gap between commits in steady state before the cutover (ms). */
  readonly steadyGapMs: number;
}

function longestGap(times: readonly number[], from: number, to: number): number {
  const inWindow = times.filter((t) => t >= from && t <= to).sort((a, b) => a - b);
  let gap = 0;
  let prev = from;
  for (const t of inWindow) {
    gap = Math.max(gap, t - prev);
    prev = t;
  }
  return Math.max(gap, to - prev);
}

/**
 * Audits the union of both colors' committed output against the input. `steady` and `cutover`
 * are wall-time windows: the steady-state window before the cutover was committed, and the window
 * from the commit to a little after completion.
 */
export function audit(
  input: readonly InputRecord[],
  output: readonly OutputRecord[],
  ownership: Ownership,
  steady: readonly [number, number],
  cutover: readonly [number, number],
): AuditResult {
  const byId = new Map<string, InputRecord>();
  for (const r of input) byId.set(r.id, r);
  const seen = new Map<string, number>();
  const wrongOwner: string[] = [];
  const unknown: string[] = [];
  for (const o of output) {
    const inRec = byId.get(o.id);
    if (!inRec || inRec.t !== o.t) {
      unknown.push(o.id);
      continue;
    }
    seen.set(o.id, (seen.get(o.id) ?? 0) + 1);
    if (ownerOf(ownership, o.t) !== o.color) wrongOwner.push(`${o.id}@${o.t} by ${o.color}`);
  }
  const lost = input.filter((r) => !seen.has(r.id)).map((r) => r.id);
  const duplicated = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
  const commits = [...new Set(output.map((o) => o.committedAt))];
  return {
    records: input.length,
    lost,
    duplicated,
    wrongOwner,
    unknown,
    stallMs: longestGap(commits, cutover[0], cutover[1]),
    steadyGapMs: longestGap(commits, steady[0], steady[1]),
  };
}
