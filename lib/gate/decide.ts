/**
 * The controller's pure arm / reject / complete decision (README "The handover"):
 * from the desired handover, the current status and the gates' metrics, the next status.
 * Idempotent: deciding again on the same inputs changes nothing but `updatedAt`-free fields.
 */
import type { Color } from '../spec/types.js';
import type { CutoverDesired, CutoverStatus, Phase } from './contract.js';
import { chainFor, renderHistory } from './contract.js';
import { LONG_MIN_WATERMARK } from './gate.js';
import type { GateMetrics } from './types.js';

/** One gate subtask's metrics as read from the REST API. */
export interface SubtaskReport extends GateMetrics {
  subtask: number;
}

/** What the controller saw of one color's job on this poll (absent = job not found). */
export interface ObservedColor {
  jobId?: string;
  /** The job is RUNNING (its metrics are live). */
  running: boolean;
  /** The gate vertex's parallelism, read from the job. */
  parallelism: number;
  /**
   * The subtasks that report gate metrics (possibly fewer than parallelism). For a color without a
   * gate (gate: false) only gateWatermark counts: the controller reports there the job's watermark
   * as covered by its last completed checkpoint (a watermark seen before a checkpoint that has since
   * completed); a cutover from it completes only when that too reaches W + lateness, since its
   * teardown discards what it has not committed.
   */
  subtasks: SubtaskReport[];
}

export type ObservedGateMetrics = Partial<Record<Color, ObservedColor>>;

/** Controller-side protocol rules; the simulator drops one at a time. */
export interface DecideRules {
  /** Arm only when every subtask of both gates reported for the generation. */
  requireAllReports: boolean;
  /** Never leave Armed except to Completed; Completed and Rejected are final. */
  monotonic: boolean;
}

export const PROTOCOL_DECIDE_RULES: DecideRules = Object.freeze({ requireAllReports: true, monotonic: true });

export const DECIDE_TRANSITIONS = [
  'no-cutover',
  'withdrawn',
  'withdrawn-after-armed',
  'older-desired',
  'final',
  'pending-rejected',
  'pending-waiting',
  'pending-armed',
  'armed-waiting',
  'armed-completed',
] as const;
export type DecideTransition =
  (typeof DECIDE_TRANSITIONS)[number] | 'variant.target-down-rejected' | 'variant.re-evaluated';

export interface Decision {
  /** The status to write (null: no cutover, nothing to write). */
  status: CutoverStatus | null;
  /** True when the phase, reason or watermarks differ from the input status (write needed). */
  changed: boolean;
  transition: DecideTransition;
}

export interface DecideOptions {
  /** ISO-8601 time of this decision (armedAt, completedAt, updatedAt). */
  now: string;
  rules?: DecideRules;
}

interface ColorView {
  color: Color;
  found: boolean;
  running: boolean;
  parallelism: number;
  reported: SubtaskReport[];
  /** Min committed gate watermark over all subtasks; undefined if any subtask has none. */
  watermark: number | undefined;
  /** Subtasks (of parallelism) without a committed gate watermark. */
  withoutWatermark: number;
}

function view(color: Color, o: ObservedColor | undefined, generation: number): ColorView {
  if (!o || !o.running)
    return {
      color,
      found: !!o,
      running: false,
      parallelism: o?.parallelism ?? 0,
      reported: [],
      watermark: undefined,
      withoutWatermark: 0,
    };
  const reported = o.subtasks.filter(
    (s) => s.preparedGeneration === generation && s.subtask >= 0 && s.subtask < o.parallelism,
  );
  const seen = new Set(reported.map((s) => s.subtask));
  let min: number | undefined;
  let withoutWatermark = 0;
  const wms = new Map(o.subtasks.map((s) => [s.subtask, s.gateWatermark]));
  for (let i = 0; i < o.parallelism; i++) {
    const w = wms.get(i);
    if (w === null || w === undefined || w <= LONG_MIN_WATERMARK) withoutWatermark++;
    else min = min === undefined ? w : Math.min(min, w);
  }
  const watermark = withoutWatermark > 0 ? undefined : min;
  return {
    color,
    found: true,
    running: true,
    parallelism: o.parallelism,
    reported: [...seen].map((i) => reported.find((r) => r.subtask === i)!),
    watermark,
    withoutWatermark,
  };
}

function describeWaiting(views: ColorView[]): string {
  return views
    .map((v) =>
      !v.found
        ? `${v.color}: job not found`
        : !v.running
          ? `${v.color}: job not running`
          : `${v.color} ${v.reported.length}/${v.parallelism} subtasks`,
    )
    .join(', ');
}

/** What completion waits for, per color: its min committed gate watermark, or why it has none. */
function describeWatermarks(views: ColorView[], target: number): string {
  return views
    .map((v) =>
      !v.found
        ? `${v.color}: job not found`
        : !v.running
          ? `${v.color}: job not running`
          : v.withoutWatermark > 0
            ? `${v.color}: ${v.withoutWatermark} of ${v.parallelism} subtask(s) without a committed watermark (idle input, or no checkpoint yet)`
            : `${v.color} ${v.watermark}${v.watermark! < target ? ` (${((target - v.watermark!) / 1000).toFixed(1)} s short)` : ''}`,
    )
    .join(', ');
}

function withdrawnReason(generation: number, active: Color): string {
  return `generation ${generation} was withdrawn from the desired ConfigMap before it was armed; ${active} keeps the output`;
}

function sameStatus(a: CutoverStatus | null, b: CutoverStatus): boolean {
  return (
    !!a &&
    a.generation === b.generation &&
    a.phase === b.phase &&
    a.reason === b.reason &&
    a.active === b.active &&
    a.to === b.to &&
    a.watermark === b.watermark &&
    renderHistory(a.history) === renderHistory(b.history) &&
    a.watermarks.blue === b.watermarks.blue &&
    a.watermarks.green === b.watermarks.green
  );
}

/**
 * The next status for the committed cutover. Pending -> Armed when every subtask of both gated
 * colors prepared for the generation with a max timestamp < W; -> Rejected as soon as one had
 * seen a timestamp >= W; Armed -> Completed when both colors' committed gate watermarks reach
 * W + lateness. A missing report is never a yes.
 */
export function decide(
  desired: CutoverDesired,
  status: CutoverStatus | null,
  observed: ObservedGateMetrics,
  options: DecideOptions,
): Decision {
  const rules = options.rules ?? PROTOCOL_DECIDE_RULES;
  if (desired.generation === 0 || desired.to === undefined || desired.watermark === undefined) {
    // A cutover withdrawn from git after the controller armed it (a merge racing the arm; the policy
    // refuses it otherwise): nothing leaves Armed but Completed, so it is completed on the values it
    // was armed with, which the status carries.
    if (rules.monotonic && status?.phase === 'Armed' && status.generation > desired.generation) {
      const d = decide(
        {
          ...desired,
          generation: status.generation,
          active: status.active,
          to: status.to,
          watermark: status.watermark,
        },
        status,
        observed,
        options,
      );
      return {
        ...d,
        transition: d.transition === 'armed-completed' ? d.transition : 'withdrawn-after-armed',
      };
    }
    // A cutover withdrawn while Pending (allowed by the policy): the gates prepared for it hold every
    // record at or past W until the generation is decided, and only a status can decide it.
    // Withdrawn before the controller wrote anything for it: the gates' metrics still name it.
    const prepared = Math.max(
      0,
      ...Object.values(observed).flatMap((o) =>
        o?.running ? o.subtasks.map((t) => t.preparedGeneration) : [],
      ),
    );
    const pendingWithdrawn =
      status && status.phase === 'Pending' && status.generation > desired.generation ? status : null;
    if (pendingWithdrawn) {
      const next: CutoverStatus = {
        ...pendingWithdrawn,
        phase: 'Rejected',
        reason: withdrawnReason(pendingWithdrawn.generation, pendingWithdrawn.active),
        updatedAt: options.now,
        watermarks: { ...pendingWithdrawn.watermarks },
      };
      return { status: next, changed: true, transition: 'withdrawn' };
    }
    if (prepared > (status?.generation ?? 0)) {
      // Never written for: the gates name the generation but not its to and W (git no longer has
      // them). Rejected keeps the output where it is for every record, whatever W was.
      const to = desired.active === 'blue' ? 'green' : 'blue';
      const next: CutoverStatus = {
        generation: prepared,
        phase: 'Rejected',
        reason: withdrawnReason(prepared, desired.active),
        active: desired.active,
        to,
        watermark: 0,
        history: chainFor(prepared, desired.active, status),
        updatedAt: options.now,
        watermarks: {},
      };
      return { status: next, changed: true, transition: 'withdrawn' };
    }
    return { status, changed: false, transition: 'no-cutover' };
  }
  const g = desired.generation;
  const w = desired.watermark;
  // The status is about a newer generation than git's (a stale read, or a generation lowered
  // against the policy): overwriting it would restart a decided generation from Pending later.
  if (status && status.generation > g) return { status, changed: false, transition: 'older-desired' };
  const cur = status && status.generation === g ? status : null;
  if (rules.monotonic && cur && (cur.phase === 'Completed' || cur.phase === 'Rejected'))
    return { status, changed: false, transition: 'final' };

  // Arming needs the gates' prepare reports; completing needs both colors' committed watermarks,
  // a color without a gate's too (it must have committed everything before W before its teardown).
  const both = [desired.active, desired.to].map((c) => view(c, observed[c], g));
  const views = both.filter((v) => desired.colors[v.color]?.gate !== false);
  const watermarks: Partial<Record<Color, number>> = { ...(cur?.watermarks ?? {}) };
  for (const v of both) if (v.watermark !== undefined) watermarks[v.color] = v.watermark;

  const make = (phase: Phase, reason: string, transition: DecideTransition): Decision => {
    const next: CutoverStatus = {
      generation: g,
      phase,
      reason,
      active: desired.active,
      to: desired.to!,
      watermark: w,
      history: cur ? cur.history : chainFor(g, desired.active, status),
      updatedAt: options.now,
      watermarks,
    };
    if (phase === 'Armed' || phase === 'Completed') next.armedAt = cur?.armedAt ?? options.now;
    if (phase === 'Completed') next.completedAt = cur?.completedAt ?? options.now;
    const changed = !sameStatus(status, next);
    return { status: changed ? next : status, changed, transition };
  };

  const complete = (): boolean =>
    both.every((v) => v.watermark !== undefined && v.watermark >= w + desired.lateness);
  const armedReason = (): string =>
    `every gate subtask prepared for generation ${g} before W; completes when both watermarks reach W + lateness = ${w + desired.lateness} (now: ${describeWatermarks(both, w + desired.lateness)})`;
  const completeReason = (): string =>
    `both ${views.length === 2 ? 'gate ' : ''}watermarks reached W + lateness (${both.map((v) => `${v.color} ${v.watermark}${views.includes(v) ? '' : ' (no gate: job watermark)'}`).join(', ')})`;

  if (rules.monotonic && cur?.phase === 'Armed') {
    if (complete()) return make('Completed', completeReason(), 'armed-completed');
    return make('Armed', armedReason(), 'armed-waiting');
  }

  if (!rules.monotonic) {
    // The naive controller: re-derives the phase on every poll and aborts when the target is down.
    const target = views.find((v) => v.color === desired.to);
    if (cur && cur.phase !== 'Pending' && target && !target.running)
      return make('Rejected', `${desired.to} job is not running`, 'variant.target-down-rejected');
  }

  const late = views.flatMap((v) =>
    v.reported
      .filter((r) => r.maxTimestampAtPrepare !== null && r.maxTimestampAtPrepare >= w)
      .map((r) => ({ color: v.color, r })),
  );
  if (late.length > 0) {
    const first = late[0]!;
    return make(
      'Rejected',
      `${first.color} subtask ${first.r.subtask} had already seen t=${first.r.maxTimestampAtPrepare} >= W=${w} when it prepared${late.length > 1 ? ` (and ${late.length - 1} more)` : ''}; commit a later watermark`,
      'pending-rejected',
    );
  }
  if (views.length === 0)
    return make(
      'Pending',
      `neither ${desired.active} nor ${desired.to} has a gate (gate: false): nothing can arm generation ${g}`,
      'pending-waiting',
    );
  const allReported = views.every(
    (v) => v.running && v.reported.length === v.parallelism && v.parallelism > 0,
  );
  if (!allReported && rules.requireAllReports)
    return make('Pending', `waiting for gate reports: ${describeWaiting(views)}`, 'pending-waiting');
  if (!rules.monotonic && complete()) return make('Completed', completeReason(), 'variant.re-evaluated');
  return make('Armed', armedReason(), 'pending-armed');
}
