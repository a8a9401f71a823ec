import type { Command } from 'commander';
import { Option } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { KubeApi, loadKubeConfig } from '../../controller/kube.js';
import { readStatusInputs } from '../../controller/read-status.js';
import { pipelineView, renderStatus } from '../../controller/status-view.js';
import { parseDuration } from '../../spec/duration.js';
import type { CliIO } from '../io.js';
import { defineAction, UsageError } from '../io.js';
import { COMMAND_DESCRIPTIONS } from './descriptions.js';

interface StatusOpts {
  namespace?: string;
  allNamespaces?: boolean;
  watch?: boolean;
  format: 'text' | 'json';
  kubeconfig?: string;
  interval: string;
}

/** `flink-cutover status [pipeline]`: the cutover of each pipeline as the cluster has it. */
export function registerStatus(program: Command, io: CliIO): void {
  const cmd = program
    .command('status')
    .description(COMMAND_DESCRIPTIONS.status)
    .argument('[pipeline]', 'only this pipeline (metadata.name)')
    .option('--namespace <ns>', "the pipelines of this namespace (default: the kubeconfig context's)")
    .option('-A, --all-namespaces', 'the pipelines of every namespace')
    .option('--watch', 'redraw whenever something changes, until interrupted')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option(
      '--kubeconfig <file>',
      'kubeconfig file (default: $KUBECONFIG or ~/.kube/config, else in-cluster)',
    )
    .option('--interval <duration>', 'with --watch: how often to read', '2s')
    .addHelpText(
      'after',
      '\nExit codes: 0 shown, 1 the pipeline named was not found, 2 usage error or no API access.',
    );
  defineAction(cmd, async (pipeline: string | undefined, opts: StatusOpts) => {
    if (opts.namespace && opts.allNamespaces)
      throw new UsageError('--namespace and --all-namespaces exclude each other');
    let intervalMs: number;
    try {
      intervalMs = parseDuration(opts.interval);
    } catch (err) {
      throw new UsageError(`--interval ${opts.interval}: ${(err as Error).message}`);
    }
    if (opts.kubeconfig && !existsSync(opts.kubeconfig))
      throw new UsageError(`--kubeconfig ${opts.kubeconfig}: no such file`);
    let kc;
    try {
      const home = io.env.HOME ? join(io.env.HOME, '.kube', 'config') : undefined;
      const path = [opts.kubeconfig, io.env.KUBECONFIG?.split(':')[0], home].find((p) => p && existsSync(p));
      if (!path && !io.env.KUBERNETES_SERVICE_HOST)
        throw new Error('no kubeconfig (--kubeconfig, $KUBECONFIG, ~/.kube/config) and not running in a pod');
      kc = loadKubeConfig(path);
    } catch (err) {
      throw new UsageError(`cannot load the Kubernetes config: ${(err as Error).message}; pass --kubeconfig`);
    }
    const namespace = opts.allNamespaces
      ? undefined
      : (opts.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default');
    const api = new KubeApi(kc, { timeoutMs: 10_000 });
    const read = async () => {
      const inputs = await readStatusInputs(api, namespace, pipeline);
      return inputs.map(pipelineView);
    };
    const show = (views: ReturnType<typeof pipelineView>[]) =>
      opts.format === 'json'
        ? JSON.stringify({ pipelines: views }, null, 2) + '\n'
        : renderStatus(views, Date.now());
    let views;
    try {
      views = await read();
    } catch (err) {
      io.err(
        `flink-cutover status: cannot read the ConfigMaps from ${kc.getCurrentCluster()?.server ?? 'the API'}: ${(err as Error).message}\n`,
      );
      return 2;
    }
    if (pipeline && views.length === 0) {
      io.err(
        `flink-cutover status: no desired ConfigMap for pipeline ${pipeline} in ${namespace ? `namespace ${namespace}` : 'any namespace'} (label flink-cutover.dev/role=desired); is it synced?\n`,
      );
      return 1;
    }
    if (!opts.watch) {
      io.out(show(views));
      return 0;
    }
    // --watch: redraw when what is shown changes (the relative times tick in place too).
    let last = '';
    let lastData = '';
    let stop = false;
    const onInt = () => (stop = true);
    process.once('SIGINT', onInt);
    while (!stop) {
      const data = JSON.stringify(views);
      const text = show(views);
      if (data !== lastData || (opts.format === 'text' && text !== last)) {
        io.out((opts.format === 'text' ? '\x1b[H\x1b[2J' : '') + text);
        last = text;
        lastData = data;
      }
      await new Promise((r) => setTimeout(r, intervalMs));
      try {
        views = await read();
      } catch (err) {
        io.err(`flink-cutover status: ${(err as Error).message} (retrying)\n`);
      }
    }
    process.off('SIGINT', onInt);
    return 0;
  });
}
