/**
 * The controller's reconcile step, pure: from the desired ConfigMap's data, the status ConfigMap's
 * data, what the colors' JobManagers reported and the time, the status to write (whole, or none),
 * the Events to emit and when to look again. The arm / reject / complete decision itself is
 * `decide()` (lib/gate/decide.ts); this adds what a controller needs around it: parsing as data,
 * Events on phase changes, warnings when a cutover is stuck, and the requeue.
 */
import type { CutoverDesired, CutoverStatus, Phase } from '../gate/contract.js';
import { parseCutoverConfigMap, parseCutoverStatus, renderCutoverStatus } from '../gate/contract.js';
import type { DecideTransition, ObservedColor, ObservedGateMetrics, SubtaskReport } from '../gate/decide.js';
import { decide } from '../gate/decide.js';
import type { ObservedJob } from '../flink/gate-metrics.js';
import type { Color } from '../spec/types.js';

/** What one poll of a color's JobManager gave: the job, or the error (as data). */
export type ColorReport = { ok: true; job: ObservedJob } | { ok: false; problem: string; message: string };

/** The observation of both colors (a color not polled is absent). */
export type Observed = Partial<Record<Color, ColorReport>>;

/** A Kubernetes Event to emit; `involvedObject` is the desired ConfigMap. */
export interface ControllerEvent {
  type: 'Normal' | 'Warning';
  reason: EventReason;
  message: string;
  involvedObject: ObjectRef;
}

export const EVENT_REASONS = [
  'CutoverPending',
  'CutoverArmed',
  'CutoverCompleted',
  'CutoverRejected',
  'CutoverWithdrawn',
  'CutoverNotArmedPastWatermark',
  'CutoverWatermarkStalled',
  'JobManagerUnreachable',
  'GateNotFound',
  'InvalidDesired',
  'InvalidStatus',
] as const;
export type EventReason = (typeof EVENT_REASONS)[number];

export interface ObjectRef {
  kind: 'ConfigMap';
  apiVersion: 'v1';
  namespace: string;
  name: string;
  uid?: string;
}

/** What reconcile remembers about one pipeline between calls (the executor keeps it per key). */
export interface ReconcileMemory {
  /** Warnings already emitted for the current episode (so each is emitted once). */
  warned: string[];
  /** Per color: the last status watermark and since when (epoch ms) it has not moved. */
  progress: Partial<Record<Color, { watermark: number; since: number }>>;
}

export interface ReconcileOptions {
  /** Requeue after this while a cutover is open (ms). @default 10000 */
  resyncMs?: number;
  /** Armed, and a color's watermark has not moved for this long: a Warning (ms). @default 300000 */
  stallMs?: number;
}

export interface ReconcileContext {
  /** The desired ConfigMap (the Events' involved object). */
  desiredRef: ObjectRef;
  memory?: ReconcileMemory;
  options?: ReconcileOptions;
}

export interface ReconcileResult {
  /** The whole status data to write, or null: unchanged (or nothing may be written). */
  write: Record<string, string> | null;
  /** The status after this step (typed), or null when there is none. */
  status: CutoverStatus | null;
  /** The phase before and after (for metrics and logs). */
  from: Phase | null;
  to: Phase | null;
  transition: DecideTransition | 'invalid-desired' | 'invalid-status';
  events: ControllerEvent[];
  /** Look again after this many ms (a cutover is open), or null: only when something changes. */
  requeueAfterMs: number | null;
  memory: ReconcileMemory;
  /** The desired handover as parsed (undefined when invalid). */
  desired?: CutoverDesired;
}

export const DEFAULT_RESYNC_MS = 10_000;
export const DEFAULT_STALL_MS = 300_000;

function isFinal(p: Phase): boolean {
  return p === 'Completed' || p === 'Rejected';
}

/**
 * Whether the colors must be polled for this step. `always` while a cutover is open (a generation
 * not yet decided as Completed or Rejected, or a Pending status whose generation left git);
 * `once` with no cutover (a generation withdrawn before any status named it shows only in the
 * gates' metrics: the executor polls once per change of the desired map); otherwise `never`.
 */
export function observationNeeded(
  desiredData: Record<string, string>,
  statusData: Record<string, string> | null,
): 'always' | 'once' | 'never' {
  const d = parseCutoverConfigMap(desiredData);
  if (!d.ok) return 'never';
  const s = statusData ? parseCutoverStatus(statusData) : null;
  if (s && !s.ok) return 'never';
  const status = s?.ok ? s.value : null;
  return cutoverOpen(d.value, status) ? 'always' : d.value.generation === 0 ? 'once' : 'never';
}

/** A cutover is open: git names a generation not decided for good, or a Pending one was withdrawn. */
export function cutoverOpen(desired: CutoverDesired, status: CutoverStatus | null): boolean {
  const g = desired.generation;
  // Withdrawn from git while Pending (to be Rejected) or after it was armed (completes on the
  // status's own values).
  if (g === 0)
    return !!status && (status.phase === 'Pending' || status.phase === 'Armed') && status.generation > 0;
  if (status && status.generation > g) return false;
  return !(status && status.generation === g && isFinal(status.phase));
}

/** Gate operators and subtasks of a color flattened into one index range, for decide(). */
interface Flattened {
  color: ObservedColor;
  /** Flat subtask index -> [operator, subtask]. */
  names: [string, number][];
}

function flatten(report: ColorReport | undefined, gated: boolean): Flattened | undefined {
  if (!report || !report.ok) return undefined;
  const job = report.job;
  if (job.state !== 'RUNNING')
    return { color: { jobId: job.jobId, running: false, parallelism: 0, subtasks: [] }, names: [] };
  if (!gated) {
    const w = job.committedWatermark ?? null;
    return {
      color: {
        jobId: job.jobId,
        running: true,
        parallelism: 1,
        subtasks: [{ subtask: 0, preparedGeneration: 0, maxTimestampAtPrepare: null, gateWatermark: w }],
      },
      names: [['job', 0]],
    };
  }
  const subtasks: SubtaskReport[] = [];
  const names: [string, number][] = [];
  let offset = 0;
  for (const g of job.gates) {
    for (let i = 0; i < g.parallelism; i++) names.push([g.operator, i]);
    for (const s of g.subtasks) subtasks.push({ ...s, subtask: offset + s.subtask });
    offset += g.parallelism;
  }
  return { color: { jobId: job.jobId, running: true, parallelism: offset, subtasks }, names };
}

/** decide() numbers subtasks across all gates of a color; the reason names operator and subtask. */
function nameSubtasks(reason: string, flat: Partial<Record<Color, Flattened>>): string {
  return reason.replace(/\b(blue|green) subtask (\d+)\b/g, (all, c: Color, n: string) => {
    const names = flat[c]?.names;
    const entry = names?.[Number(n)];
    if (!entry) return all;
    return `${c} ${entry[0]} subtask ${entry[1]}`;
  });
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

const PHASE_EVENT: Record<Phase, { type: 'Normal' | 'Warning'; reason: EventReason }> = {
  Pending: { type: 'Normal', reason: 'CutoverPending' },
  Armed: { type: 'Normal', reason: 'CutoverArmed' },
  Completed: { type: 'Normal', reason: 'CutoverCompleted' },
  Rejected: { type: 'Warning', reason: 'CutoverRejected' },
};

/**
 * One reconcile step. Never throws: invalid data is a Warning Event and no write. The status is
 * written whole and only when decide() says it changed; a status this controller cannot read is
 * never overwritten (a decided generation must not restart from Pending).
 */
export function reconcile(
  desiredData: Record<string, string>,
  statusData: Record<string, string> | null,
  observed: Observed,
  now: number,
  ctx: ReconcileContext,
): ReconcileResult {
  const resyncMs = ctx.options?.resyncMs ?? DEFAULT_RESYNC_MS;
  const stallMs = ctx.options?.stallMs ?? DEFAULT_STALL_MS;
  const memory: ReconcileMemory = {
    warned: [...(ctx.memory?.warned ?? [])],
    progress: { ...(ctx.memory?.progress ?? {}) },
  };
  const events: ControllerEvent[] = [];
  const ref = ctx.desiredRef;
  const emit = (type: 'Normal' | 'Warning', reason: EventReason, message: string) =>
    events.push({ type, reason, message, involvedObject: ref });
  /** A warning once per key until `clear`ed. */
  const warnOnce = (key: string, reason: EventReason, message: string) => {
    if (memory.warned.includes(key)) return;
    memory.warned.push(key);
    emit('Warning', reason, message);
  };
  const clear = (prefix: string) => (memory.warned = memory.warned.filter((k) => !k.startsWith(prefix)));

  const d = parseCutoverConfigMap(desiredData);
  if (!d.ok) {
    const text = d.errors.map((e) => `${e.key || '(data)'}: ${e.message}`).join('; ');
    warnOnce(
      `invalid-desired:${text}`,
      'InvalidDesired',
      `${ref.name} is not a valid cutover ConfigMap (${text}); nothing is decided until it is fixed in git`,
    );
    return {
      write: null,
      status: null,
      from: null,
      to: null,
      transition: 'invalid-desired',
      events,
      requeueAfterMs: null,
      memory,
    };
  }
  clear('invalid-desired:');
  const desired = d.value;
  let status: CutoverStatus | null = null;
  if (statusData) {
    const s = parseCutoverStatus(statusData);
    if (!s.ok) {
      const text = s.errors.map((e) => `${e.key || '(data)'}: ${e.message}`).join('; ');
      warnOnce(
        `invalid-status:${text}`,
        'InvalidStatus',
        `${desired.pipeline}-cutover-status is not a valid status (${text}); the controller does not overwrite it: delete it only if no cutover is in flight`,
      );
      return {
        write: null,
        status: null,
        from: null,
        to: null,
        transition: 'invalid-status',
        events,
        requeueAfterMs: null,
        memory,
        desired,
      };
    }
    status = s.value;
  }
  clear('invalid-status:');

  // JobManagers unreachable: once per outage and color.
  for (const c of ['blue', 'green'] as const) {
    const r = observed[c];
    if (r && !r.ok)
      warnOnce(
        `unreachable:${c}`,
        'JobManagerUnreachable',
        `${c} JobManager ${desired.colors[c]?.restUrl ?? ''}: ${r.message}`.replace(/ {2}/, ' '),
      );
    else if (r) clear(`unreachable:${c}`);
  }

  const flat: Partial<Record<Color, Flattened>> = {};
  const metrics: ObservedGateMetrics = {};
  for (const c of ['blue', 'green'] as const) {
    const f = flatten(observed[c], desired.colors[c]?.gate !== false);
    if (f) {
      flat[c] = f;
      metrics[c] = f.color;
    }
  }
  const decision = decide(desired, status, metrics, { now: iso(now) });
  let next = decision.status;
  if (next && decision.changed && next.reason) next = { ...next, reason: nameSubtasks(next.reason, flat) };

  const g = desired.generation;
  // Events on phase changes.
  const before = status && next && status.generation === next.generation ? status.phase : null;
  if (next && decision.changed && next.phase !== before) {
    const reason = next.reason ?? '';
    if (decision.transition === 'withdrawn')
      emit('Normal', 'CutoverWithdrawn', `generation ${next.generation} Rejected: ${reason}`);
    else {
      const e = PHASE_EVENT[next.phase];
      const head =
        next.phase === 'Pending'
          ? `generation ${g} (${desired.active} -> ${desired.to} at W ${iso(desired.watermark!)}) Pending`
          : `generation ${next.generation} ${next.phase}`;
      emit(e.type, e.reason, `${head}: ${reason}`);
    }
  }
  if (g > 0 && next && next.generation === g && next.phase === 'Pending') {
    for (const c of [desired.active, desired.to!]) {
      const r = observed[c];
      if (
        desired.colors[c]?.gate !== false &&
        r?.ok &&
        r.job.state === 'RUNNING' &&
        r.job.gates.length === 0
      ) {
        warnOnce(
          `nogate:${g}:${c}`,
          'GateNotFound',
          `${c} job ${r.job.jobId} has no operator named flink-cutover-gate (or flink-cutover-gate-<suffix>): generation ${g} cannot arm; is the gate in the job, or should ${c}.gate be false?`,
        );
      }
    }
    if (desired.watermark !== undefined && now >= desired.watermark) {
      warnOnce(
        `notarmed:${g}`,
        'CutoverNotArmedPastWatermark',
        `generation ${g}: W ${iso(desired.watermark)} has passed and it is not armed (${next.reason ?? ''}); the gates hold records at or past W until it is decided`,
      );
    }
  }

  // Armed and a color's watermark has not moved for stallMs (judged on the status's own W: a
  // generation withdrawn after it was armed is no longer in git).
  if (next && next.phase === 'Armed') {
    const target = next.watermark + desired.lateness;
    for (const c of [next.active, next.to]) {
      const w = next.watermarks[c];
      const p = memory.progress[c];
      if (w === undefined || w >= target) continue;
      if (!p || p.watermark !== w) {
        memory.progress[c] = { watermark: w, since: now };
        clear(`stalled:${next.generation}:${c}`);
      } else if (now - p.since >= stallMs) {
        warnOnce(
          `stalled:${next.generation}:${c}`,
          'CutoverWatermarkStalled',
          `generation ${next.generation} is Armed and ${c}'s watermark has stayed at ${iso(w)} for ${Math.round((now - p.since) / 1000)} s; it completes when both reach W + lateness = ${iso(target)}`,
        );
      }
    }
  } else {
    memory.progress = {};
  }

  if (next && isFinal(next.phase)) {
    memory.warned = memory.warned.filter((k) => k.startsWith('unreachable:'));
  }

  const write = decision.changed && next ? renderCutoverStatus(next) : null;
  const open = cutoverOpen(desired, next);
  return {
    write,
    status: next,
    from: status?.phase ?? null,
    to: next?.phase ?? null,
    transition: decision.transition,
    events,
    requeueAfterMs: open ? resyncMs : null,
    memory,
    desired,
  };
}
