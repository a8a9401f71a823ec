package dev.flinkcutover.examples;

import dev.flinkcutover.gate.CutoverGate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;

/**
 * The example job users copy: a partitioned, replayable input with event timestamps (every file of
 * the input folder is a partition; lines {@code id,timestampMillis,key,amount}) and bounded
 * out-of-orderness → a stateful step (per key: running count and sum) → the gate → an exactly-once
 * file sink (files are committed on checkpoints).
 *
 * <p>Arguments: {@code --input DIR --output DIR [--color blue|green] [--checkpoint-interval MS]
 * [--out-of-orderness MS] [--idleness MS]}. Without {@code --color} the gate reads
 * $FLINK_CUTOVER_COLOR (the FlinkDeployment sets it).
 */
public final class ExampleJob {
  private ExampleJob() {}

  /** Parsed {@code --name value} arguments. */
  static Map<String, String> args(String[] args) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--")) throw new IllegalArgumentException("unexpected argument \"" + args[i] + "\"; arguments are --name value");
      String k = args[i].substring(2);
      if (i + 1 >= args.length || args[i + 1].startsWith("--")) throw new IllegalArgumentException("--" + k + " needs a value");
      m.put(k, args[++i]);
    }
    return m;
  }

  static String need(Map<String, String> a, String k) {
    String v = a.get(k);
    if (v == null) throw new IllegalArgumentException("--" + k + " is required");
    return v;
  }

  public static void main(String[] argv) throws Exception {
    Map<String, String> a = args(argv);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    build(env, a);
    env.execute("flink-cutover-example");
  }

  /** One input line: id,timestampMillis,key,amount. */
  static long timestampOf(String line) {
    String[] p = line.split(",", -1);
    if (p.length != 4) throw new IllegalArgumentException("input line \"" + line + "\" is not id,timestampMillis,key,amount");
    return Long.parseLong(p[1].trim());
  }

  /** Builds the job into {@code env}; the launcher and tests use it too. */
  public static void build(StreamExecutionEnvironment env, Map<String, String> a) {
    build(env, a, CutoverGate.options());
  }

  /** As {@link #build(StreamExecutionEnvironment, Map)} with the gate's options (tests feed the ConfigMaps in code). */
  public static void build(StreamExecutionEnvironment env, Map<String, String> a, CutoverGate.Options gate) {
    long interval = Long.parseLong(a.getOrDefault("checkpoint-interval", "2000"));
    env.enableCheckpointing(interval);
    Duration outOfOrderness = Duration.ofMillis(Long.parseLong(a.getOrDefault("out-of-orderness", "1000")));
    Duration idleness = Duration.ofMillis(Long.parseLong(a.getOrDefault("idleness", "3000")));

    // Watches the folder for new files; --bounded true reads what is there and ends (tests).
    FileSource.FileSourceBuilder<String> files = FileSource.forRecordStreamFormat(new TextLineInputFormat(), new Path(need(a, "input")));
    if (!"true".equals(a.get("bounded"))) files.monitorContinuously(Duration.ofSeconds(1));
    FileSource<String> source = files.build();
    // Timestamps and watermarks right after the source, per subtask rather than per file split: a
    // file source reader that is waiting for its next file has no split, and split-level watermarks
    // then hold its last watermark forever instead of going idle, so the job's watermark stalls.
    DataStream<String> lines = env.fromSource(source, WatermarkStrategy.noWatermarks(), "input").uid("input")
        .assignTimestampsAndWatermarks(WatermarkStrategy.<String>forBoundedOutOfOrderness(outOfOrderness).withTimestampAssigner((line, ts) -> timestampOf(line)).withIdleness(idleness)).uid("timestamps");

    DataStream<String> counted = lines.filter(l -> !l.isBlank()).uid("non-blank").keyBy(l -> l.split(",", -1)[2]).map(new RunningTotals()).uid("running-totals").returns(Types.STRING);

    if (a.containsKey("color")) gate.color(a.get("color"));
    DataStream<String> gated = CutoverGate.filter(counted, gate);

    String color = a.getOrDefault("color", System.getenv().getOrDefault("FLINK_CUTOVER_COLOR", "job"));
    FileSink<String> sink = FileSink.forRowFormat(new Path(need(a, "output")), new SimpleStringEncoder<String>("UTF-8"))
        .withRollingPolicy(OnCheckpointRollingPolicy.build())
        .withOutputFileConfig(OutputFileConfig.builder().withPartPrefix("part-" + color).withPartSuffix(".csv").build())
        .build();
    gated.sinkTo(sink).uid("output");
  }

  /** The stateful step: per key, the running count and sum; emits {@code id,t,key,amount,count,sum}. */
  static final class RunningTotals extends RichMapFunction<String, String> {
    private static final long serialVersionUID = 1L;
    private transient ValueState<long[]> totals;

    @Override
    public String map(String line) throws Exception {
      if (totals == null) totals = getRuntimeContext().getState(new ValueStateDescriptor<>("totals", long[].class));
      String[] p = line.split(",", -1);
      long amount = Long.parseLong(p[3].trim());
      long[] t = totals.value();
      if (t == null) t = new long[2];
      t[0] += 1;
      t[1] += amount;
      totals.update(t);
      return line + "," + t[0] + "," + t[1];
    }
  }
}
