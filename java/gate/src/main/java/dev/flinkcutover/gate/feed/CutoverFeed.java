package dev.flinkcutover.gate.feed;

import java.util.Map;

/**
 * Where a gate reads the two ConfigMaps from: the {@code <name>-cutover} data (the desired
 * handover) and the {@code <name>-cutover-status} data (the controller's verdict). One feed per
 * TaskManager JVM serves every gate subtask in it ({@link CutoverFeeds}).
 */
public interface CutoverFeed extends AutoCloseable {
  /** Receives reads on the feed's own thread; a gate hands them to its task thread. */
  interface Listener {
    /** The desired ConfigMap's data as read now (at subscribe, once known; then on every change). */
    void onDesired(Map<String, String> data);

    /** The status ConfigMap's data as read now; null: it does not exist (yet). */
    void onStatus(Map<String, String> data);
  }

  /** A subscription; closing it stops the calls. */
  interface Subscription extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Subscribes a listener. The feed calls it with the current data of each ConfigMap as soon as
   * it has read it (at once if it already has a current read), then on every change.
   */
  Subscription subscribe(Listener listener);

  /** Why the feed has no current read right now, for log lines; null when it is current. */
  String waitingFor();

  @Override
  void close();
}
