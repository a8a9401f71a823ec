package dev.flinkcutover.examples;

import java.net.URI;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Runs the example job in a standalone Flink MiniCluster process with its REST API on a given
 * port, so an end-to-end test can run blue and green as two processes and drive them over REST
 * (metrics, stop-with-savepoint). The process exits when the job ends (after a stop-with-savepoint:
 * 0; failed: 1).
 *
 * <pre>
 * --rest-port P            REST port of the MiniCluster (required)
 * --input DIR --output DIR the example job's input and output folders (required)
 * --color blue|green       the job's color (default $FLINK_CUTOVER_COLOR)
 * --savepoint PATH         restore from this savepoint or retained checkpoint
 * --checkpoint-interval MS (default 2000)
 * --parallelism N          (default 2)
 * --state-dir DIR          checkpoints and default savepoint folder (default: a temp folder)
 * --out-of-orderness MS, --idleness MS: as for ExampleJob
 * </pre>
 *
 * The gate reads the ConfigMaps named by $FLINK_CUTOVER_CONFIGMAP and $FLINK_CUTOVER_STATUS_CONFIGMAP
 * from the Kubernetes API; point it at a test API with $FLINK_CUTOVER_K8S_API (and
 * $FLINK_CUTOVER_NAMESPACE, $FLINK_CUTOVER_K8S_TOKEN_FILE, ...).
 */
public final class Launcher {
  private Launcher() {}

  public static void main(String[] argv) throws Exception {
    if (System.getProperty("log4j.configurationFile") == null) System.setProperty("log4j.configurationFile", "classpath:log4j2-launcher.properties");
    Map<String, String> a = ExampleJob.args(argv);
    int port = Integer.parseInt(ExampleJob.need(a, "rest-port"));
    int parallelism = Integer.parseInt(a.getOrDefault("parallelism", "2"));
    String stateDir = a.containsKey("state-dir") ? a.get("state-dir") : java.nio.file.Files.createTempDirectory("flink-cutover-example").toString();
    java.nio.file.Path state = java.nio.file.Files.createDirectories(java.nio.file.Paths.get(stateDir).toAbsolutePath());
    String stateUri = state.toUri().toString();
    if (!stateUri.endsWith("/")) stateUri += "/";

    Configuration conf = new Configuration();
    conf.set(ConfigOptions.key("rest.port").intType().noDefaultValue(), port);
    conf.set(ConfigOptions.key("rest.bind-port").stringType().noDefaultValue(), String.valueOf(port));
    conf.set(ConfigOptions.key("rest.address").stringType().noDefaultValue(), "localhost");
    conf.set(ConfigOptions.key("state.checkpoints.dir").stringType().noDefaultValue(), stateUri + "checkpoints");
    conf.set(ConfigOptions.key("execution.checkpointing.dir").stringType().noDefaultValue(), stateUri + "checkpoints");
    conf.set(ConfigOptions.key("state.savepoints.dir").stringType().noDefaultValue(), stateUri + "savepoints");
    conf.set(ConfigOptions.key("execution.checkpointing.savepoint-dir").stringType().noDefaultValue(), stateUri + "savepoints");
    conf.set(ConfigOptions.key("metrics.fetcher.update-interval").stringType().noDefaultValue(), "1 s");
    conf.set(ConfigOptions.key("restart-strategy.type").stringType().noDefaultValue(), "none");
    conf.set(ConfigOptions.key("taskmanager.memory.network.min").stringType().noDefaultValue(), "64m");
    conf.set(ConfigOptions.key("taskmanager.memory.network.max").stringType().noDefaultValue(), "64m");
    conf.set(ConfigOptions.key("taskmanager.memory.managed.size").stringType().noDefaultValue(), "32m");

    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(parallelism);
    ExampleJob.build(env, a);
    JobGraph graph = env.getStreamGraph().getJobGraph();
    if (a.containsKey("savepoint")) graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(a.get("savepoint"), false));

    MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(conf).setNumTaskManagers(1).setNumSlotsPerTaskManager(Math.max(parallelism, 1)).build());
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        if (done.getCount() > 0) cluster.close();
      } catch (Exception ignored) {
        // exiting anyway
      }
    }));
    cluster.start();
    URI rest = cluster.getRestAddress().get();
    cluster.submitJob(graph).get();
    JobID id = graph.getJobID();
    System.out.println("flink-cutover example: job " + id + " running (" + a.getOrDefault("color", "$FLINK_CUTOVER_COLOR") + "), REST " + rest + ", state " + stateUri);
    System.out.flush();
    JobResult result = cluster.requestJobResult(id).get();
    System.out.println("flink-cutover example: job " + id + " ended: " + result.getApplicationStatus());
    done.countDown();
    try {
      cluster.closeAsync().get(20, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      System.out.println("flink-cutover example: MiniCluster did not close in 20 s (" + e + "); exiting");
    }
    System.exit(result.isSuccess() || result.getApplicationStatus().name().equals("CANCELED") ? 0 : 1);
  }
}
