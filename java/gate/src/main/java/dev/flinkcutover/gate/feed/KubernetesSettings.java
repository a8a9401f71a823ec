package dev.flinkcutover.gate.feed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Map;

/**
 * How the gate reaches the Kubernetes API. In a pod: the service account's token, CA and
 * namespace files and $KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT. Outside (tests, a job
 * pointed at a test cluster) the environment overrides each part:
 *
 * <ul>
 *   <li>{@code FLINK_CUTOVER_CONFIGMAP}, {@code FLINK_CUTOVER_STATUS_CONFIGMAP}: the ConfigMap names (required)
 *   <li>{@code FLINK_CUTOVER_K8S_API}: API server URL ({@code http://} for a plain test API)
 *   <li>{@code FLINK_CUTOVER_NAMESPACE}: namespace (default: the service account's namespace file)
 *   <li>{@code FLINK_CUTOVER_K8S_TOKEN_FILE}: bearer token file, re-read when it changes (absent file: no token)
 *   <li>{@code FLINK_CUTOVER_K8S_CA_FILE}: CA bundle (PEM) for https
 *   <li>{@code FLINK_CUTOVER_K8S_INSECURE=true}: do not verify the https server certificate
 *   <li>{@code FLINK_CUTOVER_K8S_RELIST_SECONDS}: re-list at least this often (default 300)
 * </ul>
 */
public final class KubernetesSettings {
  public static final String SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

  public final String apiUrl;
  public final String namespace;
  public final String desiredName;
  public final String statusName;
  public final Path tokenFile;
  public final Path caFile;
  public final boolean insecure;
  public final Duration relist;
  public final Duration maxBackoff;

  public KubernetesSettings(String apiUrl, String namespace, String desiredName, String statusName, Path tokenFile, Path caFile, boolean insecure, Duration relist, Duration maxBackoff) {
    this.apiUrl = apiUrl.endsWith("/") ? apiUrl.substring(0, apiUrl.length() - 1) : apiUrl;
    this.namespace = namespace;
    this.desiredName = desiredName;
    this.statusName = statusName;
    this.tokenFile = tokenFile;
    this.caFile = caFile;
    this.insecure = insecure;
    this.relist = relist;
    this.maxBackoff = maxBackoff;
  }

  private static String need(Map<String, String> env, String name, String what) {
    String v = env.get(name);
    if (v == null || v.isEmpty()) throw new IllegalStateException("flink-cutover gate: $" + name + " is not set; it names " + what + " (the FlinkDeployment rendered by flink-cutover sets it; outside Kubernetes register a feed and use FeedSpec.registered)");
    return v;
  }

  public static KubernetesSettings fromEnvironment(Map<String, String> env) {
    String desired = need(env, FeedSpec.ENV_CONFIGMAP, "the cutover ConfigMap");
    String status = need(env, FeedSpec.ENV_STATUS_CONFIGMAP, "the cutover status ConfigMap");
    String api = env.get("FLINK_CUTOVER_K8S_API");
    if (api == null || api.isEmpty()) {
      String host = need(env, "KUBERNETES_SERVICE_HOST", "the Kubernetes API host (or set FLINK_CUTOVER_K8S_API)");
      String port = env.getOrDefault("KUBERNETES_SERVICE_PORT", "443");
      api = "https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
    String ns = env.get("FLINK_CUTOVER_NAMESPACE");
    if (ns == null || ns.isEmpty()) {
      Path nsFile = Paths.get(SA_DIR, "namespace");
      try {
        ns = new String(Files.readAllBytes(nsFile), StandardCharsets.UTF_8).trim();
      } catch (IOException e) {
        throw new UncheckedIOException("flink-cutover gate: cannot read the namespace from " + nsFile + "; set FLINK_CUTOVER_NAMESPACE", e);
      }
    }
    Path token = Paths.get(env.getOrDefault("FLINK_CUTOVER_K8S_TOKEN_FILE", SA_DIR + "/token"));
    Path ca = Paths.get(env.getOrDefault("FLINK_CUTOVER_K8S_CA_FILE", SA_DIR + "/ca.crt"));
    boolean insecure = "true".equalsIgnoreCase(env.get("FLINK_CUTOVER_K8S_INSECURE"));
    long relist = Long.parseLong(env.getOrDefault("FLINK_CUTOVER_K8S_RELIST_SECONDS", "300"));
    return new KubernetesSettings(api, ns, desired, status, token, ca, insecure, Duration.ofSeconds(relist), Duration.ofSeconds(30));
  }

  /** Identifies the shared watch (same API, namespace and names = same feed). */
  String key() {
    return apiUrl + "/" + namespace + "/" + desiredName + "+" + statusName;
  }

  @Override
  public String toString() {
    return "of ConfigMaps " + desiredName + " and " + statusName + " in namespace " + namespace + " at " + apiUrl;
  }
}
