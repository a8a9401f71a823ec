package dev.flinkcutover.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkcutover.gate.feed.CutoverFeeds;
import dev.flinkcutover.gate.feed.FeedSpec;
import dev.flinkcutover.gate.feed.InMemoryFeed;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gate in real Flink jobs (MiniCluster): metrics under the contract's REST ids, held records
 * across stop-with-savepoint and restores (same and another parallelism), filter and tag output
 * of a decided cutover, and a record without a timestamp.
 */
class GateJobTest {
  /** The MiniCluster the helpers below use (GateKubernetesJobTest sets its own). */
  static Flink flink;
  /** What the jobs' probe after the gate saw, per test key. */
  static final Map<String, ConcurrentLinkedQueue<String>> SEEN = new java.util.concurrent.ConcurrentHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    flink = new Flink();
  }

  @AfterAll
  static void stop() throws Exception {
    if (flink != null) flink.close();
  }

  static Map<String, String> desired(int generation, long w, String gateMode) {
    Map<String, String> d = new HashMap<>();
    d.put("pipeline", "orders");
    d.put("active", "blue");
    d.put("generation", String.valueOf(generation));
    d.put("lateness", "0");
    d.put("gateMode", gateMode);
    d.put("blue.restUrl", "http://orders-blue-rest:8081");
    d.put("blue.gate", "true");
    d.put("green.restUrl", "http://orders-green-rest:8081");
    d.put("green.gate", "true");
    if (generation > 0) {
      d.put("to", "green");
      d.put("watermark", String.valueOf(w));
    }
    return d;
  }

  static Map<String, String> status(int generation, String phase) {
    Map<String, String> s = new HashMap<>();
    s.put("generation", String.valueOf(generation));
    s.put("phase", phase);
    s.put("active", "blue");
    s.put("to", "green");
    s.put("watermark", "1000");
    s.put("updatedAt", "2026-12-01T12:00:00Z");
    if (!phase.equals("Pending") && !phase.equals("Rejected")) s.put("armedAt", "2026-12-01T11:59:00Z");
    if (phase.equals("Completed")) s.put("completedAt", "2026-12-01T12:00:00Z");
    return s;
  }

  /** A probe after the gate: records what passed (side effect; these tests run without failover). */
  static final class Probe<T> implements org.apache.flink.api.common.functions.MapFunction<T, String> {
    private static final long serialVersionUID = 1L;
    final String key;

    Probe(String key) {
      this.key = key;
    }

    @Override
    public String map(T v) {
      String s = String.valueOf(v);
      SEEN.computeIfAbsent(key, k -> new ConcurrentLinkedQueue<>()).add(s);
      return s;
    }
  }

  /**
   * Records 0..n-1 with t = 10 * i from a rate-limited generator that then keeps running (indexes
   * past n are filtered out), so the job can be stopped with a savepoint while it holds records.
   */
  static DataStream<Long> input(StreamExecutionEnvironment env, long n, boolean bounded) {
    DataGeneratorSource<Long> src = new DataGeneratorSource<>(i -> i, bounded ? n : Long.MAX_VALUE, RateLimiterStrategy.perSecond(2000), Types.LONG);
    return env.fromSource(src, WatermarkStrategy.<Long>forMonotonousTimestamps().withTimestampAssigner((v, ts) -> v * 10), "input")
        .setParallelism(1)
        .uid("input")
        .filter(v -> v < n)
        .setParallelism(1)
        .uid("bounded")
        .rebalance();
  }

  static StreamExecutionEnvironment env(int parallelism) {
    org.apache.flink.configuration.Configuration conf = new org.apache.flink.configuration.Configuration();
    // A failure fails the test (no silent restart that would replay records).
    conf.set(org.apache.flink.configuration.ConfigOptions.key("restart-strategy.type").stringType().noDefaultValue(), "none");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(parallelism);
    env.enableCheckpointing(300);
    return env;
  }

  JobID submit(StreamExecutionEnvironment env, String savepoint) throws Exception {
    JobGraph g = env.getStreamGraph().getJobGraph();
    if (savepoint != null) g.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint, false));
    flink.cluster.submitJob(g).get();
    return g.getJobID();
  }

  /** The gate's REST metric ids on its vertex, as the contract names them. */
  @SuppressWarnings("unchecked")
  static Set<String> contractIds(int parallelism, String operator) {
    Map<String, Object> c = dev.flinkcutover.gate.core.Json.parseObject(dev.flinkcutover.gate.core.Repo.read(dev.flinkcutover.gate.core.Repo.root().resolve("schemas/gate-metrics.contract.json")));
    List<String> metrics = new ArrayList<>(((Map<String, Object>) c.get("decisionMetrics")).keySet());
    metrics.addAll(((Map<String, Object>) c.get("recordMetrics")).keySet());
    assertEquals(8, metrics.size(), "contract metrics " + metrics);
    assertEquals(String.valueOf(GateOperator.NO_VALUE), c.get("noValue"));
    Set<String> ids = new TreeSet<>();
    for (int s = 0; s < parallelism; s++) {
      for (String m : metrics) {
        ids.add(((String) c.get("metricIdTemplate")).replace("{subtask}", String.valueOf(s)).replace("{operator}", operator).replace("{group}", (String) c.get("metricGroup")).replace("{metric}", m));
      }
    }
    return ids;
  }

  long sum(JobID job, String vertex, String metric, int parallelism) throws Exception {
    List<String> ids = new ArrayList<>();
    for (int s = 0; s < parallelism; s++) ids.add(s + ".flink-cutover-gate.flink-cutover-gate." + metric);
    Map<String, String> v = flink.metrics(job, vertex, ids);
    if (v.size() < parallelism) return -1;
    return v.values().stream().mapToLong(Long::parseLong).sum();
  }

  long awaitSum(JobID job, String vertex, String metric, int parallelism, long want) throws Exception {
    long[] last = {-2};
    Flink.await(metric + " = " + want, Duration.ofSeconds(60), () -> {
      try {
        last[0] = sum(job, vertex, metric, parallelism);
        return last[0] == want;
      } catch (Exception e) {
        return false;
      }
    });
    return last[0];
  }

  @Test
  void heldRecordsSurviveStopWithSavepointAndRestoresAtAnyParallelismAndAreReleasedExactlyOnce(@TempDir Path dir) throws Exception {
    InMemoryFeed feed = new InMemoryFeed();
    CutoverFeeds.register("held", feed);
    // Generation 1 hands blue's output to green at W = 1000: green drops t < 1000 (blue's) and holds t >= 1000 while Pending.
    feed.setDesired(desired(1, 1000, "filter"));
    feed.setStatus(status(1, "Pending"));
    String key = "held";
    int n = 300;

    // Run 1, parallelism 2: holds 200 records; metrics under exactly the contract's ids.
    StreamExecutionEnvironment env = env(2);
    CutoverGate.filter(input(env, n, false), CutoverGate.options().color("green").feed(FeedSpec.registered("held"))).map(new Probe<>(key)).returns(Types.STRING).sinkTo(new DiscardingSink<>());
    JobID job1 = submit(env, null);
    String vertex = flink.vertex(job1, "flink-cutover-gate");
    awaitSum(job1, vertex, "recordsHeld", 2, 200);
    assertEquals(100, awaitSum(job1, vertex, "recordsDropped", 2, 100));
    Flink.await("every gate metric listed", Duration.ofSeconds(30), () -> {
      try {
        return flink.metricIds(job1, vertex).stream().filter(id -> id.matches("\\d+\\.flink-cutover-gate\\.flink-cutover-gate\\..*")).count() == 16;
      } catch (Exception e) {
        return false;
      }
    });
    // Every metric id in the gate's metric group, as the REST API lists it.
    Set<String> gateIds = flink.metricIds(job1, vertex).stream().filter(id -> id.matches("\\d+\\.flink-cutover-gate\\.flink-cutover-gate\\..*")).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(contractIds(2, "flink-cutover-gate"), gateIds);
    Map<String, String> values = flink.metrics(job1, vertex, new ArrayList<>(gateIds));
    assertEquals("1", values.get("0.flink-cutover-gate.flink-cutover-gate.preparedGeneration"));
    assertEquals("1", values.get("1.flink-cutover-gate.flink-cutover-gate.preparedGeneration"));
    // The gates learned of generation 1 before their first record: nothing seen at prepare.
    assertEquals(String.valueOf(Long.MIN_VALUE), values.get("0.flink-cutover-gate.flink-cutover-gate.maxTimestampAtPrepare"));
    assertEquals(0, SEEN.getOrDefault(key, new ConcurrentLinkedQueue<>()).size(), "nothing emitted while Pending");
    String sp1 = flink.cluster.stopWithSavepoint(job1, dir.resolve("sp1").toUri().toString(), false, SavepointFormatType.CANONICAL).get();

    // Run 2, same parallelism, still Pending: each subtask restores its own held records.
    env = env(2);
    CutoverGate.filter(input(env, n, false), CutoverGate.options().color("green").feed(FeedSpec.registered("held"))).map(new Probe<>(key)).returns(Types.STRING).sinkTo(new DiscardingSink<>());
    JobID job2 = submit(env, sp1);
    String vertex2 = flink.vertex(job2, "flink-cutover-gate");
    awaitSum(job2, vertex2, "recordsHeld", 2, 200);
    // The gate watermark restored as committed (the savepoint covered it).
    Map<String, String> wm = flink.metrics(job2, vertex2, Arrays.asList("0.flink-cutover-gate.flink-cutover-gate.gateWatermark", "1.flink-cutover-gate.flink-cutover-gate.gateWatermark"));
    for (String v : wm.values()) assertTrue(Long.parseLong(v) >= 0, "gateWatermark after restore: " + wm);
    String sp2 = flink.cluster.stopWithSavepoint(job2, dir.resolve("sp2").toUri().toString(), false, SavepointFormatType.CANONICAL).get();
    assertEquals(0, SEEN.getOrDefault(key, new ConcurrentLinkedQueue<>()).size(), "nothing emitted while Pending");

    // Run 3, parallelism 3: the held records are redistributed; Armed releases each exactly once.
    env = env(3);
    CutoverGate.filter(input(env, n, false), CutoverGate.options().color("green").feed(FeedSpec.registered("held"))).map(new Probe<>(key)).returns(Types.STRING).sinkTo(new DiscardingSink<>());
    JobID job3 = submit(env, sp2);
    String vertex3 = flink.vertex(job3, "flink-cutover-gate");
    awaitSum(job3, vertex3, "recordsHeld", 3, 200);
    feed.setStatus(status(1, "Armed"));
    awaitSum(job3, vertex3, "recordsHeld", 3, 0);
    awaitSum(job3, vertex3, "recordsEmitted", 3, 200);
    Flink.await("200 records after the gate", Duration.ofSeconds(30), () -> SEEN.get(key) != null && SEEN.get(key).size() >= 200);
    flink.cluster.cancelJob(job3).get();

    Map<String, Integer> counts = new TreeMap<>();
    for (String v : SEEN.get(key)) counts.merge(v, 1, Integer::sum);
    List<String> want = new ArrayList<>();
    for (long i = 100; i < n; i++) want.add(String.valueOf(i));
    Collections.sort(want);
    assertEquals(want, new ArrayList<>(counts.keySet()), "exactly green's records (t >= W)");
    assertTrue(counts.values().stream().allMatch(c -> c == 1), "each released exactly once: " + counts);
    CutoverFeeds.unregister("held");
  }

  @Test
  void aDecidedCutoverEmitsExactlyItsColorsRecordsTagModeTagsOwnersAndARecordWithoutTimestampFails() throws Exception {
    InMemoryFeed feed = new InMemoryFeed();
    CutoverFeeds.register("decided", feed);
    feed.setDesired(desired(1, 1000, "filter"));
    feed.setStatus(status(1, "Armed"));
    InMemoryFeed tagFeed = new InMemoryFeed();
    CutoverFeeds.register("decided-tag", tagFeed);
    tagFeed.setDesired(desired(1, 1000, "tag"));
    tagFeed.setStatus(status(1, "Completed"));

    // One bounded job, two gates (suffixes): a filter gate of blue and a tag gate of green.
    StreamExecutionEnvironment env = env(2);
    DataStream<Long> in = input(env, 300, true);
    CutoverGate.filter(in, CutoverGate.options().suffix("blue").color("blue").feed(FeedSpec.registered("decided"))).map(new Probe<>("filter-blue")).returns(Types.STRING).sinkTo(new DiscardingSink<>());
    CutoverGate.tag(in, CutoverGate.options().suffix("tagged").color("green").feed(FeedSpec.registered("decided-tag"))).map(new Probe<>("tag-green")).returns(Types.STRING).sinkTo(new DiscardingSink<>());
    JobID job = submit(env, null);
    JobResult r = flink.cluster.requestJobResult(job).get();
    assertTrue(r.isSuccess(), () -> "job failed: " + r.getSerializedThrowable());

    List<String> blue = new ArrayList<>(SEEN.get("filter-blue"));
    Collections.sort(blue, (a, b) -> Long.compare(Long.parseLong(a), Long.parseLong(b)));
    List<String> want = new ArrayList<>();
    for (long i = 0; i < 100; i++) want.add(String.valueOf(i));
    assertEquals(want, blue, "blue's gate emits exactly t < W");
    Map<String, String> owners = new TreeMap<>();
    for (String s : SEEN.get("tag-green")) {
      String[] p = s.substring(1, s.length() - 1).split(",");
      assertEquals(null, owners.put(p[1], p[0]), "tagged once: " + s);
    }
    assertEquals(300, owners.size());
    for (Map.Entry<String, String> e : owners.entrySet()) assertEquals(Long.parseLong(e.getKey()) * 10 < 1000 ? "blue" : "green", e.getValue(), "owner of " + e.getKey());

    // A record without a timestamp fails the job with a message that says what to do.
    StreamExecutionEnvironment env2 = env(1);
    CutoverGate.filter(env2.fromSequence(1, 3), CutoverGate.options().color("blue").feed(FeedSpec.registered("decided"))).sinkTo(new DiscardingSink<>());
    JobGraph g = env2.getStreamGraph().getJobGraph();
    flink.cluster.submitJob(g).get();
    JobResult failed = flink.cluster.requestJobResult(g.getJobID()).get();
    assertTrue(!failed.isSuccess());
    String trace = failed.getSerializedThrowable().get().getFullStringifiedStackTrace();
    assertTrue(trace.contains("a record has no event timestamp") && trace.contains("assign timestamps and watermarks upstream"), trace);
    CutoverFeeds.unregister("decided");
    CutoverFeeds.unregister("decided-tag");
  }
}
