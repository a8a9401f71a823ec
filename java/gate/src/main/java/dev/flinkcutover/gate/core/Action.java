package dev.flinkcutover.gate.core;

/** What the gate does with a record. WAIT: not ready (backpressure); offer the same record again later. */
public enum Action {
  EMIT,
  DROP,
  HOLD,
  TAG,
  WAIT;

  /** The vectors' name ("emit", ...; a tag is "tag:<owner>"). */
  public String wire(Color owner) {
    return this == TAG ? "tag:" + owner.wire() : name().toLowerCase(java.util.Locale.ROOT);
  }
}
