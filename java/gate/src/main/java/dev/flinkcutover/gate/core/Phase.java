package dev.flinkcutover.gate.core;

/** A cutover generation's phase, as the controller writes it into the status ConfigMap. */
public enum Phase {
  Pending,
  Armed,
  Rejected,
  Completed;

  /** Forward transitions; Pending -> Completed covers a gate that missed Armed. */
  public boolean isForwardTo(Phase next) {
    switch (this) {
      case Pending:
        return next == Armed || next == Rejected || next == Completed;
      case Armed:
        return next == Completed;
      default:
        return false;
    }
  }

  public static Phase parse(String s) {
    for (Phase p : values()) if (p.name().equals(s)) return p;
    return null;
  }
}
