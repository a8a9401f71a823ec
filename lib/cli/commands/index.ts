import type { CommandModule } from '../io.js';

/**
 * A command as `--help` lists it, and how to load it. The implementations (and what they import:
 * cdk8s, the Kubernetes client, the simulator) are loaded only for the command that runs, so
 * `--help`, `check` and `plan` start without them. `term` and `description` must be what the
 * command registers (a test compares them).
 */
export interface CommandDescriptor {
  readonly name: string;
  /** The command's line in the top-level help, e.g. `stage [options] <pipeline>`. */
  readonly term: string;
  readonly description: string;
  readonly load: () => Promise<CommandModule>;
}

/** Every command of the CLI, in the order `--help` lists them. */
export const commandDescriptors: readonly CommandDescriptor[] = [
  {
    name: 'synth',
    term: 'synth [options]',
    description:
      'Render every BlueGreenPipeline in the pipelines folder into one manifest file per pipeline (FlinkDeployments, cutover ConfigMap, RBAC, gate Jobs). Nothing is written when any spec is invalid.',
    load: async () => (await import('./synth.js')).registerSynth,
  },
  {
    name: 'init',
    term: 'init [options]',
    description:
      "Turn an existing FlinkDeployment (or the operator's native FlinkBlueGreenDeployment) manifest into a steady-state BlueGreenPipeline spec that adopts the running job without restarting it.",
    load: async () => (await import('./init.js')).registerInit,
  },
  {
    name: 'init-repo',
    term: 'init-repo [options] [dir]',
    description:
      'Create a GitOps repository for your pipelines: package.json depending on flink-cutover, apps/pipelines/ with an example, dist/ rendered, flink-cutover.yaml (verify image, Argo CD) and a CI workflow running synth --check, check (SARIF) and plan (pull-request comment).',
    load: async () => (await import('./init-repo.js')).registerInitRepo,
  },
  {
    name: 'check',
    term: 'check [options]',
    description:
      'Compare the pipeline specs at base and head (a pull request) and refuse unsafe transitions: one lifecycle step per PR, no restart of the color that owns the output, a valid cutover (target, generation, lead time), per-color consumer groups, transactional ids and state paths, and more. Every finding names its rule, file, line and fix.',
    load: async () => (await import('./check.js')).registerCheck,
  },
  {
    name: 'plan',
    term: 'plan [options]',
    description:
      'State, per pipeline, the lifecycle step a pull request takes in plain words (e.g. "orders: schedule cutover #4 blue \u2192 green at 2026-12-01T12:00:00Z, 18h after now") and which rendered Kubernetes objects are added, removed or changed.',
    load: async () => (await import('./plan.js')).registerPlan,
  },
  {
    name: 'stage',
    term: 'stage [options] <pipeline>',
    description:
      "Add the standby color with a new image (Steady \u2192 Staged). It starts from the active color's state (--from-savepoint, or --from-latest-checkpoint read from the active JobManager) and its gate holds all output until a cutover is committed.",
    load: async () => (await import('./stage.js')).registerStage,
  },
  {
    name: 'schedule',
    term: 'schedule [options] <pipeline>',
    description:
      'Commit the cutover to the staged standby color at event time W (Staged \u2192 Cutover): the next generation, to the standby, watermark W. On a cutover the controller Rejected, commit the next generation with a later W (pass --status; refused once Armed or Completed).',
    load: async () => (await import('./schedule.js')).registerSchedule,
  },
  {
    name: 'cancel',
    term: 'cancel [options] <pipeline>',
    description:
      'Withdraw a committed cutover the controller has not armed (Cutover \u2192 Staged): the cutover block is removed, the active color keeps the output and the controller records the generation as Rejected (withdrawn). Needs --status showing Pending or Rejected for that generation, or --assume-pending; refused once Armed or Completed (an Armed cutover always completes: tear down or roll back then).',
    load: async () => (await import('./cancel.js')).registerCancel,
  },
  {
    name: 'teardown',
    term: 'teardown [options] <pipeline>',
    description:
      'Remove the old color once the cutover is Completed and policy.teardownDelay has passed (Cutover \u2192 Steady). Pass --status with the <pipeline>-cutover-status ConfigMap; without it the step is allowed with a warning.',
    load: async () => (await import('./teardown.js')).registerTeardown,
  },
  {
    name: 'rollback',
    term: 'rollback [options] <pipeline>',
    description:
      "Hand the output back to the old color after a completed cutover: the new color becomes active and a new generation cuts over to the old one at W'. Pass --status so the check can see the cutover completed.",
    load: async () => (await import('./rollback.js')).registerRollback,
  },
  {
    name: 'abandon',
    term: 'abandon [options] <pipeline>',
    description:
      'Remove the staged standby color without a cutover (Staged \u2192 Steady); the active color never stopped owning the output.',
    load: async () => (await import('./abandon.js')).registerAbandon,
  },
  {
    name: 'verify',
    term: 'verify [options]',
    description:
      "Validate a color (the standby) before a cutover: poll its JobManager (and the active color's, Prometheus, HTTP endpoints and the approval) until every check of spec.validation passes or the timeout elapses. Checks: running (RUNNING, every vertex too, for minRunning, restarting the soak on every restart), checkpoints (minCompletedCheckpoints completed, none failing), restarts (<= maxRestarts), watermark-lag (behind the active color <= maxWatermarkLag), prometheus:<name>, http:<name>, approval.",
    load: async () => (await import('./verify.js')).registerVerify,
  },
  {
    name: 'simulate',
    term: 'simulate [options]',
    description:
      'Simulate blue/green handovers: two jobs read the same partitioned input (out-of-order and late records, idle partitions, different parallelism, config propagation delays, restarts from checkpoints, exactly-once sinks), each gate subtask runs the reference gate and the controller runs decide(). The committed output is audited: every input record must be emitted exactly once across both colors.',
    load: async () => (await import('./simulate.js')).registerSimulate,
  },
  {
    name: 'status',
    term: 'status [options] [pipeline]',
    description:
      "Show each pipeline's cutover as the cluster has it: active and standby color, generation, phase, W, each color's watermark and its lag to W + lateness, the reason, and the next step allowed as the exact command.",
    load: async () => (await import('./status.js')).registerStatus,
  },
  {
    name: 'controller',
    term: 'controller [options]',
    description:
      "Run the cutover controller: arm, reject and complete committed cutovers by writing <name>-cutover-status (and Events), from the gates' metrics. Runs until SIGTERM; logs one JSON line per phase change and per error.",
    load: async () => (await import('./controller.js')).registerController,
  },
];

/** Every command module, loaded (all implementations: for tests and tools, not the CLI's start). */
export async function loadCommands(): Promise<CommandModule[]> {
  return Promise.all(commandDescriptors.map((d) => d.load()));
}
