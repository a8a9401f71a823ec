package dev.flinkcutover.gate.feed;

import java.util.Map;

/**
 * A feed whose ConfigMaps are set in code: for tests of jobs with a gate, and for running a job
 * without Kubernetes. Register it with {@link CutoverFeeds#register} and give the gate
 * {@code FeedSpec.registered(name)}.
 */
public final class InMemoryFeed extends FeedBase {
  /** Sets the desired ConfigMap's data (as a read of it). */
  public void setDesired(Map<String, String> data) {
    desired(data);
  }

  /** Sets the status ConfigMap's data; null = it does not exist. */
  public void setStatus(Map<String, String> data) {
    status(data);
  }

  @Override
  public String waitingFor() {
    return current() ? null : "the ConfigMaps to be set in code (InMemoryFeed)";
  }

  @Override
  public void close() {}
}
