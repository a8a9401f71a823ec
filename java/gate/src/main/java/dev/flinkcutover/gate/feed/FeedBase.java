package dev.flinkcutover.gate.feed;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The subscribe/notify half every feed shares: the last data of each ConfigMap and the listeners. */
public abstract class FeedBase implements CutoverFeed {
  private static final Logger LOG = LoggerFactory.getLogger(FeedBase.class);

  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final Object lock = new Object();
  private boolean desiredKnown;
  private Map<String, String> desired;
  private boolean statusKnown;
  private Map<String, String> status;

  @Override
  public Subscription subscribe(Listener l) {
    synchronized (lock) {
      listeners.add(l);
      if (desiredKnown) call(l, true, desired);
      if (statusKnown) call(l, false, status);
    }
    return () -> listeners.remove(l);
  }

  /** A read of the desired ConfigMap (notifies only on a change, or on the first read). */
  protected void desired(Map<String, String> data) {
    publish(true, data == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(data)));
  }

  /** A read of the status ConfigMap; null = it does not exist. */
  protected void status(Map<String, String> data) {
    publish(false, data == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(data)));
  }

  /** The feed lost its current read (e.g. the API is down): new subscribers wait for the next read. */
  protected void stale() {
    synchronized (lock) {
      desiredKnown = false;
      statusKnown = false;
    }
  }

  /** True when both ConfigMaps have a current read. */
  protected boolean current() {
    synchronized (lock) {
      return desiredKnown && statusKnown;
    }
  }

  private void publish(boolean isDesired, Map<String, String> data) {
    synchronized (lock) {
      boolean known = isDesired ? desiredKnown : statusKnown;
      Map<String, String> prev = isDesired ? desired : status;
      if (isDesired) {
        desiredKnown = true;
        desired = data;
      } else {
        statusKnown = true;
        status = data;
      }
      // A re-read after a stale period is delivered again even when unchanged: a gate that started
      // meanwhile waits for it, and one that already has it ignores a repeat.
      if (known && Objects.equals(prev, data)) return;
      for (Listener l : listeners) call(l, isDesired, data);
    }
  }

  private static void call(Listener l, boolean isDesired, Map<String, String> data) {
    try {
      if (isDesired) l.onDesired(data);
      else l.onStatus(data);
    } catch (RuntimeException e) {
      LOG.warn("flink-cutover: a gate listener failed on a ConfigMap read", e);
    }
  }
}
