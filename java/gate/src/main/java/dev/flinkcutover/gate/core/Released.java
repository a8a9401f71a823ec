package dev.flinkcutover.gate.core;

/** A held record leaving the gate once its generation is decided: EMIT, DROP or TAG, and its owner. */
public final class Released<T> {
  public final Held<T> record;
  public final Action action;
  public final Color owner;

  public Released(Held<T> record, Action action, Color owner) {
    this.record = record;
    this.action = action;
    this.owner = owner;
  }
}
