package dev.flinkcutover.gate.core;

/** filter: a gate emits only its color's records; tag: every record, with its owner. */
public enum GateMode {
  FILTER("filter"),
  TAG("tag");

  private final String wire;

  GateMode(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static GateMode parse(String s) {
    if ("filter".equals(s)) return FILTER;
    if ("tag".equals(s)) return TAG;
    return null;
  }
}
