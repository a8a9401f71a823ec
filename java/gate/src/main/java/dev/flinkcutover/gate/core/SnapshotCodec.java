package dev.flinkcutover.gate.core;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The bytes of one gate subtask's snapshot in operator state: format version, the subtask index
 * and parallelism it was taken at, the decision state as JSON (desired, status, timestamps,
 * watermarks; readable in a savepoint dump), then the held records (timestamp, id, value).
 */
public final class SnapshotCodec {
  /** Bumped when the layout changes; a reader refuses what it does not know. */
  public static final int FORMAT = 1;

  private SnapshotCodec() {}

  /** A decoded snapshot with where it came from. */
  public static final class Entry<T> {
    public final int subtask;
    public final int parallelism;
    public final GateSnapshot<T> snapshot;

    public Entry(int subtask, int parallelism, GateSnapshot<T> snapshot) {
      this.subtask = subtask;
      this.parallelism = parallelism;
      this.snapshot = snapshot;
    }
  }

  public static <T> byte[] encode(GateSnapshot<T> s, int subtask, int parallelism, ValueCodec<T> codec) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 32 * s.held.size());
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(FORMAT);
    out.writeInt(subtask);
    out.writeInt(parallelism);
    byte[] meta = Json.write(meta(s)).getBytes(StandardCharsets.UTF_8);
    out.writeInt(meta.length);
    out.write(meta);
    out.writeInt(s.held.size());
    for (Held<T> h : s.held) {
      out.writeLong(h.t);
      out.writeBoolean(h.id != null);
      if (h.id != null) out.writeUTF(h.id);
      codec.write(h.value, out);
    }
    out.flush();
    return bytes.toByteArray();
  }

  public static <T> Entry<T> decode(byte[] data, ValueCodec<T> codec) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
    int format = in.readInt();
    if (format != FORMAT) throw new IOException("flink-cutover gate state has format " + format + "; this gate reads format " + FORMAT + " (restore with a matching flink-cutover-gate version)");
    int subtask = in.readInt();
    int parallelism = in.readInt();
    byte[] meta = new byte[in.readInt()];
    in.readFully(meta);
    GateSnapshot<T> s = fromMeta(Json.parseObject(new String(meta, StandardCharsets.UTF_8)));
    int n = in.readInt();
    for (int k = 0; k < n; k++) {
      long t = in.readLong();
      String id = in.readBoolean() ? in.readUTF() : null;
      s.held.add(new Held<>(id, t, codec.read(in)));
    }
    return new Entry<>(subtask, parallelism, s);
  }

  private static Map<String, Object> meta(GateSnapshot<?> s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("version", 1L);
    m.put("desired", s.desired == null ? null : s.desired.toJson());
    m.put("status", s.status == null ? null : s.status.toJson());
    m.put("maxTimestamp", s.maxTimestamp);
    if (s.prepared == null) {
      m.put("prepared", null);
    } else {
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("generation", s.prepared.generation);
      p.put("maxTimestampAtPrepare", s.prepared.maxTimestampAtPrepare);
      m.put("prepared", p);
    }
    m.put("watermark", s.watermark);
    m.put("committedWatermark", s.committedWatermark);
    return m;
  }

  @SuppressWarnings("unchecked")
  private static <T> GateSnapshot<T> fromMeta(Map<String, Object> m) {
    GateSnapshot<T> s = new GateSnapshot<>();
    if (m.get("desired") != null) s.desired = GateDesired.fromJson((Map<String, Object>) m.get("desired"));
    if (m.get("status") != null) s.status = GateStatus.fromJson((Map<String, Object>) m.get("status"));
    s.maxTimestamp = asLong(m.get("maxTimestamp"));
    Map<String, Object> p = (Map<String, Object>) m.get("prepared");
    if (p != null) s.prepared = new GateSnapshot.Prepared(((Number) p.get("generation")).longValue(), asLong(p.get("maxTimestampAtPrepare")));
    s.watermark = asLong(m.get("watermark"));
    s.committedWatermark = asLong(m.get("committedWatermark"));
    return s;
  }

  private static Long asLong(Object o) {
    return o == null ? null : ((Number) o).longValue();
  }
}
