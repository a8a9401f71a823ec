package dev.flinkcutover.gate;

import dev.flinkcutover.gate.core.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;

/** A real Flink MiniCluster with its REST endpoint, for the gate's job tests (small: 1 TaskManager, 4 slots). */
public final class Flink implements AutoCloseable {
  public final MiniCluster cluster;
  final URI rest;
  private final HttpClient http = HttpClient.newHttpClient();

  public Flink() throws Exception {
    Configuration conf = new Configuration();
    conf.set(ConfigOptions.key("rest.port").intType().noDefaultValue(), 0);
    conf.set(ConfigOptions.key("rest.bind-port").stringType().noDefaultValue(), "0");
    conf.set(ConfigOptions.key("metrics.fetcher.update-interval").durationType().noDefaultValue(), Duration.ofMillis(300));
    conf.set(ConfigOptions.key("taskmanager.memory.network.min").stringType().noDefaultValue(), "32m");
    conf.set(ConfigOptions.key("taskmanager.memory.network.max").stringType().noDefaultValue(), "32m");
    conf.set(ConfigOptions.key("taskmanager.memory.managed.size").stringType().noDefaultValue(), "16m");
    cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(conf).setNumTaskManagers(1).setNumSlotsPerTaskManager(4).build());
    cluster.start();
    rest = cluster.getRestAddress().get();
  }

  @SuppressWarnings("unchecked")
  Map<String, Object> get(String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(rest.resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) throw new IllegalStateException("GET " + path + ": HTTP " + r.statusCode() + " " + r.body());
    Object v = Json.parse(r.body());
    if (v instanceof List) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("list", v);
      return m;
    }
    return (Map<String, Object>) v;
  }

  /** The id of the job vertex whose name contains {@code part}. */
  @SuppressWarnings("unchecked")
  public String vertex(JobID job, String part) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    Object vertices = null;
    while (System.nanoTime() < end) {
      vertices = get("/jobs/" + job).get("vertices");
      for (Object o : (List<Object>) vertices) {
        Map<String, Object> v = (Map<String, Object>) o;
        if (((String) v.get("name")).contains(part)) return (String) v.get("id");
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("no vertex named like " + part + " in " + Json.write(vertices));
  }

  /** The metric ids listed on a vertex (GET /jobs/:job/vertices/:vertex/metrics). */
  @SuppressWarnings("unchecked")
  public List<String> metricIds(JobID job, String vertex) throws Exception {
    List<String> ids = new ArrayList<>();
    for (Object o : (List<Object>) get("/jobs/" + job + "/vertices/" + vertex + "/metrics").get("list")) ids.add((String) ((Map<String, Object>) o).get("id"));
    return ids;
  }

  /** Metric values by id (GET ...?get=a,b). */
  @SuppressWarnings("unchecked")
  public Map<String, String> metrics(JobID job, String vertex, List<String> ids) throws Exception {
    Map<String, String> out = new LinkedHashMap<>();
    if (ids.isEmpty()) return out;
    for (Object o : (List<Object>) get("/jobs/" + job + "/vertices/" + vertex + "/metrics?get=" + String.join(",", ids)).get("list")) {
      Map<String, Object> m = (Map<String, Object>) o;
      out.put((String) m.get("id"), (String) m.get("value"));
    }
    return out;
  }

  public static void await(String what, Duration timeout, BooleanSupplier ok) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (!ok.getAsBoolean()) {
      if (System.nanoTime() > end) throw new AssertionError("timed out after " + timeout.getSeconds() + " s waiting for " + what);
      Thread.sleep(100);
    }
  }

  @Override
  public void close() throws Exception {
    cluster.close();
  }
}
