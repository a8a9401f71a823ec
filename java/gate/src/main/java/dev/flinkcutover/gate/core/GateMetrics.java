package dev.flinkcutover.gate.core;

import java.util.Objects;

/** The gate's decision metrics (metric group {@code flink-cutover-gate}), per subtask. */
public final class GateMetrics {
  /** The cutover generation the subtask prepared for; 0 = none. */
  public final long preparedGeneration;
  /** Largest record timestamp the subtask had seen when it prepared; null = none seen or not prepared. */
  public final Long maxTimestampAtPrepare;
  /** The gate's watermark as of its last completed checkpoint; null = none yet. */
  public final Long gateWatermark;

  public GateMetrics(long preparedGeneration, Long maxTimestampAtPrepare, Long gateWatermark) {
    this.preparedGeneration = preparedGeneration;
    this.maxTimestampAtPrepare = maxTimestampAtPrepare;
    this.gateWatermark = gateWatermark;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof GateMetrics)) return false;
    GateMetrics m = (GateMetrics) o;
    return preparedGeneration == m.preparedGeneration && Objects.equals(maxTimestampAtPrepare, m.maxTimestampAtPrepare) && Objects.equals(gateWatermark, m.gateWatermark);
  }

  @Override
  public int hashCode() {
    return Objects.hash(preparedGeneration, maxTimestampAtPrepare, gateWatermark);
  }

  @Override
  public String toString() {
    return "{\"preparedGeneration\":" + preparedGeneration + ",\"maxTimestampAtPrepare\":" + maxTimestampAtPrepare + ",\"gateWatermark\":" + gateWatermark + "}";
  }
}
