package dev.flinkcutover.gate.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

/**
 * One gate subtask of one color: the reference gate's state machine (lib/gate/gate.ts), with no
 * Flink types and no I/O. It observes the desired and status ConfigMaps (in any order, late,
 * repeated), decides each record (emit | drop | hold | tag), releases held records once the
 * generation is decided, reports its metrics and survives a restore from its checkpointed state.
 *
 * <p>Not thread-safe: one task thread drives it. Every branch calls the trace with the same branch
 * id as the reference, so both can be compared branch by branch.
 *
 * @param <T> the record value type (held records keep their value)
 */
public final class GateCore<T> {
  /** Flink's "no watermark yet". */
  public static final long LONG_MIN_WATERMARK = Long.MIN_VALUE;

  private static final Consumer<String> NO_TRACE = b -> {};

  private final Color color;
  private final Consumer<String> trace;
  private GateSnapshot<T> s;
  private boolean configRead;
  private boolean statusRead;
  private boolean isReady;
  /** A clear (generation 0) read while the generation was undecided: applied once it is decided. Not checkpointed. */
  private GateDesired deferredClear;
  private Color lastOwner;
  /** acting(desired, status), recomputed only when either changes (the per-record path reads it). */
  private Acting acting;
  /** s.maxTimestamp as a primitive (the per-record path updates it without boxing); synced before s is read. */
  private long maxTs;
  private boolean anyTs;
  private java.util.function.UnaryOperator<T> holdCopy = v -> v;

  /** A freshly started gate: it must read the desired and status ConfigMaps before its first record. */
  public GateCore(Color color) {
    this(color, null);
  }

  public GateCore(Color color, Consumer<String> trace) {
    this.color = color;
    this.trace = trace == null ? NO_TRACE : trace;
    this.s = new GateSnapshot<>();
  }

  /** A gate restored from checkpointed state (its own, or redistributed by {@link Redistribute}). */
  public static <T> GateCore<T> restore(Color color, GateSnapshot<T> snapshot, Consumer<String> trace) {
    GateCore<T> g = new GateCore<>(color, trace);
    g.s = snapshot.copy();
    if (g.s.maxTimestamp != null) {
      g.maxTs = g.s.maxTimestamp;
      g.anyTs = true;
    }
    // What was checkpointed is committed: the restored watermark is covered by committed output.
    if (g.s.watermark != null) g.s.committedWatermark = max(g.s.committedWatermark, g.s.watermark);
    g.trace.accept("restore.await-reads");
    return g;
  }

  private static Long max(Long a, long b) {
    return a == null || b > a ? b : a;
  }

  /** How a held value is kept (a copy when the caller reuses record objects). */
  public void setHoldCopy(java.util.function.UnaryOperator<T> copy) {
    this.holdCopy = copy;
  }

  public Color color() {
    return color;
  }

  /** True once the gate may process records (it has read both ConfigMaps since its start/restore). */
  public boolean ready() {
    return isReady;
  }

  public boolean configRead() {
    return configRead;
  }

  public boolean statusRead() {
    return statusRead;
  }

  /** The desired handover the gate acts on (null before its first read). */
  public GateDesired desired() {
    return s.desired;
  }

  /** The phase for the current generation; null without a cutover. */
  public Phase phase() {
    GateDesired d = s.desired;
    if (d == null) return null;
    Acting a = acting();
    return a.steady ? null : a.phase;
  }

  private Acting acting() {
    if (acting == null) acting = acting(s.desired, s.status);
    return acting;
  }

  /** Writes the primitive max timestamp back into the state before the state is read or copied. */
  private void syncMax() {
    if (anyTs && (s.maxTimestamp == null || maxTs > s.maxTimestamp)) s.maxTimestamp = maxTs;
  }

  /**
   * The cutover a gate acts on, derived from the desired and status ConfigMaps it holds: the
   * desired generation, or a newer generation known only from the status (a fresh gate after a
   * withdrawal raced the arm), judged by the status's own active, to and W.
   */
  private static final class Acting {
    final boolean steady;
    final Color active;
    final Color to;
    final long watermark;
    final Phase phase;
    final List<DecidedGeneration> chain;
    final boolean fromStatus;

    Acting(boolean steady, Color active, Color to, long watermark, Phase phase, List<DecidedGeneration> chain, boolean fromStatus) {
      this.steady = steady;
      this.active = active;
      this.to = to;
      this.watermark = watermark;
      this.phase = phase;
      this.chain = chain;
      this.fromStatus = fromStatus;
    }
  }

  /** A clear (generation 0) that settles the status's generation: a teardown after Completed or a withdrawal after Rejected. */
  private static boolean settles(GateDesired d, GateStatus st) {
    return d.generation == 0 && ((st.phase == Phase.Completed && d.active == st.to) || (st.phase == Phase.Rejected && d.active == st.active));
  }

  private static Acting acting(GateDesired d, GateStatus st) {
    if (st != null && st.generation > d.generation && !settles(d, st)) return new Acting(false, st.active, st.to, st.watermark, st.phase, st.history, true);
    if (d.generation == 0) return new Acting(true, d.active, null, 0, null, List.of(), false);
    if (st != null && st.generation == d.generation) return new Acting(false, st.active, st.to, st.watermark, st.phase, st.history, false);
    return new Acting(false, d.active, d.to, d.watermark, Phase.Pending, DecidedGeneration.chainFor(d.generation, d.active, st), false);
  }

  /** Records held now (oldest first). */
  public List<Held<T>> held() {
    return Collections.unmodifiableList(s.held);
  }

  public int heldCount() {
    return s.held.size();
  }

  /** The owner of the last record {@link #onRecord} tagged. */
  public Color lastOwner() {
    return lastOwner;
  }

  /** The watermark the gate has seen (null: none). */
  public Long watermark() {
    return s.watermark;
  }

  private void markRead() {
    if (!isReady && configRead && statusRead) {
      isReady = true;
      trace.accept("ready.after-reads");
    }
  }

  /** The desired ConfigMap was read (or changed). Returns the held records this decides. */
  public List<Released<T>> onConfig(GateDesired d) {
    configRead = true;
    syncMax();
    acting = null;
    GateDesired cur = s.desired;
    if (cur == null) {
      trace.accept("config.first");
      adopt(d);
    } else if (d.generation == cur.generation) {
      deferredClear = null;
      if (d.gateMode != cur.gateMode || d.lateness != cur.lateness || (d.generation == 0 && d.active != cur.active)) {
        trace.accept("config.repeat-updated");
        s.desired = d.generation == 0 ? d : cur.withModeAndLateness(d.gateMode, d.lateness);
        acting = null;
      } else {
        trace.accept("config.repeat");
      }
      if (d.generation > 0 && s.prepared == null) {
        trace.accept("variant.reprepare-after-lost-state");
        s.prepared = new GateSnapshot.Prepared(d.generation, s.maxTimestamp);
      }
    } else if (d.generation == 0 && (phase() == Phase.Completed || phase() == Phase.Rejected)) {
      applyClear(d, "config.cleared");
    } else if (d.generation == 0) {
      // An undecided cutover is not given up on a config read alone: wait for the status to decide it, then clear.
      trace.accept("config.stale-clear-ignored");
      deferredClear = d;
    } else if (d.generation > cur.generation) {
      trace.accept("config.new-generation");
      adopt(d);
    } else {
      trace.accept("config.older-ignored");
    }
    markRead();
    return releaseDecided();
  }

  private void adopt(GateDesired d) {
    deferredClear = null;
    s.desired = d;
    acting = null;
    // Prepare: remember how far this subtask had got when it learned of the generation.
    s.prepared = d.generation > 0 ? new GateSnapshot.Prepared(d.generation, s.maxTimestamp) : null;
  }

  /** The status ConfigMap was read (null: it does not exist yet) or changed. */
  public List<Released<T>> onStatus(GateStatus st) {
    statusRead = true;
    syncMax();
    acting = null;
    GateStatus cur = s.status;
    if (st == null) {
      trace.accept("status.absent");
    } else if (cur == null) {
      trace.accept("status.first");
      s.status = st;
    } else if (st.generation > cur.generation) {
      trace.accept("status.newer-generation");
      s.status = st;
    } else if (st.generation < cur.generation) {
      trace.accept("status.older-ignored");
    } else if (st.phase == cur.phase) {
      trace.accept("status.repeat");
    } else if (cur.phase.isForwardTo(st.phase)) {
      trace.accept("status.advance");
      s.status = st;
    } else {
      trace.accept("status.regression-ignored");
    }
    markRead();
    List<Released<T>> released = releaseDecided();
    if (deferredClear != null && (phase() == Phase.Completed || phase() == Phase.Rejected)) applyClear(deferredClear, "config.cleared-deferred");
    return released;
  }

  /** A clear after the generation was decided; one naming another owner contradicts the decision and is ignored. */
  private void applyClear(GateDesired d, String branch) {
    GateDesired cur = s.desired;
    Color owner = phase() == Phase.Completed ? cur.to : cur.active;
    if (d.active == owner) {
      trace.accept(branch);
      adopt(d);
    } else {
      trace.accept("config.clear-contradicts-decision");
      deferredClear = null;
    }
  }

  /** The owner of a record with timestamp t, or null while the generation is undecided (hold). */
  private Color owner(long t) {
    Acting a = acting();
    if (a.steady) {
      trace.accept("owner.no-cutover");
      return a.active;
    }
    if (a.fromStatus) trace.accept("owner.status-generation");
    if (a.phase == Phase.Rejected) {
      trace.accept("owner.rejected");
      return before(a, t);
    }
    if (a.phase == Phase.Pending) {
      if (t >= a.watermark) {
        trace.accept("owner.pending-hold");
        return null;
      }
      trace.accept("owner.pending-before-w");
      return before(a, t);
    }
    // Armed or Completed.
    if (t < a.watermark) {
      trace.accept("owner.decided-before-w");
      return before(a, t);
    }
    trace.accept("owner.decided-at-or-after-w");
    return a.to;
  }

  /** Before W the generation's from-color owns t, unless it continues a chain (a rollback). */
  private Color before(Acting a, long t) {
    Color o = DecidedGeneration.chainOwner(a.chain, a.active, t);
    if (o != a.active) trace.accept("owner.chained");
    return o;
  }

  private Action act(Color owner) {
    if (s.desired.gateMode == GateMode.TAG) {
      trace.accept("record.tag");
      return Action.TAG;
    }
    if (owner == color) {
      trace.accept("record.emit");
      return Action.EMIT;
    }
    trace.accept("record.drop");
    return Action.DROP;
  }

  /**
   * Decides one record. WAIT leaves the gate unchanged: offer the same record again once ready.
   * HOLD keeps the record (with its value) until its generation is decided. After TAG, {@link #lastOwner()} is the owner.
   */
  public Action onRecord(String id, long t, T value) {
    if (!isReady) {
      trace.accept("record.wait-not-ready");
      return Action.WAIT;
    }
    if (!anyTs || t > maxTs) {
      maxTs = t;
      anyTs = true;
    }
    Color owner = owner(t);
    if (owner == null) {
      trace.accept("record.hold");
      s.held.add(new Held<>(id, t, holdCopy.apply(value)));
      return Action.HOLD;
    }
    lastOwner = owner;
    return act(owner);
  }

  private List<Released<T>> releaseDecided() {
    if (s.held.isEmpty() || s.desired == null) return Collections.emptyList();
    List<Released<T>> released = new ArrayList<>();
    List<Held<T>> still = new ArrayList<>();
    for (Held<T> r : s.held) {
      Color owner = owner(r.t);
      if (owner == null) still.add(r);
      else released.add(new Released<>(r, act(owner), owner));
    }
    if (!released.isEmpty()) trace.accept("release.decided");
    if (!still.isEmpty()) trace.accept("release.still-held");
    s.held = still;
    return released;
  }

  /** The input watermark moved (to w). */
  public void onWatermark(long w) {
    if (w <= LONG_MIN_WATERMARK) {
      trace.accept("watermark.none");
    } else if (s.watermark == null || w > s.watermark) {
      trace.accept("watermark.advance");
      s.watermark = w;
    } else {
      trace.accept("watermark.stale");
    }
  }

  /** The state that goes into a checkpoint (a copy). */
  public GateSnapshot<T> snapshot() {
    syncMax();
    trace.accept("snapshot.taken");
    return s.copy();
  }

  /** The checkpoint holding {@code snap} completed: its output is committed, and so is its watermark. */
  public void onCheckpointComplete(GateSnapshot<T> snap) {
    onCheckpointComplete(snap.watermark);
  }

  /** The checkpoint whose snapshot had watermark {@code snapWatermark} (null: none) completed. */
  public void onCheckpointComplete(Long snapWatermark) {
    if (snapWatermark != null && (s.committedWatermark == null || snapWatermark > s.committedWatermark)) {
      trace.accept("checkpoint.commit-watermark");
      s.committedWatermark = snapWatermark;
    } else {
      trace.accept("checkpoint.stale");
    }
  }

  public GateMetrics metrics() {
    return new GateMetrics(s.prepared == null ? 0 : s.prepared.generation, s.prepared == null ? null : s.prepared.maxTimestampAtPrepare, s.committedWatermark);
  }
}
