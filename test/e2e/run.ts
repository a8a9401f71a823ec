/**
 * `npm run e2e`: real cutovers end to end. Two Flink MiniCluster processes (blue and green) run the
 * example job with the Java gate over the same replayable, partitioned, out-of-order input into
 * exactly-once file sinks; a real kube-apiserver holds what `flink-cutover synth` renders; the real
 * `flink-cutover controller` arms and completes; the lifecycle goes through the product's own
 * commands (stage from a savepoint taken over REST, verify, schedule, teardown, rollback), each
 * followed by synth and a sync of what changed. Each scenario injects faults and audits the union of
 * both colors' committed output: every record exactly once, by the color owning its event time.
 *
 * Usage: npm run e2e [-- --only NAME[,NAME]] [--keep]   (prints one line per scenario; exit 1 on any loss)
 */
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';
import type { Phase } from '../../lib/gate/contract.js';
import type { Color } from '../../lib/spec/types.js';
import { kubeBinaries, startKubeApiServer } from '../support/kube-apiserver.js';
import type { KubeApiServer } from '../support/kube-apiserver.js';
import { audit } from './audit.js';
import type { AuditResult, Ownership } from './audit.js';
import {
  cancelJob,
  cliOk,
  ControllerProcess,
  EXAMPLE_JAR,
  FlinkColor,
  InputWriter,
  OutputWatcher,
  readStatus,
  REPO,
  sleep,
  Sync,
  until,
} from './harness.js';

const PIPELINE = 'e2e';
const LATENESS_MS = 2000;
const LEAD_MS = 14_000;
const CHECKPOINT_MS = 1000;

type Fault =
  'green-restart-pending' | 'blue-restart-armed' | 'controller-killed' | 'too-late' | 'api-down' | 'rollback';

interface Scenario {
  readonly name: string;
  readonly faults: readonly Fault[];
}

const SCENARIOS: readonly Scenario[] = [
  { name: 'clean', faults: [] },
  { name: 'green restarted while Pending', faults: ['green-restart-pending'] },
  { name: 'blue restarted while Armed', faults: ['blue-restart-armed'] },
  { name: 'controller killed mid-cutover', faults: ['controller-killed'] },
  { name: 'W too late, rescheduled', faults: ['too-late'] },
  { name: "gates' watch dropped, API down", faults: ['api-down'] },
  { name: 'rollback after Completed', faults: ['rollback'] },
];

interface Row {
  readonly scenario: string;
  readonly result: AuditResult;
  readonly commitToArmedMs: number;
  readonly armedToCompletedMs: number;
  readonly wallMs: number;
  readonly phases: string;
}

function spec(ns: string, blueUrl: string): object {
  return {
    apiVersion: 'flink-cutover.dev/v1alpha1',
    kind: 'BlueGreenPipeline',
    metadata: { name: PIPELINE, namespace: ns },
    spec: {
      active: 'blue',
      colors: { blue: { image: 'flink-cutover-example:1', restUrl: blueUrl } },
      template: {
        flinkVersion: 'v1_20',
        serviceAccount: 'flink',
        flinkConfiguration: {
          'execution.checkpointing.interval': '1s',
          'state.checkpoints.dir': `file:///tmp/e2e/{{pipeline}}/{{color}}/checkpoints`,
          'state.savepoints.dir': `file:///tmp/e2e/{{pipeline}}/{{color}}/savepoints`,
          'execution.checkpointing.externalized-checkpoint-retention': 'RETAIN_ON_CANCELLATION',
        },
        jobManager: { resource: { memory: '1024m', cpu: 0.5 } },
        taskManager: { resource: { memory: '1024m', cpu: 1 } },
        job: {
          jarURI: 'local:///opt/flink/usrlib/flink-cutover-example.jar',
          entryClass: 'dev.flinkcutover.examples.ExampleJob',
          args: ['--input', '/data/in', '--output', '/data/out/{{color}}'],
          parallelism: 2,
          upgradeMode: 'savepoint',
        },
      },
      gate: { mode: 'filter', lateness: `${LATENESS_MS}ms` },
      validation: { minRunning: '4s', minCompletedCheckpoints: 2, maxWatermarkLag: '30s', maxRestarts: 0 },
      policy: { minLeadTime: '5s', teardownDelay: '0s' },
      sources: [{ name: 'in', kind: 'filesystem', topics: ['/data/in'] }],
      sinks: [
        { name: 'out', kind: 'filesystem', topic: '/data/out/{{color}}', deliveryGuarantee: 'exactly-once' },
      ],
    },
  };
}

/** Phase changes as the status ConfigMap shows them, with the wall time they were first seen. */
class PhaseLog {
  readonly seen: { generation: number; phase: Phase; at: number }[] = [];
  private timer: NodeJS.Timeout | undefined;
  constructor(
    private readonly server: KubeApiServer,
    private readonly ns: string,
  ) {}
  start(): void {
    const poll = async (): Promise<void> => {
      const s = await readStatus(this.server, this.ns, PIPELINE).catch(() => undefined);
      if (s && !this.seen.some((x) => x.generation === s.status.generation && x.phase === s.status.phase))
        this.seen.push({ generation: s.status.generation, phase: s.status.phase, at: Date.now() });
    };
    this.timer = setInterval(() => void poll(), 100);
  }
  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
  at(generation: number, phase: Phase): number | undefined {
    return this.seen.find((x) => x.generation === generation && x.phase === phase)?.at;
  }
  async wait(generation: number, phase: Phase, timeoutMs: number): Promise<number> {
    try {
      return await this.waitOnly(generation, phase, timeoutMs);
    } catch (e) {
      const st = await readStatus(this.server, this.ns, PIPELINE).catch(() => undefined);
      throw new Error(
        `${(e as Error).message}; the status says ${st ? `generation ${st.status.generation} ${st.status.phase}: ${st.status.reason}` : 'nothing'}`,
      );
    }
  }
  private async waitOnly(generation: number, phase: Phase, timeoutMs: number): Promise<number> {
    return until(
      `generation ${generation} ${phase}`,
      timeoutMs,
      () => {
        const other = this.seen.find(
          (x) =>
            x.generation === generation &&
            x.phase !== phase &&
            (x.phase === 'Rejected' || x.phase === 'Completed'),
        );
        if (other && other.phase !== phase)
          throw new Error(`generation ${generation} ended ${other.phase}, expected ${phase}`);
        return this.at(generation, phase);
      },
      100,
    );
  }
  /** The phases per generation in the order seen, e.g. `1:Pending>Armed>Completed`. */
  summary(): string {
    const gens = [...new Set(this.seen.map((x) => x.generation))];
    return gens
      .map(
        (g) =>
          `${g}:${this.seen
            .filter((x) => x.generation === g)
            .map((x) => x.phase)
            .join('>')}`,
      )
      .join(' ');
  }
}

async function scenario(server: KubeApiServer, s: Scenario, index: number, root: string): Promise<Row> {
  const t0 = Date.now();
  const has = (f: Fault): boolean => s.faults.includes(f);
  const ns = `e2e-${index}`;
  const dir = join(root, ns);
  const pipelines = join(dir, 'pipelines');
  const dist = join(dir, 'dist');
  const logs = join(dir, 'logs');
  const specFile = join(pipelines, `${PIPELINE}.yaml`);
  mkdirSync(pipelines, { recursive: true });
  mkdirSync(dist, { recursive: true });
  await server.createNamespace(ns);
  await server.createNamespace('flink-cutover-system').catch(() => undefined);
  // The operator's Helm chart creates the jobs' ServiceAccount; synth renders what it may read.
  await server.apply(
    [{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'flink', namespace: ns } }],
    'e2e-setup',
  );

  const inputDir = join(dir, 'in');
  const out = { blue: join(dir, 'out', 'blue'), green: join(dir, 'out', 'green') };
  const sync = new Sync(server, dist);
  const run = (args: string[], expect = 0) => cliOk(args, { cwd: dir, expect });
  const synthAndSync = async (): Promise<void> => {
    await run(['synth', '--pipelines', pipelines, '--out', dist]);
    await sync.sync();
  };
  const statusFile = async (): Promise<string> => {
    const st = await readStatus(server, ns, PIPELINE);
    const f = join(dir, 'status.json');
    writeFileSync(f, JSON.stringify(st ? st.object : { apiVersion: 'v1', kind: 'List', items: [] }));
    return f;
  };
  const iso = (ms: number): string => new Date(ms).toISOString();

  // Tokens for the rendered ServiceAccounts: the gates read as the job's account, the controller runs as its own.
  const caFile = join(dir, 'ca.crt');
  writeFileSync(caFile, server.caPem);
  const tokenFile = join(dir, 'flink.token');
  const gateEnv = {
    FLINK_CUTOVER_CONFIGMAP: `${PIPELINE}-cutover`,
    FLINK_CUTOVER_STATUS_CONFIGMAP: `${PIPELINE}-cutover-status`,
    FLINK_CUTOVER_K8S_API: server.url,
    FLINK_CUTOVER_NAMESPACE: ns,
    FLINK_CUTOVER_K8S_TOKEN_FILE: tokenFile,
    FLINK_CUTOVER_K8S_CA_FILE: caFile,
    FLINK_CUTOVER_K8S_RELIST_SECONDS: '20',
  };
  const colorOpts = (c: Color) => ({
    inputDir,
    outputDir: out[c],
    stateDir: join(dir, 'state', c),
    logDir: logs,
    env: { ...gateEnv, FLINK_CUTOVER_COLOR: c, FLINK_CUTOVER_PIPELINE: PIPELINE },
    parallelism: 2,
    checkpointMs: CHECKPOINT_MS,
  });
  const jobs = {
    blue: new FlinkColor('blue', colorOpts('blue')),
    green: new FlinkColor('green', colorOpts('green')),
  };

  // Steady blue.
  writeFileSync(specFile, stringify(spec(ns, await jobs.blue.restUrl)));
  await synthAndSync();
  writeFileSync(tokenFile, await server.mintToken(ns, 'flink'));
  const controllerKubeconfig = server.kubeconfigFor(
    await server.mintToken('flink-cutover-system', 'flink-cutover-controller'),
    `controller-${ns}`,
  );
  const controller = new ControllerProcess({
    kubeconfig: controllerKubeconfig,
    namespace: ns,
    logDir: logs,
    interval: '1s',
  });
  const input = new InputWriter(inputDir);
  const watcher = new OutputWatcher(out);
  const phases = new PhaseLog(server, ns);
  input.start();
  watcher.start();
  phases.start();
  const traceLog = join(logs, 'trace.log');
  const tracer = setInterval(() => {
    void Promise.all([
      jobs.blue.trace().catch((e: Error) => `blue: ${e.message}`),
      jobs.green.trace().catch((e: Error) => `green: ${e.message}`),
    ]).then((lines) =>
      appendFileSync(traceLog, `${new Date().toISOString()} now=${Date.now()}\n  ${lines.join('\n  ')}\n`),
    );
  }, 2000);
  try {
    await jobs.blue.start();
    controller.start();
    await until('blue committing output', 60_000, () =>
      watcher.records.some((r) => r.color === 'blue') ? true : undefined,
    );
    const steadyFrom = Date.now();
    await sleep(4000);

    // Stage green from a savepoint of blue, taken over the REST API.
    const savepoint = await jobs.blue.savepoint(join(dir, 'state', 'blue', 'savepoints'));
    await run([
      'stage',
      PIPELINE,
      '--pipelines',
      pipelines,
      '--image',
      'flink-cutover-example:2',
      '--from-savepoint',
      savepoint,
      '--set',
      `restUrl=${await jobs.green.restUrl}`,
    ]);
    await synthAndSync();
    await jobs.green.start(savepoint);
    await run(['verify', '--spec', specFile, '--color', 'green', '--timeout', '90s'], 0);
    const steadyTo = Date.now();

    if (has('green-restart-pending')) await jobs.green.kill();
    let generation = 1;

    let W: number;
    if (has('too-late')) {
      // A pull request reviewed with a W in the future, merged after both jobs passed it.
      W = Date.now() - 4000;
      await run(['schedule', PIPELINE, '--pipelines', pipelines, '--at', iso(W), '--now', iso(W - 10_000)]);
      await synthAndSync();
      await phases.wait(1, 'Rejected', 60_000);
      W = Date.now() + LEAD_MS;
      await run([
        'schedule',
        PIPELINE,
        '--pipelines',
        pipelines,
        '--at',
        iso(W),
        '--status',
        await statusFile(),
      ]);
      generation = 2;
    } else {
      W = Date.now() + LEAD_MS;
      await run(['schedule', PIPELINE, '--pipelines', pipelines, '--at', iso(W)]);
    }
    await synthAndSync();
    const commitAt = Date.now();
    if (has('green-restart-pending')) {
      await phases.wait(generation, 'Pending', 30_000);
      await sleep(2000);
      await jobs.green.start(jobs.green.latestCheckpoint());
    }
    if (has('api-down')) {
      // The API server restarts: every watch (the gates', the controller's) drops, and it is down for a while.
      await until(
        'a status for the generation',
        30_000,
        () => (phases.seen.some((x) => x.generation === generation) ? true : undefined),
        50,
      );
      await server.restartApiServer();
    }
    if (has('controller-killed')) {
      // Killed as soon as it has written anything for the generation (Pending, or Armed at once).
      await until(
        'a status for the generation',
        30_000,
        () => (phases.seen.some((x) => x.generation === generation) ? true : undefined),
        50,
      );
      await controller.kill('SIGKILL');
      await sleep(3000);
      controller.start();
    }
    const armedAt = await phases.wait(generation, 'Armed', 60_000);
    if (has('blue-restart-armed')) await jobs.blue.restartFromCheckpoint();
    if (has('controller-killed')) {
      await controller.kill('SIGKILL');
      await sleep(3000);
      controller.start();
    }
    const completedAt = await phases.wait(generation, 'Completed', 90_000);
    let ownership: Ownership = { first: 'blue', handovers: [{ watermark: W, to: 'green' }] };
    let survivor: Color = 'green';
    let done = completedAt;

    if (has('rollback')) {
      const W2 = Date.now() + LEAD_MS;
      await run([
        'rollback',
        PIPELINE,
        '--pipelines',
        pipelines,
        '--at',
        iso(W2),
        '--status',
        await statusFile(),
      ]);
      await synthAndSync();
      await phases.wait(generation + 1, 'Armed', 60_000);
      done = await phases.wait(generation + 1, 'Completed', 90_000);
      ownership = {
        first: 'blue',
        handovers: [
          { watermark: W, to: 'green' },
          { watermark: W2, to: 'blue' },
        ],
      };
      survivor = 'blue';
    }

    // Tear down the old color: the sync prunes its FlinkDeployment, which cancels its job.
    const old: Color = survivor === 'green' ? 'blue' : 'green';
    await run(['teardown', PIPELINE, '--pipelines', pipelines, '--status', await statusFile()]);
    await synthAndSync();
    await cancelJob(jobs[old]);

    // Drain: stop the input, wait until the survivor committed everything, then stop it.
    await sleep(1500);
    input.stop();
    await until(
      'the survivor committing the whole input',
      60_000,
      () => {
        watcher.scan();
        const got = new Set(watcher.records.map((r) => r.id));
        return input.records.every((r) => got.has(r.id)) ? true : undefined;
      },
      500,
    ).catch(() => undefined);
    await cancelJob(jobs[survivor]);
    watcher.stop();
    const result = audit(
      input.records,
      watcher.records,
      ownership,
      [steadyFrom, steadyTo],
      [commitAt, done + 5000],
    );
    return {
      scenario: s.name,
      result,
      commitToArmedMs: armedAt - commitAt,
      armedToCompletedMs: completedAt - armedAt,
      wallMs: Date.now() - t0,
      phases: phases.summary(),
    };
  } finally {
    clearInterval(tracer);
    input.stop();
    watcher.stop();
    phases.stop();
    await controller.kill('SIGTERM').catch(() => undefined);
    await jobs.blue.kill().catch(() => undefined);
    await jobs.green.kill().catch(() => undefined);
  }
}

function fmt(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1]!.split(',') : undefined;
  const keep = args.includes('--keep');
  if (!existsSync(EXAMPLE_JAR)) {
    process.stderr.write(
      `e2e: ${EXAMPLE_JAR} is missing; build it first: mvn -B -f java/pom.xml package -DskipTests\n`,
    );
    return 2;
  }
  const bins = kubeBinaries();
  if (!bins.ok) {
    process.stderr.write(`e2e: ${bins.reason}\n`);
    return 2;
  }
  if (!existsSync(join(REPO, 'build', 'lib'))) {
    process.stderr.write('e2e: build/ is missing; run npm run build (or npm ci) first\n');
    return 2;
  }
  // The scenarios run the installed CLI (bin/ → build/): a build older than lib/ tests old code.
  const stale = staleBuild();
  if (stale) {
    process.stderr.write(`e2e: build/ is older than ${stale}; run npm run build first\n`);
    return 2;
  }
  const root = mkdtempSync(join(tmpdir(), 'flink-cutover-e2e-'));
  const t0 = Date.now();
  const server = await startKubeApiServer();
  process.stdout.write(
    `e2e: kube-apiserver ${server.url} up in ${fmt(Date.now() - t0)}; work folder ${root}\n`,
  );
  process.stdout.write(
    'scenario                          records  lost  dup  wrong  stall/steady     commit→Armed  Armed→Completed  phases                                  time\n',
  );
  const rows: Row[] = [];
  let failed = false;
  try {
    let i = 0;
    for (const s of SCENARIOS) {
      i++;
      if (only && !only.some((o) => s.name.includes(o))) continue;
      try {
        const r = await scenario(server, s, i, root);
        rows.push(r);
        const bad =
          r.result.lost.length +
            r.result.duplicated.length +
            r.result.wrongOwner.length +
            r.result.unknown.length >
          0;
        if (bad) failed = true;
        process.stdout.write(
          `${r.scenario.padEnd(34)}${String(r.result.records).padStart(7)}${String(r.result.lost.length).padStart(6)}${String(r.result.duplicated.length).padStart(5)}${String(r.result.wrongOwner.length).padStart(7)}  ${`${fmt(r.result.stallMs)}/${fmt(r.result.steadyGapMs)}`.padEnd(17)}${fmt(r.commitToArmedMs).padStart(12)}${fmt(r.armedToCompletedMs).padStart(17)}  ${r.phases.padEnd(40)}${fmt(r.wallMs)}${bad ? '  FAILED' : ''}\n`,
        );
        if (bad)
          process.stdout.write(
            `  lost ${r.result.lost.slice(0, 10).join(' ')}; duplicated ${r.result.duplicated.slice(0, 10).join(' ')}; wrong owner ${r.result.wrongOwner.slice(0, 10).join(' ')}; unknown ${r.result.unknown.slice(0, 5).join(' ')}\n`,
          );
      } catch (e) {
        failed = true;
        process.stdout.write(
          `${s.name.padEnd(34)}FAILED: ${(e as Error).message}\n  logs: ${join(root, `e2e-${i}`, 'logs')}\n`,
        );
      }
    }
  } finally {
    await server.stop();
  }
  process.stdout.write(
    `e2e: ${rows.length} scenario(s) in ${fmt(Date.now() - t0)}${failed ? ', FAILED' : ', 0 lost, 0 duplicated'}\n`,
  );
  if (!keep && !failed) rmSync(root, { recursive: true, force: true });
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`e2e: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(2);
  },
);

/** A source under lib/ newer than the compiled CLI, if any. */
function staleBuild(): string | undefined {
  const built = statSync(join(REPO, 'build', 'lib', 'cli', 'main.js'), { throwIfNoEntry: false });
  if (!built) return 'lib/ (build/lib/cli/main.js is missing)';
  const walk = (dir: string): string | undefined => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        const found = walk(p);
        if (found) return found;
      } else if (e.name.endsWith('.ts') && statSync(p).mtimeMs > built.mtimeMs) return relative(REPO, p);
    }
    return undefined;
  };
  return walk(join(REPO, 'lib'));
}
