package dev.flinkcutover.gate.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a gate needs from the {@code <name>-cutover-status} ConfigMap (immutable): the decided
 * generation, its phase, its from/to colors and W (a generation known only from the status is
 * judged by the values the controller decided on) and the handover chain it continues.
 */
public final class GateStatus {
  public final long generation;
  public final Phase phase;
  public final Color active;
  public final Color to;
  public final long watermark;
  /** Earlier generations of this handover chain that were Armed or Completed, oldest first. */
  public final List<DecidedGeneration> history;

  public GateStatus(long generation, Phase phase, Color active, Color to, long watermark, List<DecidedGeneration> history) {
    this.generation = generation;
    this.phase = Objects.requireNonNull(phase, "phase");
    this.active = active;
    this.to = to;
    this.watermark = watermark;
    this.history = List.copyOf(history);
  }

  Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("generation", generation);
    m.put("phase", phase.name());
    m.put("active", active == null ? null : active.wire());
    m.put("to", to == null ? null : to.wire());
    m.put("watermark", watermark);
    List<Object> h = new ArrayList<>();
    for (DecidedGeneration d : history) h.add(d.toJson());
    m.put("history", h);
    return m;
  }

  @SuppressWarnings("unchecked")
  static GateStatus fromJson(Map<String, Object> m) {
    List<DecidedGeneration> h = new ArrayList<>();
    Object hs = m.get("history");
    if (hs != null) for (Object o : (List<Object>) hs) h.add(DecidedGeneration.fromJson((Map<String, Object>) o));
    return new GateStatus(((Number) m.get("generation")).longValue(), Phase.parse((String) m.get("phase")), Color.parse((String) m.get("active")), Color.parse((String) m.get("to")), ((Number) m.get("watermark")).longValue(), h);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof GateStatus)) return false;
    GateStatus s = (GateStatus) o;
    return generation == s.generation && phase == s.phase && active == s.active && to == s.to && watermark == s.watermark && history.equals(s.history);
  }

  @Override
  public int hashCode() {
    return Objects.hash(generation, phase, active, to, watermark, history);
  }

  @Override
  public String toString() {
    return Json.write(toJson());
  }
}
