package dev.flinkcutover.gate;

import dev.flinkcutover.gate.core.Action;
import dev.flinkcutover.gate.core.Color;
import dev.flinkcutover.gate.core.Contract;
import dev.flinkcutover.gate.core.GateCore;
import dev.flinkcutover.gate.core.GateDesired;
import dev.flinkcutover.gate.core.GateMetrics;
import dev.flinkcutover.gate.core.GateSnapshot;
import dev.flinkcutover.gate.core.GateStatus;
import dev.flinkcutover.gate.core.Redistribute;
import dev.flinkcutover.gate.core.Released;
import dev.flinkcutover.gate.core.SnapshotCodec;
import dev.flinkcutover.gate.core.ValueCodec;
import dev.flinkcutover.gate.feed.CutoverFeed;
import dev.flinkcutover.gate.feed.CutoverFeeds;
import dev.flinkcutover.gate.feed.FeedSpec;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.RejectedExecutionException;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.core.memory.DataInputViewStreamWrapper;
import org.apache.flink.core.memory.DataOutputViewStreamWrapper;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gate operator: decides each record by its event timestamp with {@link GateCore}, holds the
 * records of an undecided generation in operator state and releases them on the task thread when
 * the controller decides. ConfigMap reads arrive from the JVM's shared feed and are applied in the
 * task's mailbox; no record passes before both ConfigMaps were read after a start or restore.
 *
 * @param <T> the record type
 * @param <OUT> T (filter mode) or {@code Tuple2<String, T>} (tag mode: owner color, record)
 */
public final class GateOperator<T, OUT> extends AbstractStreamOperator<OUT> implements OneInputStreamOperator<T, OUT> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(GateOperator.class);

  /** Metric group and metric names (schemas/gate-metrics.contract.json). */
  public static final String METRIC_GROUP = "flink-cutover-gate";
  /** What a gauge without a value reports (Long.MIN_VALUE). */
  public static final long NO_VALUE = Long.MIN_VALUE;
  static final String STATE_NAME = "flink-cutover-gate-state";

  private final String gateName;
  private final boolean tagOutput;
  private final TypeInformation<T> inType;
  private final Color configuredColor;
  private final FeedSpec feedSpec;

  private transient GateCore<T> gate;
  private transient Color color;
  private transient TypeSerializer<T> serializer;
  private transient ValueCodec<T> codec;
  private transient ListState<byte[]> state;
  private transient MailboxExecutor mailbox;
  private transient CutoverFeeds.Lease lease;
  private transient CutoverFeed.Subscription subscription;
  private transient TreeMap<Long, Long> pendingCheckpointWatermarks;
  private transient int subtask;
  private transient int parallelism;
  private transient Counter emitted;
  private transient Counter dropped;
  private transient Counter tagged;
  private transient Counter heldTotal;
  private transient volatile long heldNow;
  private transient volatile long preparedGeneration;
  private transient volatile long maxTimestampAtPrepare;
  private transient volatile long gateWatermark;
  private transient StreamRecord<OUT> reuse;

  GateOperator(String gateName, boolean tagOutput, TypeInformation<T> inType, Color color, FeedSpec feedSpec) {
    this.gateName = gateName;
    this.tagOutput = tagOutput;
    this.inType = inType;
    this.configuredColor = color;
    this.feedSpec = feedSpec;
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
    parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
    color = configuredColor != null ? configuredColor : colorFromEnvironment();
    serializer = inType.createSerializer(getExecutionConfig().getSerializerConfig());
    codec = new ValueCodec<T>() {
      @Override
      public void write(T value, DataOutputStream out) throws IOException {
        serializer.serialize(value, new DataOutputViewStreamWrapper(out));
      }

      @Override
      public T read(DataInputStream in) throws IOException {
        return serializer.deserialize(new DataInputViewStreamWrapper(in));
      }
    };
    pendingCheckpointWatermarks = new TreeMap<>();
    // Union list state: on a restore every subtask sees every old subtask's snapshot, so it can
    // take its own (same parallelism) or redistribute them all (another parallelism).
    state = context.getOperatorStateStore().getUnionListState(new ListStateDescriptor<>(STATE_NAME, BytePrimitiveArraySerializer.INSTANCE));
    List<SnapshotCodec.Entry<T>> entries = new ArrayList<>();
    if (context.isRestored()) {
      for (byte[] b : state.get()) entries.add(SnapshotCodec.decode(b, codec));
    }
    if (entries.isEmpty()) {
      gate = new GateCore<>(color);
    } else {
      entries.sort(Comparator.comparingInt(e -> e.subtask));
      SnapshotCodec.Entry<T> own = null;
      for (SnapshotCodec.Entry<T> e : entries) if (e.parallelism == parallelism && e.subtask == subtask) own = e;
      boolean sameLayout = own != null && entries.size() == parallelism && entries.stream().allMatch(e -> e.parallelism == parallelism);
      GateSnapshot<T> snap;
      if (sameLayout) {
        snap = own.snapshot;
      } else {
        List<GateSnapshot<T>> all = new ArrayList<>();
        for (SnapshotCodec.Entry<T> e : entries) all.add(e.snapshot);
        snap = Redistribute.redistribute(all, subtask, parallelism);
        LOG.info("{} subtask {}/{}: redistributed the gate state of {} old subtasks (parallelism {}): {} held records here", gateName, subtask, parallelism, entries.size(), entries.get(0).parallelism, snap.held.size());
      }
      gate = GateCore.restore(color, snap, null);
    }
    // With object reuse the upstream may change a record after it passed: keep a copy of what is held.
    if (getExecutionConfig().isObjectReuseEnabled()) gate.setHoldCopy(serializer::copy);
    publishMetrics();
  }

  private static Color colorFromEnvironment() {
    String c = System.getenv("FLINK_CUTOVER_COLOR");
    Color color = Color.parse(c);
    if (color == null) throw new IllegalStateException("flink-cutover gate: $FLINK_CUTOVER_COLOR is " + (c == null ? "not set" : "\"" + c + "\"") + "; it must be blue or green (the FlinkDeployment rendered by flink-cutover sets it; or pass the color to CutoverGate.options().color(...))");
    return color;
  }

  @Override
  public void open() throws Exception {
    super.open();
    reuse = new StreamRecord<>(null);
    mailbox = getContainingTask().getMailboxExecutorFactory().createExecutor(getOperatorConfig().getChainIndex());
    MetricGroup g = getMetricGroup().addGroup(METRIC_GROUP);
    g.gauge("preparedGeneration", (Gauge<Long>) () -> preparedGeneration);
    g.gauge("maxTimestampAtPrepare", (Gauge<Long>) () -> maxTimestampAtPrepare);
    g.gauge("gateWatermark", (Gauge<Long>) () -> gateWatermark);
    g.gauge("recordsHeld", (Gauge<Long>) () -> heldNow);
    emitted = g.counter("recordsEmitted");
    dropped = g.counter("recordsDropped");
    tagged = g.counter("recordsTagged");
    heldTotal = g.counter("recordsHeldTotal");
    lease = CutoverFeeds.acquire(feedSpec);
    LOG.info("{} subtask {}/{} ({}): reads {}; processes no record before it has read both ConfigMaps", gateName, subtask, parallelism, color, feedSpec);
    subscription = lease.feed.subscribe(new CutoverFeed.Listener() {
      @Override
      public void onDesired(Map<String, String> data) {
        post(() -> applyDesired(data), "flink-cutover-gate: desired ConfigMap read");
      }

      @Override
      public void onStatus(Map<String, String> data) {
        post(() -> applyStatus(data), "flink-cutover-gate: status ConfigMap read");
      }
    });
  }

  /** Hands a read to the task thread (the mailbox); a closed task drops it. */
  private void post(Runnable r, String what) {
    try {
      mailbox.execute(r::run, what);
    } catch (RejectedExecutionException e) {
      LOG.debug("{}: {} arrived after the task stopped", gateName, what);
    }
  }

  private void applyDesired(Map<String, String> data) {
    if (data == null) {
      LOG.warn("{} subtask {}: the cutover ConfigMap does not exist; waiting for it", gateName, subtask);
      return;
    }
    Contract.Parsed<GateDesired> d = Contract.parseDesired(data);
    if (!d.ok()) {
      LOG.error("{} subtask {}: ignoring invalid cutover ConfigMap data (the gate acts only on valid data): {}", gateName, subtask, d.errors);
      return;
    }
    boolean wasReady = gate.ready();
    emitReleased(gate.onConfig(d.value));
    afterRead(wasReady);
  }

  private void applyStatus(Map<String, String> data) {
    GateStatus st = null;
    if (data != null) {
      Contract.Parsed<GateStatus> p = Contract.parseStatus(data);
      if (!p.ok()) {
        LOG.error("{} subtask {}: ignoring invalid cutover status data (the gate acts only on valid data): {}", gateName, subtask, p.errors);
        return;
      }
      st = p.value;
    }
    boolean wasReady = gate.ready();
    emitReleased(gate.onStatus(st));
    afterRead(wasReady);
  }

  private void afterRead(boolean wasReady) {
    publishMetrics();
    if (!wasReady && gate.ready()) LOG.info("{} subtask {}/{} ({}): read both ConfigMaps; desired {}, phase {}; {} records held", gateName, subtask, parallelism, color, gate.desired(), gate.phase(), gate.heldCount());
  }

  private void publishMetrics() {
    GateMetrics m = gate.metrics();
    preparedGeneration = m.preparedGeneration;
    maxTimestampAtPrepare = m.maxTimestampAtPrepare == null ? NO_VALUE : m.maxTimestampAtPrepare;
    gateWatermark = m.gateWatermark == null ? NO_VALUE : m.gateWatermark;
    heldNow = gate.heldCount();
  }

  private void emitReleased(List<Released<T>> released) {
    if (released.isEmpty()) return;
    for (Released<T> r : released) deliver(r.action, r.owner, r.record.value, r.record.t, null);
    heldNow = gate.heldCount();
    LOG.info("{} subtask {}: released {} held records ({} still held)", gateName, subtask, released.size(), gate.heldCount());
  }

  /**
   * Sends a decided record on. A filter gate emits a record its color owns and drops the others; a
   * tag gate emits every record with its owner. When the ConfigMap's gateMode differs from the
   * gate's kind (filter() vs tag() in the job), the gate's kind decides how records leave, with
   * the ConfigMap's owner: a filter gate never emits another color's record.
   */
  @SuppressWarnings("unchecked")
  private void deliver(Action a, Color owner, T value, long t, StreamRecord<T> element) {
    if (a == Action.TAG && !tagOutput) {
      warnModeOnce("tag");
      a = owner == color ? Action.EMIT : Action.DROP;
    }
    switch (a) {
      case EMIT:
        emitted.inc();
        if (tagOutput) output.collect(reuse.replace((OUT) Tuple2.of(color.wire(), value), t));
        else if (element != null) output.collect((StreamRecord<OUT>) (StreamRecord<?>) element);
        else output.collect(reuse.replace((OUT) value, t));
        break;
      case TAG:
        tagged.inc();
        output.collect(reuse.replace((OUT) Tuple2.of(owner.wire(), value), t));
        break;
      case DROP:
        dropped.inc();
        break;
      default:
        throw new IllegalStateException("unexpected " + a);
    }
  }

  private transient boolean modeWarned;

  private void warnModeOnce(String mode) {
    if (modeWarned) return;
    modeWarned = true;
    LOG.warn("{}: the cutover ConfigMap says gateMode {}, but this gate was built with CutoverGate.{}(); it emits the records its color owns and drops the others", gateName, mode, tagOutput ? "tag" : "filter");
  }

  @Override
  public void processElement(StreamRecord<T> element) throws Exception {
    // A FLIP-27 source without a timestamp assigner gives Long.MIN_VALUE ("no timestamp").
    if (!element.hasTimestamp() || element.getTimestamp() == Long.MIN_VALUE) {
      throw new IllegalStateException(gateName + ": a record has no event timestamp. The gate decides each record by its event time: assign timestamps and watermarks upstream (a source with a WatermarkStrategy, or DataStream#assignTimestampsAndWatermarks before the gate).");
    }
    long t = element.getTimestamp();
    T value = element.getValue();
    Action a = gate.onRecord(null, t, value);
    if (a == Action.WAIT) {
      long since = System.nanoTime();
      String why = lease.feed.waitingFor();
      LOG.info("{} subtask {}/{} ({}): waiting for {} before its first record (backpressure){}", gateName, subtask, parallelism, color, gate.configRead() ? "the status ConfigMap" : gate.statusRead() ? "the cutover ConfigMap" : "both ConfigMaps", why == null ? "" : ": " + why);
      while (a == Action.WAIT) {
        mailbox.yield();
        a = gate.onRecord(null, t, value);
      }
      LOG.info("{} subtask {}: ready after {} ms", gateName, subtask, (System.nanoTime() - since) / 1_000_000);
    }
    if (a == Action.HOLD) {
      heldTotal.inc();
      heldNow = gate.heldCount();
    } else {
      deliver(a, gate.lastOwner(), value, t, element);
    }
  }

  @Override
  public void processWatermark(Watermark mark) throws Exception {
    gate.onWatermark(mark.getTimestamp());
    super.processWatermark(mark);
  }

  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    super.snapshotState(context);
    GateSnapshot<T> snap = gate.snapshot();
    state.update(Collections.singletonList(SnapshotCodec.encode(snap, subtask, parallelism, codec)));
    pendingCheckpointWatermarks.put(context.getCheckpointId(), snap.watermark);
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) throws Exception {
    super.notifyCheckpointComplete(checkpointId);
    Map.Entry<Long, Long> e = pendingCheckpointWatermarks.floorEntry(checkpointId);
    if (e != null && e.getKey() == checkpointId) {
      gate.onCheckpointComplete(e.getValue());
      publishMetrics();
    }
    pendingCheckpointWatermarks.headMap(checkpointId, true).clear();
  }

  @Override
  public void finish() throws Exception {
    if (gate != null && gate.heldCount() > 0) LOG.warn("{} subtask {}: input ended with {} records held for an undecided generation; they stay in the final checkpoint", gateName, subtask, gate.heldCount());
    super.finish();
  }

  @Override
  public void close() throws Exception {
    try {
      if (subscription != null) subscription.close();
      if (lease != null) lease.close();
    } finally {
      super.close();
    }
  }
}
