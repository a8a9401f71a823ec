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
  /** Settings given in code instead of the environment (same names as the environment variables). */
  final java.util.HashMap<String, String> settings;

  private FeedSpec(String registered) {
    this(registered, null);
  }

  private FeedSpec(String registered, Map<String, String> settings) {
    this.registered = registered;
    this.settings = settings == null ? null : new java.util.HashMap<>(settings);
  }

  /**
   * The Kubernetes ConfigMaps with settings given in code: the keys are the environment variables'
   * names ({@code FLINK_CUTOVER_CONFIGMAP}, {@code FLINK_CUTOVER_K8S_API}, ...; see
   * {@link KubernetesSettings}); what they leave out comes from the TaskManager's environment.
   */
  public static FeedSpec kubernetes(Map<String, String> settings) {
    return new FeedSpec(null, Objects.requireNonNull(settings));
  }

  /** The environment this spec reads its settings from in a JVM with environment {@code env}. */
  Map<String, String> environment(Map<String, String> env) {
    if (settings == null) return env;
    Map<String, String> m = new java.util.HashMap<>(env);
    m.putAll(settings);
    return m;
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
    return "kubernetes:" + KubernetesSettings.fromEnvironment(environment(env)).key();
  }

  @Override
  public String toString() {
    if (registered != null) return "registered feed " + registered;
    if (settings != null) return "Kubernetes ConfigMaps " + settings.get(ENV_CONFIGMAP) + " and " + settings.get(ENV_STATUS_CONFIGMAP) + " (settings in code)";
    return "Kubernetes ConfigMaps from $" + ENV_CONFIGMAP + " and $" + ENV_STATUS_CONFIGMAP;
  }
}
