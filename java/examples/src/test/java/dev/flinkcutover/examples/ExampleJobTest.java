package dev.flinkcutover.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkcutover.gate.CutoverGate;
import dev.flinkcutover.gate.feed.CutoverFeeds;
import dev.flinkcutover.gate.feed.FeedSpec;
import dev.flinkcutover.gate.feed.InMemoryFeed;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example job on a local MiniCluster: two partitions in, the running totals, the gate of blue during an armed cutover, committed files out. */
class ExampleJobTest {
  @Test
  void writesExactlyBluesRecordsWithRunningTotalsToCommittedFiles(@TempDir Path dir) throws Exception {
    Path in = Files.createDirectories(dir.resolve("in"));
    Path out = dir.resolve("out");
    // Two partitions (files), out of order within 300 ms; W = 5000.
    List<String> a = new ArrayList<>();
    List<String> b = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      long t = i * 100L + (i % 3 == 0 ? 250 : 0);
      (i % 2 == 0 ? a : b).add(i + "," + t + ",k" + (i % 4) + "," + i);
    }
    Files.write(in.resolve("p0.csv"), a, StandardCharsets.UTF_8);
    Files.write(in.resolve("p1.csv"), b, StandardCharsets.UTF_8);

    InMemoryFeed feed = new InMemoryFeed();
    Map<String, String> d = new HashMap<>();
    d.put("pipeline", "orders");
    d.put("active", "blue");
    d.put("generation", "1");
    d.put("to", "green");
    d.put("watermark", "5000");
    d.put("lateness", "0");
    d.put("gateMode", "filter");
    d.put("blue.restUrl", "http://b:8081");
    d.put("blue.gate", "true");
    d.put("green.restUrl", "http://g:8081");
    d.put("green.gate", "true");
    feed.setDesired(d);
    Map<String, String> st = new HashMap<>();
    st.put("generation", "1");
    st.put("phase", "Armed");
    st.put("active", "blue");
    st.put("to", "green");
    st.put("watermark", "5000");
    st.put("updatedAt", "2026-12-01T12:00:00Z");
    st.put("armedAt", "2026-12-01T12:00:00Z");
    feed.setStatus(st);
    CutoverFeeds.register("example", feed);

    Configuration conf = new Configuration();
    conf.set(ConfigOptions.key("restart-strategy.type").stringType().noDefaultValue(), "none");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(2);
    Map<String, String> args = new HashMap<>();
    args.put("input", in.toUri().toString());
    args.put("output", out.toUri().toString());
    args.put("color", "blue");
    args.put("bounded", "true");
    args.put("checkpoint-interval", "500");
    ExampleJob.build(env, args, CutoverGate.options().feed(FeedSpec.registered("example")));
    env.execute("example-job-test");
    CutoverFeeds.unregister("example");

    List<String> lines;
    try (Stream<Path> files = Files.walk(out)) {
      List<Path> committed = files.filter(f -> f.getFileName().toString().startsWith("part-blue")).collect(Collectors.toList());
      assertTrue(!committed.isEmpty(), "committed part files under " + out);
      lines = new ArrayList<>();
      for (Path f : committed) lines.addAll(Files.readAllLines(f, StandardCharsets.UTF_8));
    }
    // Exactly the records with t < W, each once, each with its key's running count and sum.
    Map<Integer, String> byId = new TreeMap<>();
    for (String l : lines) assertEquals(null, byId.put(Integer.parseInt(l.split(",")[0]), l), "once: " + l);
    for (Map.Entry<Integer, String> e : byId.entrySet()) assertTrue(Long.parseLong(e.getValue().split(",")[1]) < 5000, e.getValue());
    long expected = a.stream().filter(l -> Long.parseLong(l.split(",")[1]) < 5000).count() + b.stream().filter(l -> Long.parseLong(l.split(",")[1]) < 5000).count();
    assertEquals(expected, byId.size());
    Map<String, long[]> totals = new HashMap<>();
    for (String l : lines) {
      String[] p = l.split(",");
      assertEquals(6, p.length, l);
      totals.merge(p[2], new long[] {Long.parseLong(p[4]), Long.parseLong(p[5])}, (x, y) -> x[0] >= y[0] ? x : y);
    }
    // Per key the largest count equals the number of that key's records before W (none lost upstream of the gate either).
    for (Map.Entry<String, long[]> e : totals.entrySet()) {
      long n = Stream.concat(a.stream(), b.stream()).filter(l -> l.split(",")[2].equals(e.getKey()) && Long.parseLong(l.split(",")[1]) < 5000).count();
      assertTrue(e.getValue()[0] >= n, e.getKey() + " count " + e.getValue()[0] + " < " + n);
    }
  }
}
