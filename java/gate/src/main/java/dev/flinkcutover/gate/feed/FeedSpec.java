package dev.flinkcutover.gate.feed;

import java.io.Serializable;
import java.util.Map;
import java.util.Objects;

/**
 * Which feed a gate reads (serializable: it travels with the job graph; the feed itself is made in
 * the TaskManager). {@link #fromEnvironment()} (the default) reads the Kubernetes API with the
 * names the FlinkDeployment injects; {@link #registered} names a feed registered in this JVM.
 */
public final class FeedSpec implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String ENV_CONFIGMAP = "FLINK_CUTOVER_CONFIGMAP";
  public static final String ENV_STATUS_CONFIGMAP = "FLINK_CUTOVER_STATUS_CONFIGMAP";

  final String registered;

  private FeedSpec(String registered) {
    this.registered = registered;
  }

  /** The Kubernetes ConfigMaps named by FLINK_CUTOVER_CONFIGMAP and FLINK_CUTOVER_STATUS_CONFIGMAP (see {@link KubernetesSettings}). */
  public static FeedSpec fromEnvironment() {
    return new FeedSpec(null);
  }

  /** A feed registered in the TaskManager's JVM under {@code name} ({@link CutoverFeeds#register}). */
  public static FeedSpec registered(String name) {
    return new FeedSpec(Objects.requireNonNull(name));
  }

  /** The key of the shared feed this spec resolves to in a JVM with environment {@code env}. */
  String key(Map<String, String> env) {
    if (registered != null) return "registered:" + registered;
    return "kubernetes:" + KubernetesSettings.fromEnvironment(env).key();
  }

  @Override
  public String toString() {
    return registered != null ? "registered feed " + registered : "Kubernetes ConfigMaps from $" + ENV_CONFIGMAP + " and $" + ENV_STATUS_CONFIGMAP;
  }
}
