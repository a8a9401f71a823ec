package dev.flinkcutover.gate.core;

/** A job's color. */
public enum Color {
  BLUE("blue"),
  GREEN("green");

  private final String wire;

  Color(String wire) {
    this.wire = wire;
  }

  /** The name in ConfigMaps, env and metrics ("blue" / "green"). */
  public String wire() {
    return wire;
  }

  public Color other() {
    return this == BLUE ? GREEN : BLUE;
  }

  /** The color named {@code s} ("blue" / "green"); null for anything else. */
  public static Color parse(String s) {
    if ("blue".equals(s)) return BLUE;
    if ("green".equals(s)) return GREEN;
    return null;
  }

  @Override
  public String toString() {
    return wire;
  }
}
