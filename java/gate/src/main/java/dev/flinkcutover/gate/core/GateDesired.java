package dev.flinkcutover.gate.core;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** What a gate needs from the {@code <name>-cutover} ConfigMap (immutable). */
public final class GateDesired {
  public final Color active;
  /** 0 = no cutover. */
  public final long generation;
  /** The color taking over; null iff generation is 0. */
  public final Color to;
  /** The cutover watermark W (epoch millis); null iff generation is 0. */
  public final Long watermark;
  /** Allowed lateness in millis. */
  public final long lateness;
  public final GateMode gateMode;

  public GateDesired(Color active, long generation, Color to, Long watermark, long lateness, GateMode gateMode) {
    this.active = Objects.requireNonNull(active, "active");
    this.generation = generation;
    this.to = to;
    this.watermark = watermark;
    this.lateness = lateness;
    this.gateMode = Objects.requireNonNull(gateMode, "gateMode");
  }

  /** The same desired handover with another mode and lateness. */
  public GateDesired withModeAndLateness(GateMode mode, long lateness) {
    return new GateDesired(active, generation, to, watermark, lateness, mode);
  }

  Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("active", active.wire());
    m.put("generation", generation);
    if (to != null) m.put("to", to.wire());
    if (watermark != null) m.put("watermark", watermark);
    m.put("lateness", lateness);
    m.put("gateMode", gateMode.wire());
    return m;
  }

  static GateDesired fromJson(Map<String, Object> m) {
    return new GateDesired(
        Color.parse((String) m.get("active")),
        ((Number) m.get("generation")).longValue(),
        Color.parse((String) m.get("to")),
        m.get("watermark") == null ? null : ((Number) m.get("watermark")).longValue(),
        ((Number) m.get("lateness")).longValue(),
        GateMode.parse((String) m.get("gateMode")));
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof GateDesired)) return false;
    GateDesired d = (GateDesired) o;
    return active == d.active && generation == d.generation && to == d.to && Objects.equals(watermark, d.watermark) && lateness == d.lateness && gateMode == d.gateMode;
  }

  @Override
  public int hashCode() {
    return Objects.hash(active, generation, to, watermark, lateness, gateMode);
  }

  @Override
  public String toString() {
    return Json.write(toJson());
  }
}
