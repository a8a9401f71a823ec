package dev.flinkcutover.gate.core;

import java.util.List;

/** Restoring gate state with another parallelism (lib/gate/redistribute.ts). */
public final class Redistribute {
  private Redistribute() {}

  /**
   * The state subtask {@code index} of {@code parallelism} restores from the snapshots of all old
   * subtasks (in old subtask order): held records round-robin, the newest desired/status, the
   * largest timestamps, the smallest watermark (what every old subtask's committed output covers).
   */
  public static <T> GateSnapshot<T> redistribute(List<GateSnapshot<T>> snaps, int index, int parallelism) {
    GateSnapshot<T> out = new GateSnapshot<>();
    int i = 0;
    boolean wmSeen = false;
    Long wm = null;
    for (GateSnapshot<T> s : snaps) {
      if (s.desired != null && (out.desired == null || s.desired.generation > out.desired.generation)) out.desired = s.desired;
      if (s.status != null && (out.status == null || s.status.generation > out.status.generation || (s.status.generation == out.status.generation && out.status.phase.isForwardTo(s.status.phase)))) out.status = s.status;
      if (s.maxTimestamp != null) out.maxTimestamp = max(out.maxTimestamp, s.maxTimestamp);
      if (!wmSeen) {
        wm = s.watermark;
        wmSeen = true;
      } else {
        wm = wm == null || s.watermark == null ? null : Math.min(wm, s.watermark);
      }
      for (Held<T> r : s.held) {
        if (i % parallelism == index) out.held.add(r);
        i++;
      }
    }
    // Prepared for the newest generation with the largest timestamp any old subtask had seen at its
    // prepare (or at all, for one that had not prepared yet): never smaller than the truth.
    long g = out.desired == null ? 0 : out.desired.generation;
    if (g > 0) {
      Long m = null;
      for (GateSnapshot<T> s : snaps) {
        Long v = s.prepared != null && s.prepared.generation == g ? s.prepared.maxTimestampAtPrepare : s.maxTimestamp;
        if (v != null) m = max(m, v);
      }
      out.prepared = new GateSnapshot.Prepared(g, m);
    }
    out.watermark = wm;
    out.committedWatermark = out.watermark;
    return out;
  }

  private static Long max(Long a, long b) {
    return a == null || b > a ? b : a;
  }
}
