package dev.flinkcutover.gate.core;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** A generation whose handover took effect (Armed or Completed): records t >= watermark went from {@code active} to {@code to}. */
public final class DecidedGeneration {
  public final long generation;
  public final Color active;
  public final Color to;
  public final long watermark;

  public DecidedGeneration(long generation, Color active, Color to, long watermark) {
    this.generation = generation;
    this.active = active;
    this.to = to;
    this.watermark = watermark;
  }

  /**
   * The owner of a record with timestamp t before a generation's own W: {@code active}, unless the
   * generation continues a chain of earlier handovers (oldest first), whose boundaries then apply
   * (contract.ts chainOwner).
   */
  public static Color chainOwner(List<DecidedGeneration> chain, Color active, long t) {
    if (chain.isEmpty()) return active;
    Color owner = chain.get(0).active;
    for (DecidedGeneration h : chain) if (t >= h.watermark) owner = h.to;
    return owner;
  }

  /**
   * The handover chain a new generation from {@code active} continues, given the newest status of
   * an earlier generation (contract.ts chainFor).
   */
  public static List<DecidedGeneration> chainFor(long generation, Color active, GateStatus prev) {
    if (prev == null || prev.generation >= generation) return List.of();
    boolean took = (prev.phase == Phase.Armed || prev.phase == Phase.Completed) && prev.to == active;
    List<DecidedGeneration> chain = prev.history;
    if (took) {
      java.util.ArrayList<DecidedGeneration> c = new java.util.ArrayList<>(prev.history);
      c.add(new DecidedGeneration(prev.generation, prev.active, prev.to, prev.watermark));
      chain = c;
    }
    DecidedGeneration last = chain.isEmpty() ? null : chain.get(chain.size() - 1);
    return last != null && last.to == active ? List.copyOf(chain) : List.of();
  }

  Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("generation", generation);
    m.put("active", active.wire());
    m.put("to", to.wire());
    m.put("watermark", watermark);
    return m;
  }

  static DecidedGeneration fromJson(Map<String, Object> m) {
    return new DecidedGeneration(((Number) m.get("generation")).longValue(), Color.parse((String) m.get("active")), Color.parse((String) m.get("to")), ((Number) m.get("watermark")).longValue());
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof DecidedGeneration)) return false;
    DecidedGeneration d = (DecidedGeneration) o;
    return generation == d.generation && active == d.active && to == d.to && watermark == d.watermark;
  }

  @Override
  public int hashCode() {
    return Objects.hash(generation, active, to, watermark);
  }

  @Override
  public String toString() {
    return generation + ":" + active + ">" + to + "@" + watermark;
  }
}
