import type { Command } from 'commander';
import { Option } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { withoutCredentials } from '../../flink/http.js';
import { formatDuration, parseDuration } from '../../spec/duration.js';
import { DiagnosticError } from '../../spec/diagnostics.js';
import { loadPipelineFile } from '../../spec/load.js';
import type { Color } from '../../spec/types.js';
import { COLORS } from '../../spec/types.js';
import { progressLine } from '../../verify/checks.js';
import { formatJson, formatText } from '../../verify/format.js';
import { inClusterAccess, SERVICE_ACCOUNT_DIR } from '../../verify/kube.js';
import type { ApprovalSource } from '../../verify/observe.js';
import { observe, readApprovalFile } from '../../verify/observe.js';
import { pollUntilVerified } from '../../verify/run.js';
import {
  checkpointIntervalMs,
  defaultTimeoutMs,
  parseSettingsJson,
  settingsFromPipeline,
} from '../../verify/settings.js';
import type { VerifySettings } from '../../verify/types.js';
import type { CliIO } from '../io.js';
import { defineAction, UsageError } from '../io.js';
import { COMMAND_DESCRIPTIONS } from './descriptions.js';

interface VerifyOpts {
  spec?: string;
  validationJson?: string;
  color?: string;
  rest?: string;
  activeRest?: string;
  prometheus?: string;
  timeout?: string;
  interval: string;
  format: 'text' | 'json';
  generation?: string;
  approvalFile?: string;
  configmap?: string;
  namespace?: string;
  kubeApi?: string;
  requestTimeout: string;
  retries: string;
}

function duration(flag: string, text: string): number {
  try {
    return parseDuration(text);
  } catch (err) {
    throw new UsageError(`${flag} ${text}: ${(err as Error).message}`);
  }
}

function url(flag: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new UsageError(`${flag} ${text}: not a URL (use e.g. http://orders-green-rest.streaming:8081)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new UsageError(`${flag} ${text}: use an http:// or https:// URL`);
  return text;
}

/** Builds the settings from --spec or --validation-json, with the flags applied (and the color's checkpoint interval, from a spec). */
function settingsFrom(
  opts: VerifyOpts,
  io: CliIO,
): { settings: VerifySettings; checkpointInterval?: number } {
  if (opts.spec && opts.validationJson) throw new UsageError('give --spec or --validation-json, not both');
  if (!opts.spec && !opts.validationJson)
    throw new UsageError('missing --spec FILE (or --validation-json JSON, as the verify Job passes it)');
  if (opts.color !== undefined && !(COLORS as readonly string[]).includes(opts.color))
    throw new UsageError(`--color ${opts.color}: use blue or green`);
  let generation: number | undefined;
  if (opts.generation !== undefined) {
    if (!/^[1-9][0-9]*$/.test(opts.generation))
      throw new UsageError(`--generation ${opts.generation}: use a positive integer`);
    generation = Number(opts.generation);
  }
  const overrides = {
    restUrl: url('--rest', opts.rest),
    activeRestUrl: url('--active-rest', opts.activeRest),
    prometheusUrl: url('--prometheus', opts.prometheus),
    generation,
  };
  if (opts.spec) {
    if (!opts.color) throw new UsageError('missing --color blue|green: the color to verify');
    const file = resolve(io.cwd, opts.spec);
    if (!existsSync(file) || !statSync(file).isFile())
      throw new UsageError(`--spec ${opts.spec}: no such file`);
    const r = loadPipelineFile(file);
    if (r.diagnostics.length > 0) throw new DiagnosticError(r.diagnostics);
    if (r.pipelines.length !== 1)
      throw new UsageError(`--spec ${opts.spec}: expected one pipeline, found ${r.pipelines.length}`);
    const p = r.pipelines[0]!.pipeline;
    const color = opts.color as Color;
    if (!p.spec.colors[color]) {
      // Even with --rest: verifying a color the spec does not run would gate a deployment git
      // does not describe (and its checks would judge whatever answers at that URL).
      const present = Object.keys(p.spec.colors);
      throw new UsageError(
        `--color ${color}: pipeline ${p.metadata.name} has no ${color} color (it runs ${present.length > 0 ? present.join(', ') : 'none'}); stage ${color} first (flink-cutover stage ${p.metadata.name} --image IMAGE), then verify it`,
      );
    }
    const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
    const interval = p.spec.colors[color] ? checkpointIntervalMs(p, color) : undefined;
    return {
      settings: settingsFromPipeline(p, color, defined),
      ...(interval !== undefined ? { checkpointInterval: interval } : {}),
    };
  }
  let s: VerifySettings;
  try {
    s = parseSettingsJson(opts.validationJson!);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (opts.color && opts.color !== s.color)
    throw new UsageError(`--color ${opts.color} differs from the color in --validation-json (${s.color})`);
  url('--validation-json restUrl', s.restUrl);
  url('--validation-json activeRestUrl', s.activeRestUrl);
  url('--validation-json prometheusUrl', s.prometheusUrl);
  return {
    settings: {
      ...s,
      ...(overrides.restUrl ? { restUrl: overrides.restUrl } : {}),
      ...(overrides.activeRestUrl ? { activeRestUrl: overrides.activeRestUrl } : {}),
      ...(overrides.prometheusUrl ? { prometheusUrl: overrides.prometheusUrl } : {}),
      ...(generation !== undefined ? { generation } : {}),
    },
  };
}

function approvalSource(opts: VerifyOpts, settings: VerifySettings, io: CliIO): ApprovalSource | undefined {
  if (opts.approvalFile && opts.configmap)
    throw new UsageError('give --approval-file or --configmap, not both');
  if (opts.approvalFile) {
    const path = resolve(io.cwd, opts.approvalFile);
    try {
      readApprovalFile(path);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new UsageError(
        `--approval-file ${opts.approvalFile}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`,
      );
    }
    return { kind: 'file', path };
  }
  if (opts.configmap) {
    // Only an approval that is due needs the cluster: a Job whose pod has no token still verifies the rest.
    if (!settings.validation.approval || settings.generation === undefined) return undefined;
    const access = inClusterAccess(
      io.env,
      io.env.FLINK_CUTOVER_SERVICE_ACCOUNT_DIR ?? SERVICE_ACCOUNT_DIR,
      url('--kube-api', opts.kubeApi),
    );
    if (!access)
      throw new UsageError(
        `--configmap ${opts.configmap}: not running in a cluster (no KUBERNETES_SERVICE_HOST or service-account token); use --kube-api URL (e.g. kubectl proxy) or --approval-file FILE`,
      );
    const namespace = opts.namespace ?? settings.namespace ?? access.namespace;
    if (!namespace) throw new UsageError(`--configmap ${opts.configmap}: no namespace; pass --namespace`);
    return {
      kind: 'cluster',
      access,
      namespace,
      configMap: opts.configmap,
      statusConfigMap: `${opts.configmap}-status`,
    };
  }
  return undefined;
}

/** `flink-cutover verify`: poll a color's validation gates until they pass or time out. */
export function registerVerify(program: Command, io: CliIO): void {
  const cmd = program
    .command('verify')
    .description(COMMAND_DESCRIPTIONS.verify)
    .option('--spec <file>', 'the pipeline spec (BlueGreenPipeline YAML)')
    .option(
      '--validation-json <json>',
      'the settings as JSON instead of --spec (what the verify Job passes): {"pipeline","color","restUrl","activeColor","activeRestUrl","generation","validation":{...}}',
    )
    .option('--color <color>', 'the color to verify: blue or green (required with --spec)')
    .option(
      '--rest <url>',
      "the color's JobManager REST URL (default: the operator's service http://<deployment>-rest.<namespace>:8081)",
    )
    .option(
      '--active-rest <url>',
      "the active color's JobManager REST URL, for the watermark lag (default: its operator service)",
    )
    .option('--prometheus <url>', 'Prometheus base URL for prometheus checks that name no url')
    .option(
      '--timeout <duration>',
      "give up after this long, requests and retries included (default: max(validation.minRunning, (minCompletedCheckpoints + 1) x the color's execution.checkpointing.interval) + 10m)",
    )
    .option('--interval <duration>', 'pause between polls', '10s')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option(
      '--generation <n>',
      'the cutover generation an approval must name (default: spec.cutover.generation)',
    )
    .option(
      '--approval-file <file>',
      'read the approval from this ConfigMap (YAML or JSON): annotation flink-cutover.dev/approved-generation on the cutover ConfigMap, or key approvedGeneration in the status ConfigMap',
    )
    .option(
      '--configmap <name>',
      'read the approval from the cluster: ConfigMap NAME and NAME-status (in a pod: service-account token; else --kube-api)',
    )
    .option('--namespace <ns>', "namespace of --configmap (default: the pipeline's, else the pod's)")
    .option(
      '--kube-api <url>',
      'Kubernetes API URL for --configmap, e.g. http://127.0.0.1:8001 from kubectl proxy',
    )
    .option('--request-timeout <duration>', 'timeout of each HTTP request', '5s')
    .option(
      '--retries <n>',
      'retries of a request on connection errors, timeouts and 5xx (with backoff)',
      '2',
    )
    .addHelpText(
      'after',
      `
Exit codes: 0 every check passed, 1 a check failed (each failing check is listed with observed vs
expected; an unreachable JobManager, a 404 or a wrong response shape is named with its URL; also an
invalid --spec, reported as file:line diagnostics), 2 usage error (a bad flag, a missing --spec file, a
--color the pipeline does not run, an approval due with neither --approval-file nor --configmap).

Examples:
  flink-cutover verify --spec apps/pipelines/orders.yaml --color green \\
      --rest http://localhost:8082 --active-rest http://localhost:8081 --timeout 20m
  flink-cutover verify --format json --validation-json "$(cat settings.json)" --configmap orders-cutover`,
    );
  defineAction(cmd, async (opts: VerifyOpts) => {
    const { settings, checkpointInterval } = settingsFrom(opts, io);
    if (!settings.restUrl) throw new UsageError('no REST URL for the color: pass --rest URL');
    const intervalMs = duration('--interval', opts.interval);
    const timeoutMs =
      opts.timeout !== undefined
        ? duration('--timeout', opts.timeout)
        : defaultTimeoutMs(settings, checkpointInterval);
    const requestTimeoutMs = duration('--request-timeout', opts.requestTimeout);
    if (requestTimeoutMs <= 0)
      throw new UsageError(`--request-timeout ${opts.requestTimeout}: use a duration above 0, e.g. 5s`);
    if (!/^[0-9]+$/.test(opts.retries) || Number(opts.retries) > 10)
      throw new UsageError(`--retries ${opts.retries}: use an integer from 0 to 10`);
    // --timeout bounds the whole run: no retry starts past this deadline, and every request, body
    // included, is bounded by --request-timeout. The last poll gets one request's time.
    const deadline = Date.now() + timeoutMs + requestTimeoutMs;
    const found = approvalSource(opts, settings, io);
    if (!found && settings.validation.approval && settings.generation !== undefined)
      throw new UsageError(
        `${settings.pipeline}/${settings.color}: validation.approval is true and generation ${settings.generation} needs an approval, but no approval source is configured: pass --approval-file FILE (the cutover or status ConfigMap as YAML/JSON), or --configmap NAME to read ConfigMaps NAME and NAME-status from the cluster (in a pod with its service-account token, else with --kube-api URL, e.g. kubectl proxy)`,
      );
    const approval =
      found?.kind === 'cluster'
        ? { ...found, access: { ...found.access, timeoutMs: requestTimeoutMs, deadline } }
        : found;
    const http = { timeoutMs: requestTimeoutMs, retries: Number(opts.retries), deadline };
    const text = opts.format === 'text';
    if (text) {
      const show = (u: string) => withoutCredentials(u).url;
      io.out(
        `verifying ${settings.pipeline}/${settings.color} at ${show(settings.restUrl)}${settings.activeRestUrl ? ` (active ${settings.activeColor} at ${show(settings.activeRestUrl)})` : ''}, timeout ${formatDuration(timeoutMs)}, every ${formatDuration(intervalMs)}\n`,
      );
    }
    const outcome = await pollUntilVerified(settings, {
      timeoutMs,
      intervalMs,
      observe: (s) => observe(s, { http, ...(approval ? { approval } : {}) }),
      onPoll: text ? (p) => io.out(progressLine(p.elapsedMs, p.checks) + '\n') : undefined,
    });
    io.out(text ? formatText(settings, outcome) : formatJson(outcome));
    return outcome.passed ? 0 : 1;
  });
}
