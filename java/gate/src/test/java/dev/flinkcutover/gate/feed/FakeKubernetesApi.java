package dev.flinkcutover.gate.feed;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.flinkcutover.gate.core.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An in-process fake of the Kubernetes API's ConfigMap list and watch (the part the gate uses):
 * fieldSelector metadata.name, resourceVersion, streaming watch events, 410 Gone for a
 * resourceVersion older than it keeps, bearer-token checks, and an "API down" switch that answers 503.
 */
public final class FakeKubernetesApi implements AutoCloseable {
  final HttpServer server;
  final String namespace;
  private final Map<String, Map<String, String>> configMaps = new LinkedHashMap<>();
  private long resourceVersion = 100;
  /** Watch events newer than this resourceVersion are kept; older watches get 410. */
  private long oldestKept = 100;
  private final List<LinkedBlockingQueue<String>> watchers = new CopyOnWriteArrayList<>();
  public volatile String token = "token-1";
  public volatile boolean down;
  /** Every request: "METHOD path?query | Authorization". */
  final List<String> requests = new CopyOnWriteArrayList<>();

  public FakeKubernetesApi(String namespace) throws IOException {
    this.namespace = namespace;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "fake-kubernetes-api");
      t.setDaemon(true);
      return t;
    }));
    server.createContext("/", this::handle);
    server.start();
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public synchronized void put(String name, Map<String, String> data) {
    boolean existed = configMaps.containsKey(name);
    configMaps.put(name, new LinkedHashMap<>(data));
    event(existed ? "MODIFIED" : "ADDED", name, data);
  }

  synchronized void delete(String name) {
    Map<String, String> old = configMaps.remove(name);
    if (old != null) event("DELETED", name, old);
  }

  /** Forgets history: watches from an older resourceVersion get 410 Gone (an expired watch). */
  synchronized void compact() {
    oldestKept = resourceVersion;
    for (LinkedBlockingQueue<String> w : watchers) w.add(Json.write(Map.of("type", "ERROR", "object", Map.of("kind", "Status", "code", 410L, "reason", "Expired", "message", "too old resource version"))));
  }

  /** Ends every open watch (as the API server does at its timeout or on restart). */
  void closeWatches() {
    for (LinkedBlockingQueue<String> w : watchers) w.add("");
  }

  int openWatches() {
    return watchers.size();
  }

  private void event(String type, String name, Map<String, String> data) {
    resourceVersion++;
    String line = Json.write(Map.of("type", type, "object", object(name, data)));
    for (LinkedBlockingQueue<String> w : watchers) w.add(name + "\n" + line);
  }

  private Map<String, Object> object(String name, Map<String, String> data) {
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("name", name);
    meta.put("namespace", namespace);
    meta.put("resourceVersion", String.valueOf(resourceVersion));
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("kind", "ConfigMap");
    o.put("metadata", meta);
    o.put("data", new LinkedHashMap<>(data));
    return o;
  }

  private static Map<String, String> query(String q) {
    Map<String, String> m = new LinkedHashMap<>();
    if (q == null) return m;
    for (String p : q.split("&")) {
      int i = p.indexOf('=');
      m.put(URLDecoder.decode(i < 0 ? p : p.substring(0, i), StandardCharsets.UTF_8), i < 0 ? "" : URLDecoder.decode(p.substring(i + 1), StandardCharsets.UTF_8));
    }
    return m;
  }

  private void respond(HttpExchange ex, int code, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(code, b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    requests.add(ex.getRequestMethod() + " " + ex.getRequestURI() + " | " + auth);
    if (down) {
      respond(ex, 503, "{\"kind\":\"Status\",\"code\":503,\"message\":\"down\"}");
      return;
    }
    if (!("Bearer " + token).equals(auth)) {
      respond(ex, 401, "{\"kind\":\"Status\",\"code\":401,\"message\":\"Unauthorized\"}");
      return;
    }
    String path = ex.getRequestURI().getPath();
    if (!path.equals("/api/v1/namespaces/" + namespace + "/configmaps")) {
      respond(ex, 404, "{\"kind\":\"Status\",\"code\":404}");
      return;
    }
    Map<String, String> q = query(ex.getRequestURI().getRawQuery());
    String selector = q.getOrDefault("fieldSelector", "");
    if (!selector.startsWith("metadata.name=")) {
      respond(ex, 403, "{\"kind\":\"Status\",\"code\":403,\"message\":\"the Role allows these ConfigMaps by name only\"}");
      return;
    }
    String name = selector.substring("metadata.name=".length());
    if (!"true".equals(q.get("watch"))) {
      String body;
      synchronized (this) {
        List<Object> items = new ArrayList<>();
        if (configMaps.containsKey(name)) items.add(object(name, configMaps.get(name)));
        body = Json.write(Map.of("kind", "ConfigMapList", "metadata", Map.of("resourceVersion", String.valueOf(resourceVersion)), "items", items));
      }
      respond(ex, 200, body);
      return;
    }
    LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();
    synchronized (this) {
      long rv = Long.parseLong(q.getOrDefault("resourceVersion", "0"));
      if (rv < oldestKept) {
        respond(ex, 410, "{\"kind\":\"Status\",\"code\":410,\"reason\":\"Expired\"}");
        return;
      }
      watchers.add(queue);
    }
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(200, 0);
    try (OutputStream out = ex.getResponseBody()) {
      out.flush();
      while (!down) {
        String item = queue.poll(200, TimeUnit.MILLISECONDS);
        if (item == null) {
          // A bookmark now and then, as the API server sends: it also finds clients that went away.
          out.write(("{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"ConfigMap\",\"metadata\":{\"resourceVersion\":\"" + resourceVersion + "\"}}}\n").getBytes(StandardCharsets.UTF_8));
          out.flush();
          continue;
        }
        if (item.isEmpty()) break;
        String line = item;
        if (item.indexOf('\n') > 0) {
          if (!item.substring(0, item.indexOf('\n')).equals(name)) continue;
          line = item.substring(item.indexOf('\n') + 1);
        }
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        if (line.contains("\"ERROR\"")) break;
      }
    } catch (InterruptedException | IOException e) {
      // the client went away
    } finally {
      watchers.remove(queue);
    }
  }

  @Override
  public void close() {
    down = true;
    server.stop(0);
  }
}
