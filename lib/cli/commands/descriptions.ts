/**
 * What each command does, in one paragraph: the top-level `--help` lists it before any command is
 * loaded, and the command registers the same text as its own description.
 */
export const COMMAND_DESCRIPTIONS = {
  synth:
    'Render every BlueGreenPipeline in the pipelines folder into one manifest file per pipeline (FlinkDeployments, cutover ConfigMap, RBAC, gate Jobs). Nothing is written when any spec is invalid.',
  init: "Turn an existing FlinkDeployment (or the operator's native FlinkBlueGreenDeployment) manifest into a steady-state BlueGreenPipeline spec that adopts the running job without restarting it.",
  'init-repo':
    'Create a GitOps repository for your pipelines: package.json depending on flink-cutover, apps/pipelines/ with an example, dist/ rendered, flink-cutover.yaml (verify image, Argo CD) and a CI workflow running synth --check, check (SARIF) and plan (pull-request comment).',
  check:
    'Compare the pipeline specs at base and head (a pull request) and refuse unsafe transitions: one lifecycle step per PR, no restart of the color that owns the output, a valid cutover (target, generation, lead time), per-color consumer groups, transactional ids and state paths, and more. Every finding names its rule, file, line and fix.',
  plan: 'State, per pipeline, the lifecycle step a pull request takes in plain words (e.g. "orders: schedule cutover #4 blue → green at 2026-12-01T12:00:00Z, 18h after now") and which rendered Kubernetes objects are added, removed or changed.',
  stage:
    "Add the standby color with a new image (Steady → Staged). It starts from the active color's state (--from-savepoint, or --from-latest-checkpoint read from the active JobManager) and its gate holds all output until a cutover is committed.",
  schedule:
    'Commit the cutover to the staged standby color at event time W (Staged → Cutover): the next generation, to the standby, watermark W. On a cutover the controller Rejected, commit the next generation with a later W (pass --status; refused once Armed or Completed).',
  cancel:
    'Withdraw a committed cutover the controller has not armed (Cutover → Staged): the cutover block is removed, the active color keeps the output and the controller records the generation as Rejected (withdrawn). Needs --status showing Pending or Rejected for that generation, or --assume-pending; refused once Armed or Completed (an Armed cutover always completes: tear down or roll back then).',
  teardown:
    'Remove the old color once the cutover is Completed and policy.teardownDelay has passed (Cutover → Steady). Pass --status with the <pipeline>-cutover-status ConfigMap: without it the step is refused (--allow-unknown-status makes that a warning).',
  rollback:
    "Hand the output back to the old color after a completed cutover: the new color becomes active and a new generation cuts over to the old one at W'. Pass --status so the check can see the cutover completed.",
  abandon:
    'Remove the staged standby color without a cutover (Staged → Steady); the active color never stopped owning the output.',
  verify:
    "Validate a color (the standby) before a cutover: poll its JobManager (and the active color's, Prometheus, HTTP endpoints and the approval) until every check of spec.validation passes or the timeout elapses. Checks: running (RUNNING, every vertex too, for minRunning, restarting the soak on every restart), checkpoints (minCompletedCheckpoints completed, none failing), restarts (<= maxRestarts), watermark-lag (behind the active color <= maxWatermarkLag), prometheus:<name>, http:<name>, approval.",
  simulate:
    'Simulate blue/green handovers: two jobs read the same partitioned input (out-of-order and late records, idle partitions, different parallelism, config propagation delays, restarts from checkpoints, exactly-once sinks), each gate subtask runs the reference gate and the controller runs decide(). The committed output is audited: every input record must be emitted exactly once across both colors.',
  status:
    "Show each pipeline's cutover as the cluster has it: active and standby color, generation, phase, W, each color's watermark and its lag to W + lateness, the reason, and the next step allowed as the exact command.",
  controller:
    "Run the cutover controller: arm, reject and complete committed cutovers by writing <name>-cutover-status (and Events), from the gates' metrics. Runs until SIGTERM; logs one JSON line per phase change and per error.",
} as const satisfies Record<string, string>;
