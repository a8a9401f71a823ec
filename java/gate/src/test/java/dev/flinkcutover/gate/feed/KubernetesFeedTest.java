package dev.flinkcutover.gate.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Kubernetes ConfigMap reader against an HTTP fake of the API: list + watch, 410, token rotation, the API down. */
class KubernetesFeedTest {
  static void await(String what, BooleanSupplier ok) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!ok.getAsBoolean()) {
      if (System.nanoTime() > end) throw new AssertionError("timed out waiting for " + what);
      Thread.sleep(20);
    }
  }

  static final class Reads implements CutoverFeed.Listener {
    final List<Map<String, String>> desired = new CopyOnWriteArrayList<>();
    final List<Object> status = new CopyOnWriteArrayList<>();

    @Override
    public void onDesired(Map<String, String> data) {
      desired.add(data);
    }

    @Override
    public void onStatus(Map<String, String> data) {
      status.add(data == null ? "absent" : data);
    }

    Map<String, String> lastDesired() {
      return desired.isEmpty() ? null : desired.get(desired.size() - 1);
    }
  }

  static Map<String, String> data(String k, String v) {
    Map<String, String> m = new HashMap<>();
    m.put(k, v);
    return m;
  }

  @Test
  void watchesRelistsOn410RereadsARotatedTokenAndSurvivesTheApiBeingDown(@TempDir Path dir) throws Exception {
    try (FakeKubernetesApi api = new FakeKubernetesApi("streaming")) {
      Path token = dir.resolve("token");
      Files.writeString(token, "token-1\n");
      api.put("orders-cutover", data("generation", "0"));
      Map<String, String> env = new HashMap<>();
      env.put("FLINK_CUTOVER_CONFIGMAP", "orders-cutover");
      env.put("FLINK_CUTOVER_STATUS_CONFIGMAP", "orders-cutover-status");
      env.put("FLINK_CUTOVER_K8S_API", api.url());
      env.put("FLINK_CUTOVER_NAMESPACE", "streaming");
      env.put("FLINK_CUTOVER_K8S_TOKEN_FILE", token.toString());
      env.put("FLINK_CUTOVER_K8S_RELIST_SECONDS", "300");

      // One feed per JVM for the same ConfigMaps, however many gate subtasks ask.
      CutoverFeeds.Lease a = CutoverFeeds.acquire(FeedSpec.fromEnvironment(), env);
      CutoverFeeds.Lease b = CutoverFeeds.acquire(FeedSpec.fromEnvironment(), env);
      assertSame(a.feed, b.feed);
      Reads reads = new Reads();
      a.feed.subscribe(reads);

      // The first list: the desired data, and the status ConfigMap does not exist (yet).
      await("first reads", () -> reads.desired.size() == 1 && reads.status.size() == 1);
      assertEquals("0", reads.lastDesired().get("generation"));
      assertEquals("absent", reads.status.get(0));
      await("both watches open", () -> api.openWatches() == 2);
      assertNull(a.feed.waitingFor());
      assertTrue(api.requests.stream().allMatch(r -> r.endsWith("| Bearer token-1")), api.requests.toString());
      assertTrue(api.requests.stream().anyMatch(r -> r.contains("watch=true") && r.contains("resourceVersion=")), api.requests.toString());

      // Watch events: a change and a new status arrive without a re-list.
      int lists = lists(api);
      api.put("orders-cutover", data("generation", "1"));
      api.put("orders-cutover-status", data("phase", "Pending"));
      await("watched change", () -> "1".equals(reads.lastDesired().get("generation")) && reads.status.size() == 2);
      assertEquals(lists, lists(api), "a watch event needs no re-list");

      // 410 Gone: the feed re-lists (and sees what changed meanwhile).
      api.compact();
      api.put("orders-cutover", data("generation", "2"));
      await("re-list after 410", () -> "2".equals(reads.lastDesired().get("generation")));
      assertTrue(lists(api) > lists, "re-listed after 410");

      // The token rotates: the new file is read (the fake now refuses the old token).
      Files.writeString(token, "token-2\n");
      Files.setLastModifiedTime(token, FileTime.from(Instant.now().plusSeconds(5)));
      api.token = "token-2";
      api.closeWatches();
      api.put("orders-cutover", data("generation", "3"));
      await("read with the rotated token", () -> "3".equals(reads.lastDesired().get("generation")));
      assertTrue(api.requests.stream().anyMatch(r -> r.endsWith("| Bearer token-2")));

      // The API is down for a while: no read is current (a restoring gate waits), nothing fails.
      api.down = true;
      await("feed notices the API is down", () -> a.feed.waitingFor() != null);
      assertTrue(a.feed.waitingFor().contains("503"), a.feed.waitingFor());
      Thread.sleep(1500);
      api.put("orders-cutover", data("generation", "4"));
      Reads late = new Reads();
      a.feed.subscribe(late);
      Thread.sleep(300);
      assertEquals(0, late.desired.size(), "no stale read for a subscriber while the API is down");
      api.down = false;
      await("back after the outage", () -> "4".equals(reads.lastDesired().get("generation")) && late.desired.size() == 1 && late.status.size() == 1);
      assertNull(a.feed.waitingFor());

      // A deleted ConfigMap reads as absent.
      api.delete("orders-cutover-status");
      await("status deleted", () -> "absent".equals(reads.status.get(reads.status.size() - 1)));

      // The last lease closes the watch.
      a.close();
      assertEquals(1, CutoverFeeds.active());
      b.close();
      assertEquals(0, CutoverFeeds.active());
      await("watch threads ended", () -> Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("flink-cutover-watch-orders-cutover") && t.isAlive()));
      await("watches closed", () -> api.openWatches() == 0);
      assertNotNull(reads.lastDesired());
    }
  }

  private static int lists(FakeKubernetesApi api) {
    return (int) api.requests.stream().filter(r -> !r.contains("watch=true")).count();
  }
}
