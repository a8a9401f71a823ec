package dev.flinkcutover.gate.core;

import java.util.ArrayList;
import java.util.List;

/** The gate's checkpointed state (mutable; {@link GateCore#snapshot()} hands out copies). */
public final class GateSnapshot<T> {
  public GateDesired desired;
  public GateStatus status;
  public Long maxTimestamp;
  /** The generation prepared for; 0 with {@link #preparedMaxTimestamp} null = not prepared. */
  public Prepared prepared;
  public Long watermark;
  public Long committedWatermark;
  public List<Held<T>> held = new ArrayList<>();

  /** The prepare state: the generation, and the largest timestamp seen when the subtask learned of it. */
  public static final class Prepared {
    public final long generation;
    public final Long maxTimestampAtPrepare;

    public Prepared(long generation, Long maxTimestampAtPrepare) {
      this.generation = generation;
      this.maxTimestampAtPrepare = maxTimestampAtPrepare;
    }
  }

  public GateSnapshot<T> copy() {
    GateSnapshot<T> c = new GateSnapshot<>();
    c.desired = desired;
    c.status = status;
    c.maxTimestamp = maxTimestamp;
    c.prepared = prepared;
    c.watermark = watermark;
    c.committedWatermark = committedWatermark;
    c.held = new ArrayList<>(held);
    return c;
  }
}
