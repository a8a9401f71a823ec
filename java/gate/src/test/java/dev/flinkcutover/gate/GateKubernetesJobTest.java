package dev.flinkcutover.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkcutover.gate.feed.FakeKubernetesApi;
import dev.flinkcutover.gate.feed.FeedSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job whose gate reads the ConfigMaps from a (fake) Kubernetes API: while the API is down at the
 * start the gate processes nothing (backpressure), later outages leave the job running and the
 * held records held, and the decision read after the outage releases each exactly once.
 */
class GateKubernetesJobTest {
  static Flink flink;

  @BeforeAll
  static void start() throws Exception {
    flink = new Flink();
    GateJobTest.flink = flink;
  }

  @AfterAll
  static void stop() throws Exception {
    if (flink != null) flink.close();
  }

  @Test
  void theJobWaitsForTheApiKeepsRunningThroughAnOutageAndReleasesOnTheDecision(@TempDir Path dir) throws Exception {
    try (FakeKubernetesApi api = new FakeKubernetesApi("streaming")) {
      Path token = dir.resolve("token");
      Files.writeString(token, "token-1");
      api.put("orders-cutover", GateJobTest.desired(1, 1000, "filter"));
      api.put("orders-cutover-status", GateJobTest.status(1, "Pending"));
      api.down = true;
      Map<String, String> settings = new HashMap<>();
      settings.put("FLINK_CUTOVER_CONFIGMAP", "orders-cutover");
      settings.put("FLINK_CUTOVER_STATUS_CONFIGMAP", "orders-cutover-status");
      settings.put("FLINK_CUTOVER_K8S_API", api.url());
      settings.put("FLINK_CUTOVER_NAMESPACE", "streaming");
      settings.put("FLINK_CUTOVER_K8S_TOKEN_FILE", token.toString());

      String key = "kubernetes";
      StreamExecutionEnvironment env = GateJobTest.env(2);
      CutoverGate.filter(GateJobTest.input(env, 300, false), CutoverGate.options().color("green").feed(FeedSpec.kubernetes(settings))).map(new GateJobTest.Probe<>(key)).returns(Types.STRING).sinkTo(new DiscardingSink<>());
      JobID job = new GateJobTest().submit(env, null);
      String vertex = flink.vertex(job, "flink-cutover-gate");

      // The API is down: the job runs, the gate has decided nothing (no record dropped or held).
      Flink.await("job running", Duration.ofSeconds(30), () -> status(job) == JobStatus.RUNNING);
      Thread.sleep(2000);
      GateJobTest t = new GateJobTest();
      assertEquals(0, t.awaitSum(job, vertex, "recordsDropped", 2, 0));
      assertEquals(0, t.awaitSum(job, vertex, "recordsHeld", 2, 0));

      // The API is back: blue's records (t < W) are dropped, green's held while Pending.
      api.down = false;
      t.awaitSum(job, vertex, "recordsHeld", 2, 200);
      t.awaitSum(job, vertex, "recordsDropped", 2, 100);

      // Down again for a while: the job keeps running and holds.
      api.down = true;
      Thread.sleep(3000);
      assertEquals(JobStatus.RUNNING, status(job));
      assertEquals(200, t.awaitSum(job, vertex, "recordsHeld", 2, 200));
      assertEquals(0, GateJobTest.SEEN.getOrDefault(key, new ConcurrentLinkedQueue<>()).size());

      // Back, with the decision: every held record is released once.
      api.put("orders-cutover-status", GateJobTest.status(1, "Armed"));
      api.down = false;
      t.awaitSum(job, vertex, "recordsEmitted", 2, 200);
      Flink.await("200 records after the gate", Duration.ofSeconds(30), () -> GateJobTest.SEEN.get(key) != null && GateJobTest.SEEN.get(key).size() >= 200);
      flink.cluster.cancelJob(job).get();
      Map<String, Integer> counts = new TreeMap<>();
      for (String v : GateJobTest.SEEN.get(key)) counts.merge(v, 1, Integer::sum);
      List<String> want = new ArrayList<>();
      for (long i = 100; i < 300; i++) want.add(String.valueOf(i));
      assertEquals(new java.util.TreeSet<>(want), counts.keySet());
      assertTrue(counts.values().stream().allMatch(c -> c == 1), counts.toString());
    }
  }

  static JobStatus status(JobID job) {
    try {
      return flink.cluster.getJobStatus(job).get();
    } catch (Exception e) {
      return null;
    }
  }
}
