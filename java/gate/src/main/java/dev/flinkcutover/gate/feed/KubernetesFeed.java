package dev.flinkcutover.gate.feed;

import dev.flinkcutover.gate.core.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the two ConfigMaps from the Kubernetes API with the JDK's HttpClient: per ConfigMap, a
 * list (fieldSelector metadata.name, which the gate's Role allows by resourceNames) then a watch
 * from its resourceVersion; a re-list on 410 Gone, when a watch ends and at least every
 * {@link KubernetesSettings#relist}; on errors an exponential back-off (1 s up to 30 s) that never
 * fails the job. The token file is re-read when it changes (and after a 401).
 */
public final class KubernetesFeed extends FeedBase {
  private static final Logger LOG = LoggerFactory.getLogger(KubernetesFeed.class);

  private final KubernetesSettings settings;
  private final HttpClient http;
  private final Watcher desiredWatcher;
  private final Watcher statusWatcher;
  private volatile boolean closed;
  private final Object tokenLock = new Object();
  private FileTime tokenTime;
  private String token;

  public KubernetesFeed(KubernetesSettings settings) {
    this.settings = settings;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).sslContext(sslContext(settings)).build();
    this.desiredWatcher = new Watcher(settings.desiredName, true);
    this.statusWatcher = new Watcher(settings.statusName, false);
    desiredWatcher.thread.start();
    statusWatcher.thread.start();
  }

  private static SSLContext sslContext(KubernetesSettings s) {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      if (s.insecure) {
        ctx.init(null, new TrustManager[] {new X509TrustManager() {
          @Override
          public void checkClientTrusted(X509Certificate[] c, String a) {}

          @Override
          public void checkServerTrusted(X509Certificate[] c, String a) {}

          @Override
          public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
          }
        }}, new SecureRandom());
        return ctx;
      }
      if (!Files.isReadable(s.caFile)) {
        ctx.init(null, null, null);
        return ctx;
      }
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      int i = 0;
      try (InputStream in = Files.newInputStream(s.caFile)) {
        for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) ks.setCertificateEntry("ca" + i++, c);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      ctx.init(null, tmf.getTrustManagers(), new SecureRandom());
      return ctx;
    } catch (Exception e) {
      throw new IllegalStateException("flink-cutover gate: cannot set up TLS for " + s.apiUrl + " with CA " + s.caFile + ": " + e, e);
    }
  }

  /** The bearer token, re-read when the file changed (the kubelet rotates projected tokens). */
  private String token(boolean forceReread) {
    synchronized (tokenLock) {
      try {
        if (!Files.exists(settings.tokenFile)) return null;
        FileTime t = Files.getLastModifiedTime(settings.tokenFile);
        if (forceReread || token == null || !t.equals(tokenTime)) {
          token = new String(Files.readAllBytes(settings.tokenFile), StandardCharsets.UTF_8).trim();
          tokenTime = t;
        }
        return token;
      } catch (IOException e) {
        LOG.warn("flink-cutover: cannot read the token file {}: {}", settings.tokenFile, e.toString());
        return token;
      }
    }
  }

  private HttpRequest request(String query, boolean forceToken, Duration timeout) {
    String path = "/api/v1/namespaces/" + enc(settings.namespace) + "/configmaps?" + query;
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(settings.apiUrl + path)).header("Accept", "application/json").GET();
    if (timeout != null) b.timeout(timeout);
    String t = token(forceToken);
    if (t != null && !t.isEmpty()) b.header("Authorization", "Bearer " + t);
    return b.build();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Override
  public String waitingFor() {
    return current() ? null : "a current read of ConfigMaps " + settings.desiredName + " and " + settings.statusName + " from " + settings.apiUrl + " (namespace " + settings.namespace + ")" + lastError();
  }

  private String lastError() {
    String e = desiredWatcher.lastError.get();
    if (e == null) e = statusWatcher.lastError.get();
    return e == null ? "" : "; last error: " + e;
  }

  @Override
  public void close() {
    closed = true;
    desiredWatcher.stop();
    statusWatcher.stop();
  }

  /** Thrown for an HTTP status the loop handles. */
  private static final class HttpStatus extends IOException {
    private static final long serialVersionUID = 1L;
    final int code;

    HttpStatus(int code, String body) {
      super("HTTP " + code + (body.isEmpty() ? "" : ": " + (body.length() > 300 ? body.substring(0, 300) : body)));
      this.code = code;
    }
  }

  private final class Watcher implements Runnable {
    final String name;
    final boolean isDesired;
    final Thread thread;
    final AtomicReference<String> lastError = new AtomicReference<>();
    final AtomicReference<InputStream> stream = new AtomicReference<>();
    private boolean forceToken;

    Watcher(String name, boolean isDesired) {
      this.name = name;
      this.isDesired = isDesired;
      this.thread = new Thread(this, "flink-cutover-watch-" + name);
      thread.setDaemon(true);
    }

    void stop() {
      thread.interrupt();
      InputStream in = stream.getAndSet(null);
      if (in != null) {
        try {
          in.close();
        } catch (IOException ignored) {
          // closing only ends the watch
        }
      }
    }

    private void publish(Map<String, String> data) {
      if (isDesired) desired(data);
      else status(data);
    }

    @Override
    public void run() {
      long backoff = 1000;
      while (!closed) {
        try {
          String rv = list();
          if (lastError.getAndSet(null) != null) LOG.info("flink-cutover: ConfigMap {} read again from {}", name, settings.apiUrl);
          backoff = 1000;
          watch(rv);
        } catch (InterruptedException e) {
          return;
        } catch (Exception e) {
          if (closed) return;
          if (e instanceof HttpStatus && ((HttpStatus) e).code == 410) {
            LOG.info("flink-cutover: resourceVersion of ConfigMap {} is too old (410 Gone); re-listing", name);
            continue;
          }
          if (e instanceof HttpStatus && ((HttpStatus) e).code == 401 && !forceToken) {
            forceToken = true;
            continue;
          }
          forceToken = false;
          String msg = e.toString();
          if (!msg.equals(lastError.getAndSet(msg))) LOG.warn("flink-cutover: cannot read ConfigMap {} from {} (namespace {}): {}; retrying with back-off, the job keeps running and gates hold what they must", name, settings.apiUrl, settings.namespace, msg);
          stale();
          try {
            Thread.sleep(backoff);
          } catch (InterruptedException ie) {
            return;
          }
          backoff = Math.min(backoff * 2, settings.maxBackoff.toMillis());
        }
      }
    }

    private String selector() {
      return "fieldSelector=" + enc("metadata.name=" + name);
    }

    @SuppressWarnings("unchecked")
    private String list() throws IOException, InterruptedException {
      HttpResponse<String> r = http.send(request(selector(), forceToken, Duration.ofSeconds(30)), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) throw new HttpStatus(r.statusCode(), r.body());
      forceToken = false;
      Map<String, Object> list = Json.parseObject(r.body());
      List<Object> items = (List<Object>) list.get("items");
      Map<String, String> data = null;
      if (items != null) {
        for (Object o : items) {
          Map<String, Object> cm = (Map<String, Object>) o;
          Map<String, Object> meta = (Map<String, Object>) cm.get("metadata");
          if (meta != null && name.equals(meta.get("name"))) data = dataOf(cm);
        }
      }
      publish(data);
      Map<String, Object> meta = (Map<String, Object>) list.get("metadata");
      return meta == null ? null : (String) meta.get("resourceVersion");
    }

    @SuppressWarnings("unchecked")
    private void watch(String rv) throws IOException, InterruptedException {
      String q = selector() + "&watch=true&allowWatchBookmarks=true&timeoutSeconds=" + settings.relist.getSeconds() + (rv == null ? "" : "&resourceVersion=" + enc(rv));
      HttpResponse<InputStream> r = http.send(request(q, false, null), HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = r.body()) {
        if (r.statusCode() != 200) throw new HttpStatus(r.statusCode(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
        stream.set(in);
        if (closed) return;
        BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        while (!closed && (line = lines.readLine()) != null) {
          if (line.isEmpty()) continue;
          Map<String, Object> ev = Json.parseObject(line);
          String type = (String) ev.get("type");
          Map<String, Object> obj = (Map<String, Object>) ev.get("object");
          if ("ERROR".equals(type)) {
            Object code = obj == null ? null : obj.get("code");
            if (code instanceof Number && ((Number) code).intValue() == 410) {
              LOG.info("flink-cutover: watch of ConfigMap {} expired (410 Gone); re-listing", name);
              return;
            }
            throw new IOException("watch error " + Json.write(obj));
          }
          if ("BOOKMARK".equals(type)) continue;
          Map<String, Object> meta = obj == null ? null : (Map<String, Object>) obj.get("metadata");
          if (meta == null || !name.equals(meta.get("name"))) continue;
          publish("DELETED".equals(type) ? null : dataOf(obj));
        }
      } finally {
        stream.set(null);
      }
      // The watch ended (its timeout, or the server closed it): the loop re-lists.
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, String> dataOf(Map<String, Object> cm) {
    Map<String, String> out = new LinkedHashMap<>();
    Map<String, Object> d = (Map<String, Object>) cm.get("data");
    if (d != null) for (Map.Entry<String, Object> e : d.entrySet()) out.put(e.getKey(), String.valueOf(e.getValue()));
    return out;
  }
}
