package dev.flinkcutover.gate.core;

/** A record the gate holds while its generation is undecided: an id (for audits), its event timestamp and the value. */
public final class Held<T> {
  /** An id for audits and vectors; may be null inside a job. */
  public final String id;
  public final long t;
  public final T value;

  public Held(String id, long t, T value) {
    this.id = id;
    this.t = t;
    this.value = value;
  }
}
