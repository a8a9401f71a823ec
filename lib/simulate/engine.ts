/**
 * The handover simulator: two jobs (blue, green) read the same partitioned input, each subtask
 * runs a gate, the controller runs `decide`, sinks commit on checkpoints, and the committed output
 * is audited: every input record must be emitted exactly once across both colors.
 * Deterministic from the scenario (including its seed); wall time advances in ticks of TICK_MS.
 */
import type { CutoverDesired, CutoverStatus, Phase } from '../gate/contract.js';
import { decide } from '../gate/decide.js';
import type { ObservedGateMetrics } from '../gate/decide.js';
import { Gate } from '../gate/gate.js';
import { redistribute } from '../gate/redistribute.js';
import { humanDuration } from '../spec/duration.js';
import type {
  GateDesired,
  GateMetrics,
  GateRecord,
  GateSnapshot,
  GateStatus,
  RecordDecision,
  Released,
} from '../gate/types.js';
import type { Color } from '../spec/types.js';
import { rng } from './rng.js';
import type { Rng } from './rng.js';
import type { Scenario } from './scenario.js';
import { EPOCH, MAX_DRAIN_MS } from './scenario.js';
import { strategyRules } from './strategies.js';
import type { Strategy, StrategyRules } from './strategies.js';
import { UngatedJob } from './ungated.js';
import { WatermarkSwitchGate } from './watermark-gate.js';

export const TICK_MS = 50;
/** A source partition with nothing to read for this long stops holding the watermark back. */
export const IDLE_TIMEOUT_MS = 1000;
export { MAX_DRAIN_MS } from './scenario.js';

/** The gate interface the engine drives (the reference gate or the watermark-switch proposal). */
interface SimGate {
  readonly ready: boolean;
  readonly phase: Phase | 'none';
  readonly held: readonly GateRecord[];
  onConfig(d: GateDesired): Released[];
  onStatus(s: GateStatus | null): Released[];
  onRecord(r: GateRecord): RecordDecision;
  onWatermark(w: number): void;
  snapshot(): GateSnapshot;
  onCheckpointComplete(s: GateSnapshot): void;
  metrics(): GateMetrics;
}

export interface TimelineEvent {
  atMs: number;
  color?: Color;
  kind:
    | 'input'
    | 'start'
    | 'restart'
    | 'restore'
    | 'commit'
    | 'prepare'
    | 'status'
    | 'gate-phase'
    | 'teardown'
    | 'end';
  text: string;
}

/** One committed output record (trace mode): processed at wall `atMs`, visible at `committedAtMs`. */
export interface OutputPoint {
  color: Color;
  atMs: number;
  committedAtMs: number;
  t: number;
}

/** A record the audit found missing (never committed) or duplicated (committed more than once). */
export interface Anomaly {
  kind: 'missing' | 'duplicate';
  /** Wall time the record arrived in the input. */
  arrivalMs: number;
  /** Its event time, relative to W. */
  t: number;
  /** Times it was committed (0 when missing). */
  copies: number;
}

/** At most this many anomalies are kept per kind (trace mode; the counts are exact). */
export const MAX_ANOMALIES = 2000;

/** How the handover went for one color (trace mode). */
export interface ColorStats {
  parallelism: number;
  startedAtMs: number | null;
  failures: number;
  /** First and last wall time a subtask prepared for the generation. */
  prepared: [number, number] | null;
  /** Smallest and largest maxTimestampAtPrepare, relative to W. */
  maxAtPrepareVsW: [number, number] | null;
  /** First and last wall time a subtask started acting on each phase. */
  phases: Partial<Record<Phase, [number, number]>>;
  /** Held records released by this color's gates: emitted here / dropped here. */
  releasedEmitted: number;
  releasedDropped: number;
  tornDownAtMs: number | null;
}

export interface RunResult {
  scenario: string;
  strategy: Strategy;
  records: number;
  duplicates: number;
  missing: number;
  /** Records emitted (committed) per color. */
  emitted: Record<Color, number>;
  /** Event time (relative to W) of the earliest and latest missing / duplicated record. */
  missingAt: [number, number] | null;
  duplicatesAt: [number, number] | null;
  /** Trace mode: the missing and duplicated records (at most MAX_ANOMALIES of each kind). */
  anomalies: Anomaly[];
  /** Records still held by some gate when the run ended (counted in missing). */
  heldAtEnd: number;
  maxHeld: number;
  /** The active color has no gate (gate: false): duplicates of records at or past W are expected, until it is torn down. */
  atLeastOnce: boolean;
  /** The color that owned the output before the cutover. */
  active: Color;
  /** With cutover.withdrawAtMs: the phase the status had when the cutover was withdrawn ('none': no status yet). */
  withdrawnIn?: Phase | 'none';
  /** Final phase of the cutover ('none' for watermark-gate). */
  phase: Phase | 'none';
  reason: string;
  watermark: number;
  armedAtMs?: number;
  completedAtMs?: number;
  rejectedAtMs?: number;
  /** Longest wall-clock gap between non-empty output commits from the cutover commit to its completion (or input end). */
  outputStallMs: number;
  endMs: number;
  timeline: TimelineEvent[];
  points: OutputPoint[];
  colors: Record<Color, ColorStats>;
}

export interface SimulateOptions {
  strategy?: Strategy;
  /** Keep the timeline and every output point (single runs, SVG). */
  trace?: boolean;
}

interface Delivery {
  at: number;
  kind: 'config' | 'status';
  config?: GateDesired;
  status?: GateStatus | null;
}

interface Pending {
  id: number;
  t: number;
  at: number;
}

interface Subtask {
  index: number;
  gate: SimGate;
  parts: number[];
  maxT: number[];
  lastArrival: number[];
  inbox: Delivery[];
  preparedSeen: number;
  phaseSeen: Phase | 'none';
}

interface Checkpoint {
  at: number;
  offsets: Int32Array;
  snaps: GateSnapshot[];
}

interface Job {
  color: Color;
  attempt: number;
  state: 'not-started' | 'running' | 'down' | 'stopped';
  subtasks: Subtask[];
  offsets: Int32Array;
  pending: Pending[];
  checkpoint: Checkpoint | null;
  nextCheckpointAt: number;
  restoreAt: number;
  startedAt: number;
}

interface Input {
  t: Float64Array[];
  arrival: Float64Array[];
  base: number[];
  total: number;
}

/** Generates the input log: per partition, records in arrival order with jittered event times. */
function generateInput(s: Scenario, r: Rng): Input {
  const t: Float64Array[] = [];
  const arrival: Float64Array[] = [];
  const base: number[] = [];
  let total = 0;
  const perTick = (s.input.ratePerSecond * TICK_MS) / 1000;
  for (let p = 0; p < s.input.partitions; p++) {
    const ts: number[] = [];
    const as: number[] = [];
    const idle = s.input.idle.filter((w) => w.partition === p);
    for (let at = 0; at < s.input.durationMs; at += TICK_MS) {
      if (idle.some((w) => at >= w.fromMs && at < w.toMs)) continue;
      const n = Math.floor(perTick + r.next());
      const stamps: number[] = [];
      for (let k = 0; k < n; k++) stamps.push(at + r.next() * TICK_MS);
      stamps.sort((a, b) => a - b);
      for (const a of stamps) {
        const late = s.input.lateFraction > 0 && r.chance(s.input.lateFraction);
        const jitter =
          r.next() * s.input.outOfOrdernessMs +
          (late ? s.input.outOfOrdernessMs + r.next() * s.input.lateByMaxMs : 0);
        as.push(a);
        ts.push(EPOCH + Math.floor(a - Math.min(jitter, s.input.outOfOrdernessMs + s.input.lateByMaxMs)));
      }
    }
    base.push(total);
    total += ts.length;
    t.push(Float64Array.from(ts));
    arrival.push(Float64Array.from(as));
  }
  return { t, arrival, base, total };
}

function iso(ms: number): string {
  return new Date(EPOCH + ms).toISOString();
}

/** Runs one scenario and audits its committed output. */
export function simulate(s: Scenario, options: SimulateOptions = {}): RunResult {
  const strategy = options.strategy ?? 'two-phase';
  const rules: StrategyRules = strategyRules(strategy);
  const trace = options.trace ?? false;
  const r = rng(s.seed);
  const input = generateInput(s, r);
  const delays = rng(s.seed ^ 0x5bd1e995);
  const from = s.active;
  const to: Color = from === 'blue' ? 'green' : 'blue';
  const W = EPOCH + s.cutover.watermarkAtMs;
  const timeline: TimelineEvent[] = [];
  const points: OutputPoint[] = [];
  const note = (atMs: number, kind: TimelineEvent['kind'], text: string, color?: Color): void => {
    if (trace) timeline.push(color ? { atMs, color, kind, text } : { atMs, kind, text });
  };

  const stats: Record<Color, ColorStats> = {
    blue: {
      parallelism: s.colors.blue.parallelism,
      startedAtMs: null,
      failures: 0,
      prepared: null,
      maxAtPrepareVsW: null,
      phases: {},
      releasedEmitted: 0,
      releasedDropped: 0,
      tornDownAtMs: null,
    },
    green: {
      parallelism: s.colors.green.parallelism,
      startedAtMs: null,
      failures: 0,
      prepared: null,
      maxAtPrepareVsW: null,
      phases: {},
      releasedEmitted: 0,
      releasedDropped: 0,
      tornDownAtMs: null,
    },
  };
  const widen = (range: [number, number] | null, v: number): [number, number] =>
    range ? [Math.min(range[0], v), Math.max(range[1], v)] : [v, v];
  const counts = new Uint8Array(input.total);
  const emitted: Record<Color, number> = { blue: 0, green: 0 };
  const commitTimes: number[] = [];
  let maxHeld = 0;

  // Cluster state: the ConfigMaps as they are now.
  const gated = (c: Color): boolean => s.colors[c].gate !== false;
  const colorsEndpoints = {
    blue: { restUrl: 'http://blue-rest:8081', gate: gated('blue') },
    green: { restUrl: 'http://green-rest:8081', gate: gated('green') },
  };
  let desired: CutoverDesired = {
    pipeline: s.name,
    active: from,
    generation: 0,
    lateness: s.cutover.latenessMs,
    gateMode: s.cutover.gateMode,
    colors: colorsEndpoints,
  };
  let status: CutoverStatus | null = null;
  const gateDesired = (d: CutoverDesired): GateDesired => {
    const g: GateDesired = {
      active: d.active,
      generation: d.generation,
      lateness: d.lateness,
      gateMode: d.gateMode,
    };
    if (d.to !== undefined) g.to = d.to;
    if (d.watermark !== undefined) g.watermark = d.watermark;
    return g;
  };
  const gateStatus = (st: CutoverStatus | null): GateStatus | null =>
    st
      ? {
          generation: st.generation,
          phase: st.phase,
          active: st.active,
          to: st.to,
          watermark: st.watermark,
          history: st.history,
        }
      : null;

  const delay = (): number =>
    s.propagation.minMs + Math.floor(delays.next() * (s.propagation.maxMs - s.propagation.minMs + 1));
  // Deliveries of one ConfigMap to one subtask arrive in order (a watch), each after its own delay.
  const push = (st: Subtask, d: Delivery): void => {
    for (const x of st.inbox) if (x.kind === d.kind && x.at > d.at) d.at = x.at;
    let i = st.inbox.length;
    while (i > 0 && st.inbox[i - 1]!.at > d.at) i--;
    st.inbox.splice(i, 0, d);
  };
  const deliverAll = (now: number, kind: 'config' | 'status'): void => {
    for (const job of jobs) {
      if (job.state !== 'running') continue;
      for (const st of job.subtasks) {
        push(
          st,
          kind === 'config'
            ? { at: now + delay(), kind, config: gateDesired(desired) }
            : { at: now + delay(), kind, status: gateStatus(status) },
        );
      }
    }
  };

  const makeGate = (color: Color, snap: GateSnapshot | null): SimGate => {
    if (!gated(color)) return new UngatedJob();
    if (!rules.twoPhase) return new WatermarkSwitchGate(color, snap ?? undefined);
    return snap ? Gate.restore(color, snap, { rules: rules.gate }) : new Gate(color, { rules: rules.gate });
  };

  const newJob = (color: Color): Job => ({
    color,
    attempt: 0,
    state: 'not-started',
    subtasks: [],
    offsets: new Int32Array(s.input.partitions),
    pending: [],
    checkpoint: null,
    nextCheckpointAt: 0,
    restoreAt: 0,
    startedAt: 0,
  });
  const jobs: Job[] = [newJob(from), newJob(to)];
  const jobOf = (c: Color): Job => (jobs[0]!.color === c ? jobs[0]! : jobs[1]!);

  /** Starts (or restarts) a job from offsets and gate snapshots (already one per subtask, or redistributed). */
  const launch = (
    job: Job,
    now: number,
    offsets: Int32Array,
    snaps: readonly GateSnapshot[] | null,
  ): void => {
    const par = s.colors[job.color].parallelism;
    job.attempt++;
    job.state = 'running';
    job.startedAt = now;
    job.offsets = Int32Array.from(offsets);
    job.pending = [];
    job.nextCheckpointAt = now + s.checkpointIntervalMs;
    job.subtasks = [];
    for (let i = 0; i < par; i++) {
      const parts: number[] = [];
      for (let p = i; p < s.input.partitions; p += par) parts.push(p);
      const snap = snaps === null ? null : snaps.length === par ? snaps[i]! : redistribute(snaps, i, par);
      const gate = makeGate(job.color, snap);
      const st: Subtask = {
        index: i,
        gate,
        parts,
        maxT: parts.map(() => -Infinity),
        lastArrival: parts.map(() => now),
        inbox: [],
        preparedSeen: gate.metrics().preparedGeneration,
        phaseSeen: gate.phase,
      };
      // Read both ConfigMaps before the first record (skipped by no-restore-read after a restore).
      if (!gate.ready) {
        push(st, { at: now + delay(), kind: 'config', config: gateDesired(desired) });
        push(st, { at: now + delay(), kind: 'status', status: gateStatus(status) });
      }
      job.subtasks.push(st);
    }
  };

  const sinkRecord = (
    job: Job,
    rec: GateRecord,
    at: number,
    action: 'emit' | 'drop' | 'tag',
    owner: Color,
  ): void => {
    if (action === 'emit' || (action === 'tag' && owner === job.color))
      job.pending.push({ id: rec.id as number, t: rec.t, at });
  };

  const checkpoint = (job: Job, now: number): void => {
    const snaps = job.subtasks.map((st) => st.gate.snapshot());
    job.checkpoint = { at: now, offsets: Int32Array.from(job.offsets), snaps };
    if (job.pending.length > 0) {
      commitTimes.push(now);
      for (const p of job.pending) {
        if (counts[p.id]! < 255) counts[p.id]!++;
        emitted[job.color]++;
        if (trace) points.push({ color: job.color, atMs: p.at, committedAtMs: now, t: p.t });
      }
      job.pending = [];
    }
    job.subtasks.forEach((st, i) => st.gate.onCheckpointComplete(snaps[i]!));
  };

  const runSubtask = (job: Job, st: Subtask, now: number): void => {
    while (st.inbox.length > 0 && st.inbox[0]!.at <= now) {
      const d = st.inbox.shift()!;
      const released = d.kind === 'config' ? st.gate.onConfig(d.config!) : st.gate.onStatus(d.status ?? null);
      for (const rel of released) sinkRecord(job, rel.record, now, rel.action, rel.owner);
      const cs = stats[job.color];
      for (const rel of released) {
        if (rel.action === 'emit' || (rel.action === 'tag' && rel.owner === job.color)) cs.releasedEmitted++;
        else cs.releasedDropped++;
      }
      if (trace) {
        const m = st.gate.metrics();
        if (m.preparedGeneration !== st.preparedSeen && m.preparedGeneration > 0) {
          cs.prepared = widen(cs.prepared, now);
          if (m.maxTimestampAtPrepare !== null)
            cs.maxAtPrepareVsW = widen(cs.maxAtPrepareVsW, m.maxTimestampAtPrepare - W);
          note(
            now,
            'prepare',
            `subtask ${st.index} prepared for generation ${m.preparedGeneration} (max t seen: ${m.maxTimestampAtPrepare === null ? 'none' : `W${fmtOffset(m.maxTimestampAtPrepare - W)}`})`,
            job.color,
          );
        }
        if (st.gate.phase !== st.phaseSeen) {
          const ph = st.gate.phase;
          if (ph !== 'none') cs.phases[ph] = widen(cs.phases[ph] ?? null, now);
          note(
            now,
            'gate-phase',
            `subtask ${st.index} acts on ${st.gate.phase}${released.length > 0 ? `, released ${released.length} held record(s): ${released.filter((x) => x.action === 'emit' || (x.action === 'tag' && x.owner === job.color)).length} emitted` : ''}`,
            job.color,
          );
        }
      }
      st.preparedSeen = st.gate.metrics().preparedGeneration;
      st.phaseSeen = st.gate.phase;
    }
    if (!st.gate.ready) return;
    const cutoff = now - s.colors[job.color].lagMs;
    let budget =
      s.colors[job.color].maxRecordsPerSecond > 0
        ? Math.max(1, Math.floor((s.colors[job.color].maxRecordsPerSecond * TICK_MS) / 1000))
        : Infinity;
    // Merge the subtask's partitions in arrival order, up to its budget.
    for (;;) {
      if (budget <= 0) break;
      let best = -1;
      let bestAt = Infinity;
      for (let k = 0; k < st.parts.length; k++) {
        const p = st.parts[k]!;
        const off = job.offsets[p]!;
        if (off < input.arrival[p]!.length) {
          const a = input.arrival[p]![off]!;
          if (a <= cutoff && a < bestAt) {
            bestAt = a;
            best = k;
          }
        }
      }
      if (best < 0) break;
      const p = st.parts[best]!;
      const off = job.offsets[p]!;
      const rec: GateRecord = { id: input.base[p]! + off, t: input.t[p]![off]! };
      const dec = st.gate.onRecord(rec);
      if (dec.action === 'wait') break;
      job.offsets[p] = off + 1;
      budget--;
      if (rec.t > st.maxT[best]!) st.maxT[best] = rec.t;
      st.lastArrival[best] = bestAt;
      if (dec.action === 'emit' || dec.action === 'drop') sinkRecord(job, rec, now, dec.action, job.color);
      else if (dec.action === 'tag') sinkRecord(job, rec, now, 'tag', dec.owner);
    }
    // Watermark: min over partitions that are not idle (backlog, or a record within the idle timeout).
    let wm = Infinity;
    let any = false;
    for (let k = 0; k < st.parts.length; k++) {
      const p = st.parts[k]!;
      const off = job.offsets[p]!;
      const backlog = off < input.arrival[p]!.length && input.arrival[p]![off]! <= cutoff;
      if (!backlog && st.lastArrival[k]! < cutoff - IDLE_TIMEOUT_MS) continue;
      any = true;
      const w = st.maxT[k]! - s.input.outOfOrdernessMs;
      if (w < wm) wm = w;
    }
    if (any && wm > -Infinity) st.gate.onWatermark(wm);
    if (st.gate.held.length > maxHeld) maxHeld = st.gate.held.length;
  };

  // Controller.
  const knownJob: Partial<Record<Color, string>> = {};
  let nextPoll = s.pollIntervalMs;
  let phaseAt: Partial<Record<Phase, number>> = {};
  let teardownAt: number | null = null;
  const poll = (now: number): void => {
    const observed: ObservedGateMetrics = {};
    for (const job of jobs) {
      if (job.state !== 'running') continue;
      const id = `${job.color}-${job.attempt}`;
      knownJob[job.color] ??= id;
      if (!rules.rediscover && knownJob[job.color] !== id) continue; // polls the job id it saw first: gone
      observed[job.color] = {
        jobId: id,
        running: true,
        parallelism: job.subtasks.length,
        subtasks: job.subtasks.map((st) => ({ subtask: st.index, ...st.gate.metrics() })),
      };
    }
    const d = decide(desired, status, observed, { now: iso(now), rules: rules.decide });
    if (d.changed && d.status) {
      const before = status?.generation === d.status.generation ? status.phase : undefined;
      status = d.status;
      if (before !== status.phase) {
        phaseAt = { ...phaseAt, [status.phase]: now };
        note(now, 'status', `controller: ${status.phase}${status.reason ? ` (${status.reason})` : ''}`);
        if (status.phase === 'Completed' && s.teardownDelayMs !== null && teardownAt === null)
          teardownAt = now + s.teardownDelayMs;
      }
      deliverAll(now, 'status');
    }
  };

  let committed = false;
  let withdrawn = false;
  let withdrawnIn: Phase | 'none' | undefined;
  const restarts = [...s.restarts].sort((a, b) => a.atMs - b.atMs);
  let ri = 0;
  let now = 0;
  let end = 0;
  note(
    0,
    'input',
    `${input.total} records in ${s.input.partitions} partitions over ${fmtMs(s.input.durationMs)}; W = event time ${fmtMs(s.cutover.watermarkAtMs)}, lateness ${fmtMs(s.cutover.latenessMs)}; ${from} parallelism ${s.colors[from].parallelism}${gated(from) ? '' : ' (no gate: the cutover is at-least-once)'}, ${to} parallelism ${s.colors[to].parallelism}`,
  );
  for (; ; now += TICK_MS) {
    // Job starts: the active color from the beginning of the input, the standby from the active's latest checkpoint.
    for (const job of jobs) {
      if (job.state === 'not-started' && now >= s.colors[job.color].startMs) {
        const src = job.color === from ? null : jobOf(from).checkpoint;
        launch(job, now, src ? src.offsets : new Int32Array(s.input.partitions), src ? src.snaps : null);
        stats[job.color].startedAtMs = now;
        note(
          now,
          'start',
          src
            ? `started from ${from}'s checkpoint of ${fmtMs(src.at)} (${src.snaps.reduce((n, x) => n + x.held.length, 0)} held record(s) in it)`
            : 'started from the beginning of the input',
          job.color,
        );
      } else if (job.state === 'down' && now >= job.restoreAt) {
        const cp = job.checkpoint;
        launch(job, now, cp ? cp.offsets : new Int32Array(s.input.partitions), cp ? cp.snaps : null);
        note(
          now,
          'restore',
          `restored from its checkpoint of ${cp ? fmtMs(cp.at) : '(none: from the start)'}, attempt ${job.attempt}${rules.gate.restoreRead ? '' : ' (no re-read of the ConfigMaps)'}`,
          job.color,
        );
      }
    }
    while (ri < restarts.length && restarts[ri]!.atMs <= now) {
      const rs = restarts[ri++]!;
      const job = jobOf(rs.color);
      if (job.state !== 'running') continue;
      job.state = 'down';
      job.restoreAt = now + rs.downMs;
      stats[job.color].failures++;
      note(
        now,
        'restart',
        `job failed: ${job.pending.length} uncommitted output record(s) discarded; down for ${fmtMs(rs.downMs)}`,
        job.color,
      );
      job.pending = [];
      job.subtasks = [];
    }
    if (!committed && now >= s.cutover.commitAtMs) {
      committed = true;
      desired = { ...desired, generation: 1, to, watermark: W };
      note(now, 'commit', `cutover committed: generation 1, ${from} -> ${to} at W`);
      deliverAll(now, 'config');
    }
    if (committed && !withdrawn && s.cutover.withdrawAtMs !== undefined && now >= s.cutover.withdrawAtMs) {
      withdrawn = true;
      desired = {
        pipeline: desired.pipeline,
        active: from,
        generation: 0,
        lateness: desired.lateness,
        gateMode: desired.gateMode,
        colors: desired.colors,
      };
      const st = status as CutoverStatus | null; // assigned inside poll()
      withdrawnIn = st?.generation === 1 ? st.phase : 'none';
      note(
        now,
        'commit',
        `cutover withdrawn from git (generation 0; the status says ${st?.generation === 1 ? st.phase : 'nothing yet'})`,
      );
      deliverAll(now, 'config');
    }
    for (const job of jobs)
      if (job.state === 'running') for (const st of job.subtasks) runSubtask(job, st, now);
    for (const job of jobs) {
      if (job.state === 'running' && now >= job.nextCheckpointAt) {
        checkpoint(job, now);
        job.nextCheckpointAt = now + s.checkpointIntervalMs;
      }
    }
    if (rules.twoPhase && now >= nextPoll) {
      poll(now);
      nextPoll = now + s.pollIntervalMs;
    }
    if (teardownAt !== null && now >= teardownAt && jobOf(from).state !== 'stopped') {
      const job = jobOf(from);
      note(
        now,
        'teardown',
        `torn down (cancelled; ${job.pending.length} uncommitted record(s) discarded)`,
        from,
      );
      job.state = 'stopped';
      stats[from].tornDownAtMs = now;
      job.pending = [];
      job.subtasks = [];
    }
    if (now >= s.input.durationMs) {
      const drained = jobs.every(
        (j) =>
          j.state === 'stopped' ||
          (j.state === 'running' &&
            j.pending.length === 0 &&
            j.offsets.every((o, p) => o >= input.t[p]!.length) &&
            j.subtasks.every((st) => st.gate.held.length === 0 && st.inbox.length === 0)),
      );
      if ((drained && restarts.every((x) => x.atMs <= now)) || now >= s.input.durationMs + MAX_DRAIN_MS) {
        end = now;
        break;
      }
    }
  }

  let heldAtEnd = 0;
  for (const job of jobs) for (const st of job.subtasks) heldAtEnd += st.gate.held.length;
  let duplicates = 0;
  let missing = 0;
  let missingAt: [number, number] | null = null;
  let duplicatesAt: [number, number] | null = null;
  const anomalies: Anomaly[] = [];
  let keptMissing = 0;
  let keptDuplicates = 0;
  for (let p = 0; p < s.input.partitions; p++) {
    const ts = input.t[p]!;
    for (let off = 0; off < ts.length; off++) {
      const c = counts[input.base[p]! + off]!;
      if (c === 0) {
        missing++;
        missingAt = widen(missingAt, ts[off]! - W);
        if (trace && keptMissing++ < MAX_ANOMALIES)
          anomalies.push({ kind: 'missing', arrivalMs: input.arrival[p]![off]!, t: ts[off]! - W, copies: 0 });
      } else if (c > 1) {
        duplicates += c - 1;
        duplicatesAt = widen(duplicatesAt, ts[off]! - W);
        if (trace && keptDuplicates++ < MAX_ANOMALIES)
          anomalies.push({
            kind: 'duplicate',
            arrivalMs: input.arrival[p]![off]!,
            t: ts[off]! - W,
            copies: c,
          });
      }
    }
  }
  // Output stall: longest gap between non-empty commits from the cutover commit to its completion (or input end).
  const windowEnd = Math.min(phaseAt.Completed ?? s.input.durationMs, s.input.durationMs);
  let stall = 0;
  let prev = s.cutover.commitAtMs;
  for (const t of commitTimes) {
    if (t < s.cutover.commitAtMs) continue;
    if (t > windowEnd) {
      stall = Math.max(stall, Math.min(t, windowEnd) - prev);
      break;
    }
    stall = Math.max(stall, t - prev);
    prev = t;
  }
  const finalStatus = status as CutoverStatus | null; // assigned inside poll()
  const phase: Phase | 'none' = rules.twoPhase ? (finalStatus?.phase ?? 'Pending') : 'none';
  const reason = rules.twoPhase
    ? (finalStatus?.reason ?? 'no status written')
    : 'watermark-gate has no controller';
  note(end, 'end', `run ended: ${missing} missing, ${duplicates} duplicate(s)`);
  const result: RunResult = {
    scenario: s.name,
    strategy,
    records: input.total,
    duplicates,
    missing,
    emitted,
    missingAt,
    duplicatesAt,
    anomalies,
    heldAtEnd,
    maxHeld,
    atLeastOnce: !gated(from),
    active: from,
    phase,
    reason,
    watermark: W,
    outputStallMs: stall,
    endMs: end,
    timeline,
    points,
    colors: stats,
  };
  if (withdrawnIn !== undefined) result.withdrawnIn = withdrawnIn;
  if (phaseAt.Armed !== undefined) result.armedAtMs = phaseAt.Armed;
  if (phaseAt.Completed !== undefined) result.completedAtMs = phaseAt.Completed;
  if (phaseAt.Rejected !== undefined) result.rejectedAtMs = phaseAt.Rejected;
  return result;
}

/** `12.35s` */
export function fmtMs(ms: number): string {
  // From a minute on, minutes and whole seconds (`1m30s`): hundredths matter only close up.
  if (Math.abs(ms) >= 60_000) return (ms < 0 ? '-' : '') + humanDuration(Math.abs(ms));
  return `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 2)}s`;
}

/** `+1.20s` / `-0.35s` relative to W. */
export function fmtOffset(ms: number): string {
  return `${ms >= 0 ? '+' : '-'}${fmtMs(Math.abs(ms))}`;
}
