package dev.flinkcutover.gate.feed;

import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The feeds of this JVM: one per ConfigMap pair, shared by every gate subtask in the TaskManager
 * (one watch per ConfigMap per JVM, not per subtask), closed when the last subtask lets go.
 */
public final class CutoverFeeds {
  private static final Logger LOG = LoggerFactory.getLogger(CutoverFeeds.class);
  private static final Map<String, Shared> FEEDS = new HashMap<>();
  private static final Map<String, CutoverFeed> REGISTERED = new HashMap<>();

  private CutoverFeeds() {}

  private static final class Shared {
    final CutoverFeed feed;
    int users;

    Shared(CutoverFeed feed) {
      this.feed = feed;
    }
  }

  /** A shared feed in use; {@link #close()} lets go of it. */
  public static final class Lease implements AutoCloseable {
    private final String key;
    public final CutoverFeed feed;
    private boolean closed;

    Lease(String key, CutoverFeed feed) {
      this.key = key;
      this.feed = feed;
    }

    @Override
    public void close() {
      synchronized (CutoverFeeds.class) {
        if (closed) return;
        closed = true;
        Shared s = FEEDS.get(key);
        if (s != null && --s.users == 0) {
          FEEDS.remove(key);
          if (!key.startsWith("registered:")) s.feed.close();
        }
      }
    }
  }

  /** Registers a feed under {@code name} for {@link FeedSpec#registered} (tests, jobs without Kubernetes). */
  public static synchronized void register(String name, CutoverFeed feed) {
    REGISTERED.put(name, feed);
  }

  public static synchronized void unregister(String name) {
    REGISTERED.remove(name);
  }

  /** The shared feed for {@code spec} in this JVM, started on first use. */
  public static Lease acquire(FeedSpec spec) {
    return acquire(spec, System.getenv());
  }

  static synchronized Lease acquire(FeedSpec spec, Map<String, String> env) {
    String key = spec.key(env);
    Shared s = FEEDS.get(key);
    if (s == null) {
      CutoverFeed feed;
      if (spec.registered != null) {
        feed = REGISTERED.get(spec.registered);
        if (feed == null) throw new IllegalStateException("flink-cutover: no feed registered as \"" + spec.registered + "\" in this JVM; call CutoverFeeds.register before the job starts");
      } else {
        KubernetesSettings settings = KubernetesSettings.fromEnvironment(spec.environment(env));
        LOG.info("flink-cutover: starting the ConfigMap watch {}", settings);
        feed = new KubernetesFeed(settings);
      }
      s = new Shared(feed);
      FEEDS.put(key, s);
    }
    s.users++;
    return new Lease(key, s.feed);
  }

  /** How many shared feeds this JVM runs now (for tests). */
  public static synchronized int active() {
    return FEEDS.size();
  }
}
