package dev.flinkcutover.gate.core;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Runs a gate conformance vector (test/vectors/gate/*.json) against the Java gate, like test/gate/vector-runner.ts. */
public final class VectorRunner {
  private VectorRunner() {}

  /** Held values in vectors are their ids. */
  public static final ValueCodec<String> STRING_CODEC = new ValueCodec<String>() {
    @Override
    public void write(String value, DataOutputStream out) throws IOException {
      out.writeUTF(value);
    }

    @Override
    public String read(DataInputStream in) throws IOException {
      return in.readUTF();
    }
  };

  @SuppressWarnings("unchecked")
  static Map<String, String> strings(Object o) {
    if (o == null) return null;
    Map<String, String> m = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : ((Map<String, Object>) o).entrySet()) m.put(e.getKey(), (String) e.getValue());
    return m;
  }

  static Long asLong(Object o) {
    return o == null ? null : ((Number) o).longValue();
  }

  @SuppressWarnings("unchecked")
  static String releasedText(List<Released<String>> released) {
    List<Object> out = new ArrayList<>();
    for (Released<String> r : released) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", r.record.id);
      m.put("action", r.action.wire(r.owner));
      out.add(m);
    }
    return Json.write(out);
  }

  /** Runs one vector; returns every mismatch (empty = pass). */
  @SuppressWarnings("unchecked")
  public static List<String> run(Map<String, Object> vector, Consumer<String> trace) throws IOException {
    Color color = Color.parse((String) vector.get("color"));
    GateCore<String> gate = new GateCore<>(color, trace);
    Map<String, byte[]> snaps = new HashMap<>();
    Map<String, Long> snapWatermarks = new HashMap<>();
    List<String> out = new ArrayList<>();
    List<Object> steps = (List<Object>) vector.get("steps");
    for (int i = 0; i < steps.size(); i++) {
      Map<String, Object> s = (Map<String, Object>) steps.get(i);
      String op = (String) s.get("do");
      String prefix = "step " + i + " (" + op + "): ";
      switch (op) {
        case "config":
        case "status": {
          List<Released<String>> released = op.equals("config")
              ? gate.onConfig(Contract.parseDesired(strings(s.get("data"))).orThrow("cutover ConfigMap data"))
              : gate.onStatus(s.get("data") == null ? null : Contract.parseStatus(strings(s.get("data"))).orThrow("cutover status data"));
          String got = releasedText(released);
          String want = Json.write(s.get("expectReleased"));
          if (!got.equals(want)) out.add(prefix + "released " + got + ", expected " + want);
          break;
        }
        case "record": {
          String id = (String) s.get("id");
          long t = ((Number) s.get("t")).longValue();
          Action a = gate.onRecord(id, t, id);
          String got = a.wire(gate.lastOwner());
          if (!got.equals(s.get("expect"))) out.add(prefix + "record " + id + " (t=" + t + "): " + got + ", expected " + s.get("expect"));
          break;
        }
        case "watermark":
          gate.onWatermark(((Number) s.get("value")).longValue());
          break;
        case "snapshot": {
          GateSnapshot<String> snap = gate.snapshot();
          snaps.put((String) s.get("name"), SnapshotCodec.encode(snap, 0, 1, STRING_CODEC));
          snapWatermarks.put((String) s.get("name"), snap.watermark);
          break;
        }
        case "checkpointComplete": {
          String name = (String) s.get("name");
          if (!snaps.containsKey(name)) out.add(prefix + "no snapshot named " + name);
          else gate.onCheckpointComplete(snapWatermarks.get(name));
          break;
        }
        case "restore": {
          String name = (String) s.get("name");
          byte[] bytes = snaps.get(name);
          if (bytes == null) out.add(prefix + "no snapshot named " + name);
          else gate = GateCore.restore(color, SnapshotCodec.decode(bytes, STRING_CODEC).snapshot, trace);
          break;
        }
        case "redistribute": {
          // Restore with another parallelism: this subtask's share of several old subtasks' snapshots.
          List<GateSnapshot<String>> old = new ArrayList<>();
          for (Object n : (List<Object>) s.get("names")) old.add(SnapshotCodec.decode(snaps.get((String) n), STRING_CODEC).snapshot);
          GateSnapshot<String> mine = Redistribute.redistribute(old, ((Number) s.get("index")).intValue(), ((Number) s.get("parallelism")).intValue());
          gate = GateCore.restore(color, SnapshotCodec.decode(SnapshotCodec.encode(mine, 0, 1, STRING_CODEC), STRING_CODEC).snapshot, trace);
          break;
        }
        case "parse": {
          Map<String, String> data = strings(s.get("data"));
          boolean ok = "status".equals(s.get("kind")) ? Contract.parseStatus(data).ok() : Contract.parseDesired(data).ok();
          if (ok != (Boolean) s.get("ok")) out.add(prefix + s.get("kind") + " data " + Json.write(s.get("data")) + " parsed " + (ok ? "ok" : "with errors") + ", the reference says " + (ok ? "invalid" : "valid"));
          break;
        }
        case "metrics": {
          Map<String, Object> e = (Map<String, Object>) s.get("expect");
          GateMetrics want = new GateMetrics(asLong(e.get("preparedGeneration")), asLong(e.get("maxTimestampAtPrepare")), asLong(e.get("gateWatermark")));
          GateMetrics got = gate.metrics();
          if (!got.equals(want)) out.add(prefix + "metrics " + got + ", expected " + want);
          break;
        }
        default:
          out.add(prefix + "unknown step");
      }
    }
    return out;
  }
}
