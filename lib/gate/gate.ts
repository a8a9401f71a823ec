/**
 * The reference gate: the decision logic one gate subtask runs, as a small state machine. It
 * observes the desired and status ConfigMaps (in any order, late, repeated), decides each record
 * (emit | drop | hold | tag), releases held records once the generation is decided, reports its
 * metrics and survives a restore from its checkpointed state. No I/O: the caller feeds events.
 *
 * Every branch of the state machine calls `trace(<branch id>)`; GATE_BRANCHES lists them all and
 * the conformance vectors must fire each one (test/gate/vectors.test.ts).
 */
import type { Color } from '../spec/types.js';
import type { DecidedGeneration, Phase } from './contract.js';
import { chainFor, chainOwner } from './contract.js';
import type {
  GateDesired,
  GateMetrics,
  GateRecord,
  GateRules,
  GateSnapshot,
  GateStatus,
  Released,
  RecordDecision,
} from './types.js';
import { PROTOCOL_GATE_RULES } from './types.js';

/** Every branch of the protocol gate (all rules on). */
export const GATE_BRANCHES = [
  'config.first',
  'config.new-generation',
  'config.cleared',
  'config.stale-clear-ignored',
  'config.repeat',
  'config.repeat-updated',
  'config.cleared-deferred',
  'config.clear-contradicts-decision',
  'config.older-ignored',
  'status.absent',
  'status.first',
  'status.newer-generation',
  'status.older-ignored',
  'status.repeat',
  'status.advance',
  'status.regression-ignored',
  'ready.after-reads',
  'record.wait-not-ready',
  'owner.no-cutover',
  'owner.pending-before-w',
  'owner.pending-hold',
  'owner.decided-before-w',
  'owner.decided-at-or-after-w',
  'owner.rejected',
  'owner.status-generation',
  'owner.chained',
  'record.hold',
  'record.emit',
  'record.drop',
  'record.tag',
  'release.decided',
  'release.still-held',
  'watermark.advance',
  'watermark.stale',
  'watermark.none',
  'snapshot.taken',
  'checkpoint.commit-watermark',
  'checkpoint.stale',
  'restore.await-reads',
] as const;
export type GateBranch = (typeof GATE_BRANCHES)[number];

/** Branches only a variant with a protocol rule dropped can take. */
export const VARIANT_BRANCHES = [
  'variant.restore-without-read',
  'variant.snapshot-without-held',
  'variant.status-regression-applied',
  'variant.reprepare-after-lost-state',
] as const;
export type VariantBranch = (typeof VARIANT_BRANCHES)[number];

export type Trace = (branch: GateBranch | VariantBranch) => void;

const noTrace: Trace = () => undefined;

/** Forward transitions of one generation's phase. Pending -> Completed covers a gate that missed Armed. */
export const FORWARD: Record<Phase, readonly Phase[]> = {
  Pending: ['Armed', 'Rejected', 'Completed'],
  Armed: ['Completed'],
  Rejected: [],
  Completed: [],
};

/** Java's Long.MIN_VALUE (-2^63, exact as a double): Flink's "no watermark yet". */
export const LONG_MIN_WATERMARK = -9223372036854775808;

export function emptySnapshot(): GateSnapshot {
  return {
    version: 1,
    desired: null,
    status: null,
    maxTimestamp: null,
    prepared: null,
    watermark: null,
    committedWatermark: null,
    held: [],
  };
}

function copyStatus(st: GateStatus): GateStatus {
  return { ...st, history: st.history.map((h) => ({ ...h })) };
}

function copySnapshot(s: GateSnapshot): GateSnapshot {
  return {
    version: 1,
    desired: s.desired ? { ...s.desired } : null,
    status: s.status ? copyStatus(s.status) : null,
    maxTimestamp: s.maxTimestamp,
    prepared: s.prepared ? { ...s.prepared } : null,
    watermark: s.watermark,
    committedWatermark: s.committedWatermark,
    held: s.held.map((r) => ({ ...r })),
  };
}

function max(a: number | null, b: number): number {
  return a === null || b > a ? b : a;
}

/**
 * The cutover a gate acts on, derived from the desired and status ConfigMaps it holds: the desired
 * generation, or a newer generation known only from the status (a fresh gate after a withdrawal
 * raced the arm), judged by the status's own active, to and W.
 */
type Acting =
  | { steady: true; active: Color }
  | {
      steady: false;
      generation: number;
      active: Color;
      to: Color;
      watermark: number;
      phase: Phase;
      chain: readonly DecidedGeneration[];
      fromStatus: boolean;
    };

/** A clear (generation 0) that settles the status's generation: a teardown after Completed or a withdrawal after Rejected. */
function settles(d: GateDesired, st: GateStatus): boolean {
  return (
    d.generation === 0 &&
    ((st.phase === 'Completed' && d.active === st.to) || (st.phase === 'Rejected' && d.active === st.active))
  );
}

function acting(d: GateDesired, st: GateStatus | null): Acting {
  if (st && st.generation > d.generation && !settles(d, st)) {
    return {
      steady: false,
      generation: st.generation,
      active: st.active,
      to: st.to,
      watermark: st.watermark,
      phase: st.phase,
      chain: st.history,
      fromStatus: true,
    };
  }
  if (d.generation === 0) return { steady: true, active: d.active };
  if (st && st.generation === d.generation)
    return {
      steady: false,
      generation: d.generation,
      active: st.active,
      to: st.to,
      watermark: st.watermark,
      phase: st.phase,
      chain: st.history,
      fromStatus: false,
    };
  return {
    steady: false,
    generation: d.generation,
    active: d.active,
    to: d.to!,
    watermark: d.watermark!,
    phase: 'Pending',
    chain: chainFor(d.generation, d.active, st),
    fromStatus: false,
  };
}

export interface GateOptions {
  rules?: GateRules;
  trace?: Trace;
}

/** One gate subtask of one color. */
export class Gate {
  readonly color: Color;
  private readonly rules: GateRules;
  private readonly trace: Trace;
  private s: GateSnapshot;
  private configRead = false;
  private statusRead = false;
  private isReady = false;
  /** A clear (generation 0) read while the generation was undecided: applied once it is decided. Not checkpointed (a restore re-reads). */
  private deferredClear: GateDesired | null = null;

  /** A freshly started gate: it must read the desired and status ConfigMaps before its first record. */
  constructor(color: Color, options: GateOptions = {}) {
    this.color = color;
    this.rules = options.rules ?? PROTOCOL_GATE_RULES;
    this.trace = options.trace ?? noTrace;
    this.s = emptySnapshot();
  }

  /** A gate restored from checkpointed state (its own, or the other color's for a standby start). */
  static restore(color: Color, snapshot: GateSnapshot, options: GateOptions = {}): Gate {
    const g = new Gate(color, options);
    g.s = copySnapshot(snapshot);
    // What was checkpointed is committed: the restored watermark is covered by committed output.
    if (g.s.watermark !== null) g.s.committedWatermark = max(g.s.committedWatermark, g.s.watermark);
    if (g.rules.restoreRead || g.s.desired === null) {
      g.trace('restore.await-reads');
    } else {
      g.trace('variant.restore-without-read');
      g.isReady = true;
    }
    return g;
  }

  /** True once the gate may process records (it has read both ConfigMaps since its start/restore). */
  get ready(): boolean {
    return this.isReady;
  }

  /** The desired handover the gate acts on (null before its first read). */
  get desired(): GateDesired | null {
    return this.s.desired;
  }

  /** The phase the gate acts on for the current generation: 'none' without a cutover. */
  get phase(): Phase | 'none' {
    const d = this.s.desired;
    if (!d) return 'none';
    const a = acting(d, this.s.status);
    return a.steady ? 'none' : a.phase;
  }

  /** Records held so far (oldest first). */
  get held(): readonly GateRecord[] {
    return this.s.held;
  }

  private markRead(): void {
    if (!this.isReady && this.configRead && this.statusRead) {
      this.isReady = true;
      this.trace('ready.after-reads');
    }
  }

  /** The desired ConfigMap was read (or changed). Returns the held records this decides. */
  onConfig(d: GateDesired): Released[] {
    this.configRead = true;
    const cur = this.s.desired;
    if (cur === null) {
      this.trace('config.first');
      this.adopt(d);
    } else if (d.generation === cur.generation) {
      this.deferredClear = null;
      if (
        d.gateMode !== cur.gateMode ||
        d.lateness !== cur.lateness ||
        (d.generation === 0 && d.active !== cur.active)
      ) {
        // What does not move ownership within a generation (mode, lateness; anything without a cutover) follows git.
        this.trace('config.repeat-updated');
        this.s.desired =
          d.generation === 0 ? { ...d } : { ...cur, gateMode: d.gateMode, lateness: d.lateness };
      } else {
        this.trace('config.repeat');
      }
      if (d.generation > 0 && this.s.prepared === null) {
        this.trace('variant.reprepare-after-lost-state');
        this.s.prepared = { generation: d.generation, maxTimestampAtPrepare: this.s.maxTimestamp };
      }
    } else if (d.generation === 0 && (this.phase === 'Completed' || this.phase === 'Rejected')) {
      this.applyClear(d, 'config.cleared');
    } else if (d.generation === 0) {
      // An undecided cutover is not given up on a config read alone (the controller may be arming
      // it): the gate waits for the status to decide the generation (Rejected when withdrawn), then clears.
      this.trace('config.stale-clear-ignored');
      this.deferredClear = { ...d };
    } else if (d.generation > cur.generation) {
      this.trace('config.new-generation');
      this.adopt(d);
    } else {
      this.trace('config.older-ignored');
    }
    this.markRead();
    return this.releaseDecided();
  }

  private adopt(d: GateDesired): void {
    this.deferredClear = null;
    this.s.desired = { ...d };
    // Prepare: remember how far this subtask had got when it learned of the generation.
    this.s.prepared =
      d.generation > 0 ? { generation: d.generation, maxTimestampAtPrepare: this.s.maxTimestamp } : null;
  }

  /** The status ConfigMap was read (null: it does not exist yet) or changed. */
  onStatus(st: GateStatus | null): Released[] {
    this.statusRead = true;
    const cur = this.s.status;
    if (st === null) {
      this.trace('status.absent');
    } else if (cur === null) {
      this.trace('status.first');
      this.s.status = copyStatus(st);
    } else if (st.generation > cur.generation) {
      this.trace('status.newer-generation');
      this.s.status = copyStatus(st);
    } else if (st.generation < cur.generation) {
      this.trace('status.older-ignored');
    } else if (st.phase === cur.phase) {
      this.trace('status.repeat');
    } else if (FORWARD[cur.phase].includes(st.phase)) {
      this.trace('status.advance');
      this.s.status = copyStatus(st);
    } else if (this.rules.monotonic) {
      this.trace('status.regression-ignored');
    } else {
      this.trace('variant.status-regression-applied');
      this.s.status = copyStatus(st);
    }
    this.markRead();
    const released = this.releaseDecided();
    if (this.deferredClear && (this.phase === 'Completed' || this.phase === 'Rejected'))
      this.applyClear(this.deferredClear, 'config.cleared-deferred');
    return released;
  }

  /**
   * A clear (generation 0) after the generation was decided: a teardown (Completed, active = to) or a
   * withdrawal (Rejected, active unchanged). One naming another active color contradicts the decision
   * (withdrawing a completed cutover, which the policy refuses): switching on it would hand the output
   * over subtask by subtask, so the gate keeps acting on the decision.
   */
  private applyClear(d: GateDesired, branch: 'config.cleared' | 'config.cleared-deferred'): void {
    const cur = this.s.desired!;
    const owner = this.phase === 'Completed' ? cur.to : cur.active;
    if (d.active === owner) {
      this.trace(branch);
      this.adopt(d);
    } else {
      this.trace('config.clear-contradicts-decision');
      this.deferredClear = null;
    }
  }

  /** The owner of a record with timestamp t, or 'hold' while the generation is undecided. */
  private owner(t: number): Color | 'hold' {
    const a = acting(this.s.desired!, this.s.status);
    if (a.steady) {
      this.trace('owner.no-cutover');
      return a.active;
    }
    if (a.fromStatus) this.trace('owner.status-generation');
    // Before W the generation's from-color owns t, unless it continues a chain (a rollback).
    const before = (): Color => {
      const o = chainOwner(a.chain, a.active, t);
      if (o !== a.active) this.trace('owner.chained');
      return o;
    };
    if (a.phase === 'Rejected') {
      this.trace('owner.rejected');
      return before();
    }
    if (a.phase === 'Pending') {
      if (t >= a.watermark) {
        this.trace('owner.pending-hold');
        return 'hold';
      }
      this.trace('owner.pending-before-w');
      return before();
    }
    // Armed or Completed.
    if (t < a.watermark) {
      this.trace('owner.decided-before-w');
      return before();
    }
    this.trace('owner.decided-at-or-after-w');
    return a.to;
  }

  private act(owner: Color): 'emit' | 'drop' | 'tag' {
    if (this.s.desired!.gateMode === 'tag') {
      this.trace('record.tag');
      return 'tag';
    }
    if (owner === this.color) {
      this.trace('record.emit');
      return 'emit';
    }
    this.trace('record.drop');
    return 'drop';
  }

  /** Decides one record. `wait` leaves the gate unchanged: offer the same record again once ready. */
  onRecord(r: GateRecord): RecordDecision {
    if (!this.isReady) {
      this.trace('record.wait-not-ready');
      return { action: 'wait' };
    }
    this.s.maxTimestamp = max(this.s.maxTimestamp, r.t);
    const owner = this.owner(r.t);
    if (owner === 'hold') {
      this.trace('record.hold');
      this.s.held.push({ id: r.id, t: r.t });
      return { action: 'hold' };
    }
    const action = this.act(owner);
    return action === 'tag' ? { action, owner } : { action };
  }

  private releaseDecided(): Released[] {
    if (this.s.held.length === 0 || this.s.desired === null) return [];
    const released: Released[] = [];
    const still: GateRecord[] = [];
    for (const r of this.s.held) {
      const owner = this.owner(r.t);
      if (owner === 'hold') still.push(r);
      else released.push({ record: r, action: this.act(owner), owner });
    }
    if (released.length > 0) this.trace('release.decided');
    if (still.length > 0) this.trace('release.still-held');
    this.s.held = still;
    return released;
  }

  /** The input watermark moved (to w). */
  onWatermark(w: number): void {
    if (w <= LONG_MIN_WATERMARK) {
      this.trace('watermark.none');
    } else if (this.s.watermark === null || w > this.s.watermark) {
      this.trace('watermark.advance');
      this.s.watermark = w;
    } else {
      this.trace('watermark.stale');
    }
  }

  /** The state that goes into a checkpoint (a copy). */
  snapshot(): GateSnapshot {
    const snap = copySnapshot(this.s);
    if (this.rules.heldState) {
      this.trace('snapshot.taken');
    } else {
      this.trace('variant.snapshot-without-held');
      snap.held = [];
      snap.prepared = null;
    }
    return snap;
  }

  /** The checkpoint holding `snap` completed: its output is committed, and so is its watermark. */
  onCheckpointComplete(snap: GateSnapshot): void {
    if (
      snap.watermark !== null &&
      (this.s.committedWatermark === null || snap.watermark > this.s.committedWatermark)
    ) {
      this.trace('checkpoint.commit-watermark');
      this.s.committedWatermark = snap.watermark;
    } else {
      this.trace('checkpoint.stale');
    }
  }

  metrics(): GateMetrics {
    return {
      preparedGeneration: this.s.prepared?.generation ?? 0,
      maxTimestampAtPrepare: this.s.prepared ? this.s.prepared.maxTimestampAtPrepare : null,
      gateWatermark: this.s.committedWatermark,
    };
  }
}
