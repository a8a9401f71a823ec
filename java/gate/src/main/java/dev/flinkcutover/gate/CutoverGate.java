package dev.flinkcutover.gate;

import dev.flinkcutover.gate.core.Color;
import dev.flinkcutover.gate.feed.FeedSpec;
import java.io.Serializable;
import java.util.regex.Pattern;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.typeutils.TupleTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;

/**
 * Puts the flink-cutover gate into a job, one line before each sink:
 *
 * <pre>{@code
 * DataStream<Order> gated = CutoverGate.filter(orders);      // emits only this color's records
 * DataStream<Tuple2<String, Order>> tagged = CutoverGate.tag(orders); // every record with its owner
 * }</pre>
 *
 * The operator is named {@code flink-cutover-gate} (uid the same), or {@code flink-cutover-gate-<suffix>}
 * when a job has several gates ({@link Options#suffix}). By default it reads the ConfigMaps the
 * FlinkDeployment names in {@code FLINK_CUTOVER_CONFIGMAP} / {@code FLINK_CUTOVER_STATUS_CONFIGMAP} and
 * its color from {@code FLINK_CUTOVER_COLOR}.
 */
public final class CutoverGate {
  /** The operator name and uid of a job's (only) gate. */
  public static final String NAME = "flink-cutover-gate";
  private static final Pattern SUFFIX = Pattern.compile("^[A-Za-z0-9_]+$");

  private CutoverGate() {}

  /** Options for a gate; all optional. */
  public static final class Options implements Serializable {
    private static final long serialVersionUID = 1L;
    private String suffix;
    private Color color;
    private FeedSpec feed = FeedSpec.fromEnvironment();

    /** Names the gate {@code flink-cutover-gate-<suffix>} (letters, digits, _): one per gate when a job has several. */
    public Options suffix(String suffix) {
      if (!SUFFIX.matcher(suffix).matches()) throw new IllegalArgumentException("gate suffix \"" + suffix + "\" must be letters, digits or _ (the operator is named flink-cutover-gate-<suffix>)");
      this.suffix = suffix;
      return this;
    }

    /** The job's color ("blue" or "green"); default: $FLINK_CUTOVER_COLOR in the TaskManager. */
    public Options color(String color) {
      Color c = Color.parse(color);
      if (c == null) throw new IllegalArgumentException("color \"" + color + "\" must be blue or green");
      this.color = c;
      return this;
    }

    /** Where the gate reads the ConfigMaps; default {@link FeedSpec#fromEnvironment()}. */
    public Options feed(FeedSpec feed) {
      this.feed = feed;
      return this;
    }

    String name() {
      return suffix == null ? NAME : NAME + "-" + suffix;
    }
  }

  public static Options options() {
    return new Options();
  }

  /** A gate that emits only the records this job's color owns (the stream's type is kept). */
  public static <T> SingleOutputStreamOperator<T> filter(DataStream<T> in) {
    return filter(in, options());
  }

  public static <T> SingleOutputStreamOperator<T> filter(DataStream<T> in, Options options) {
    return place(in, options, false, in.getType());
  }

  /** A gate that emits every record with its owner color ("blue" / "green") as field f0. */
  public static <T> SingleOutputStreamOperator<Tuple2<String, T>> tag(DataStream<T> in) {
    return tag(in, options());
  }

  public static <T> SingleOutputStreamOperator<Tuple2<String, T>> tag(DataStream<T> in, Options options) {
    return place(in, options, true, new TupleTypeInfo<>(Types.STRING, in.getType()));
  }

  private static <T, OUT> SingleOutputStreamOperator<OUT> place(DataStream<T> in, Options options, boolean tag, TypeInformation<OUT> outType) {
    String name = options.name();
    GateOperator<T, OUT> op = new GateOperator<>(name, tag, in.getType(), options.color, options.feed);
    SingleOutputStreamOperator<OUT> out = in.transform(name, outType, new Factory<>(op));
    return out.uid(name);
  }

  /** Chains the gate to its input (the default operator factory of Flink 1.20 would not). */
  static final class Factory<T, OUT> extends SimpleOperatorFactory<OUT> implements OneInputStreamOperatorFactory<T, OUT> {
    private static final long serialVersionUID = 1L;

    Factory(GateOperator<T, OUT> op) {
      super(op);
      setChainingStrategy(ChainingStrategy.ALWAYS);
    }
  }
}
