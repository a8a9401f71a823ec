import type { Command } from 'commander';
import { Option } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { CutoverController } from '../../controller/controller.js';
import { loadKubeConfig } from '../../controller/kube.js';
import { parseDuration } from '../../spec/duration.js';
import type { CliIO } from '../io.js';
import { defineAction, UsageError } from '../io.js';
import { COMMAND_DESCRIPTIONS } from './descriptions.js';

interface ControllerOpts {
  namespace?: string;
  allNamespaces?: boolean;
  interval: string;
  metricsPort: string;
  leaderElect?: boolean;
  leaseName: string;
  leaseNamespace?: string;
  leaseDuration: string;
  renewDeadline: string;
  retryPeriod: string;
  stallAfter: string;
  relist: string;
  kubeconfig?: string;
}

const SA_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

function ms(flag: string, text: string): number {
  try {
    return parseDuration(text);
  } catch (err) {
    throw new UsageError(`${flag} ${text}: ${(err as Error).message}`);
  }
}

/** `flink-cutover controller`: runs the cutover controller until SIGTERM/SIGINT. */
export function registerController(program: Command, io: CliIO): void {
  const cmd = program
    .command('controller')
    .description(COMMAND_DESCRIPTIONS.controller)
    .option('--namespace <ns>', 'watch the desired ConfigMaps of this namespace only')
    .option('-A, --all-namespaces', 'watch every namespace (the default without --namespace)')
    .option('--interval <duration>', 'how often a pipeline with an open cutover is looked at', '10s')
    .option('--metrics-port <port>', 'port of /metrics, /healthz and /readyz (0: none)', '9090')
    .option(
      '--leader-elect',
      'elect a leader with a coordination.k8s.io/v1 Lease (run several replicas; only the leader writes)',
    )
    .option('--lease-name <name>', 'the Lease', 'flink-cutover-controller')
    .option('--lease-namespace <ns>', "the Lease's namespace (default: --namespace, else the pod's)")
    .option('--lease-duration <duration>', 'how long a Lease not renewed keeps other replicas out', '15s')
    .option(
      '--renew-deadline <duration>',
      'the leader steps down when it could not renew for this long',
      '10s',
    )
    .option('--retry-period <duration>', 'between attempts to acquire or renew the Lease', '2s')
    .option(
      '--stall-after <duration>',
      "warn when an Armed cutover's watermark has not moved for this long",
      '5m',
    )
    .option('--relist <duration>', 're-list everything this often (a watch can stall silently)', '5m')
    .option('--kubeconfig <file>', 'kubeconfig file (default: the in-cluster service account)')
    .addHelpText('after', '\nExit codes: 0 stopped by a signal, 2 usage error or no API access.');
  cmd.addOption(new Option('--metrics-host <host>').default('0.0.0.0').hideHelp());
  defineAction(cmd, async (opts: ControllerOpts & { metricsHost: string }) => {
    if (opts.namespace && opts.allNamespaces)
      throw new UsageError('--namespace and --all-namespaces exclude each other');
    const intervalMs = ms('--interval', opts.interval);
    const port = Number(opts.metricsPort);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UsageError(`--metrics-port ${opts.metricsPort}: not a port number`);
    if (opts.kubeconfig && !existsSync(opts.kubeconfig))
      throw new UsageError(`--kubeconfig ${opts.kubeconfig}: no such file`);
    if (!opts.kubeconfig && !io.env.KUBERNETES_SERVICE_HOST)
      throw new UsageError('not running in a pod (no KUBERNETES_SERVICE_HOST): pass --kubeconfig FILE');
    let kc;
    try {
      kc = loadKubeConfig(opts.kubeconfig);
    } catch (err) {
      throw new UsageError(
        `cannot load ${opts.kubeconfig ? `the kubeconfig ${opts.kubeconfig}` : 'the in-cluster config (not running in a pod? pass --kubeconfig)'}: ${(err as Error).message}`,
      );
    }
    if (!kc.getCurrentCluster())
      throw new UsageError(
        `${opts.kubeconfig ? `the kubeconfig ${opts.kubeconfig}` : 'the in-cluster config'} has no current cluster (not running in a pod? pass --kubeconfig)`,
      );
    let leaseNamespace = opts.leaseNamespace ?? opts.namespace ?? io.env.POD_NAMESPACE;
    if (!leaseNamespace && existsSync(SA_NAMESPACE))
      leaseNamespace = readFileSync(SA_NAMESPACE, 'utf8').trim();
    if (opts.leaderElect && !leaseNamespace)
      throw new UsageError(
        "--leader-elect needs the Lease's namespace: pass --lease-namespace or --namespace",
      );
    const controller = new CutoverController({
      kubeConfig: kc,
      ...(opts.namespace ? { namespace: opts.namespace } : {}),
      intervalMs,
      relistMs: ms('--relist', opts.relist),
      stallMs: ms('--stall-after', opts.stallAfter),
      ...(port > 0 ? { metricsPort: port, metricsHost: opts.metricsHost } : {}),
      ...(opts.leaderElect
        ? {
            leaderElection: {
              namespace: leaseNamespace!,
              name: opts.leaseName,
              identity: io.env.POD_NAME ?? `${hostname()}-${process.pid}`,
              leaseDurationMs: ms('--lease-duration', opts.leaseDuration),
              renewDeadlineMs: ms('--renew-deadline', opts.renewDeadline),
              retryPeriodMs: ms('--retry-period', opts.retryPeriod),
            },
          }
        : {}),
      log: (line) => io.out(JSON.stringify(line) + '\n'),
    });
    await controller.start();
    io.out(
      JSON.stringify({
        time: new Date().toISOString(),
        level: 'info',
        msg: 'started',
        namespace: opts.namespace ?? '(all)',
        intervalMs,
        leaderElect: !!opts.leaderElect,
        metricsPort: controller.port ?? null,
      }) + '\n',
    );
    // The controller's own timers do not hold the process (a library must not); a pending promise
    // does not either: without this, the process exited silently whenever no socket was open
    // (--metrics-port 0 and the API server down), in the middle of a cutover.
    const keepAlive = setInterval(() => undefined, 1 << 30);
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        clearInterval(keepAlive);
        process.off('SIGTERM', onTerm);
        process.off('SIGINT', onInt);
        io.out(
          JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: 'stopping', signal }) + '\n',
        );
        void controller.stop().then(resolve);
      };
      const onTerm = () => stop('SIGTERM');
      const onInt = () => stop('SIGINT');
      process.on('SIGTERM', onTerm);
      process.on('SIGINT', onInt);
    });
    io.out(JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: 'stopped' }) + '\n');
    return 0;
  });
}
