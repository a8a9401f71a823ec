package dev.flinkcutover.gate.core;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** What a gate needs from the {@code <name>-cutover-status} ConfigMap (immutable). */
public final class GateStatus {
  public final long generation;
  public final Phase phase;

  public GateStatus(long generation, Phase phase) {
    this.generation = generation;
    this.phase = Objects.requireNonNull(phase, "phase");
  }

  Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("generation", generation);
    m.put("phase", phase.name());
    return m;
  }

  static GateStatus fromJson(Map<String, Object> m) {
    return new GateStatus(((Number) m.get("generation")).longValue(), Phase.parse((String) m.get("phase")));
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof GateStatus)) return false;
    GateStatus s = (GateStatus) o;
    return generation == s.generation && phase == s.phase;
  }

  @Override
  public int hashCode() {
    return Objects.hash(generation, phase);
  }

  @Override
  public String toString() {
    return Json.write(toJson());
  }
}
