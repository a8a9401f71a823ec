package dev.flinkcutover.examples;

import dev.flinkcutover.gate.CutoverGate;
import dev.flinkcutover.gate.feed.CutoverFeeds;
import dev.flinkcutover.gate.feed.FeedSpec;
import dev.flinkcutover.gate.feed.InMemoryFeed;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * The gate's cost: the same job (generated records with event timestamps → a map → sink) with
 * and without the gate, in one process, alternating, on a local MiniCluster at parallelism 1.
 * Prints one JSON line per variant ({"name","value","unit","baseline","ratio"}), like npm run bench.
 *
 * <p>Args: [records=3000000] [rounds=3]. Variants: no gate; gate without a cutover (every record
 * emitted); gate with an armed cutover (half the records dropped as the other color's).
 */
public final class GateBenchmark {
  private GateBenchmark() {}

  static Map<String, String> desired(boolean cutover) {
    Map<String, String> d = new HashMap<>();
    d.put("pipeline", "bench");
    d.put("active", "blue");
    d.put("generation", cutover ? "1" : "0");
    d.put("lateness", "0");
    d.put("gateMode", "filter");
    d.put("blue.restUrl", "http://bench-blue:8081");
    d.put("blue.gate", "true");
    d.put("green.restUrl", "http://bench-green:8081");
    d.put("green.gate", "true");
    return d;
  }

  static double run(long n, String variant) throws Exception {
    Configuration conf = new Configuration();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
    DataGeneratorSource<Long> src = new DataGeneratorSource<>(i -> i, n, Types.LONG);
    DataStream<Long> in = env.fromSource(src, WatermarkStrategy.<Long>forMonotonousTimestamps().withTimestampAssigner((v, ts) -> v), "records").map(v -> v + 1).returns(Types.LONG);
    if (!variant.equals("without-gate")) in = CutoverGate.filter(in, CutoverGate.options().color("blue").feed(FeedSpec.registered("bench-" + variant)));
    in.sinkTo(new DiscardingSink<>());
    long start = System.nanoTime();
    env.execute("gate-benchmark-" + variant);
    return n / ((System.nanoTime() - start) / 1e9);
  }

  public static void main(String[] args) throws Exception {
    long n = args.length > 0 ? Long.parseLong(args[0]) : 3_000_000L;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    InMemoryFeed steady = new InMemoryFeed();
    steady.setDesired(desired(false));
    steady.setStatus(null);
    CutoverFeeds.register("bench-gate-steady", steady);
    InMemoryFeed armed = new InMemoryFeed();
    Map<String, String> d = desired(true);
    d.put("to", "green");
    d.put("watermark", String.valueOf(n / 2));
    armed.setDesired(d);
    Map<String, String> st = new HashMap<>();
    st.put("generation", "1");
    st.put("phase", "Armed");
    st.put("active", "blue");
    st.put("to", "green");
    st.put("watermark", String.valueOf(n / 2));
    st.put("updatedAt", "2026-12-01T12:00:00Z");
    st.put("armedAt", "2026-12-01T12:00:00Z");
    armed.setStatus(st);
    CutoverFeeds.register("bench-gate-armed", armed);

    String[] variants = {"without-gate", "gate-steady", "gate-armed"};
    Map<String, List<Double>> results = new HashMap<>();
    for (String v : variants) run(Math.min(n, 500_000), v); // warm-up
    for (int r = 0; r < rounds; r++) {
      for (String v : variants) results.computeIfAbsent(v, k -> new ArrayList<>()).add(run(n, v));
    }
    double base = median(results.get("without-gate"));
    for (String v : variants) {
      double m = median(results.get(v));
      System.out.printf("{\"name\":\"java gate: %s (records/s, median of %d runs of %d records)\",\"value\":%.0f,\"unit\":\"records/s\",\"baseline\":%.0f,\"ratio\":%.3f}%n", v, rounds, n, m, base, m / base);
    }
  }

  static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    Collections.sort(s);
    return s.get(s.size() / 2);
  }
}
