import { ApiObject, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { containerResources, mebibytes, RESTRICTED_CONTAINER } from './container.js';
import { formatDuration, parseDuration } from '../spec/duration.js';
import { packageVersion } from '../spec/paths.js';
import type { Color, Pipeline } from '../spec/types.js';
import { checkpointIntervalMs, defaultTimeoutMs, settingsFromPipeline } from '../verify/settings.js';
import type { VerifySettings } from '../verify/types.js';
import { cutoverConfigMapName, pipelineAnnotations, pipelineLabels, statusConfigMapName } from './labels.js';

export const ANNOTATION_HOOK = 'argocd.argoproj.io/hook';
export const ANNOTATION_HOOK_DELETE_POLICY = 'argocd.argoproj.io/hook-delete-policy';
/**
 * The verify Job's ServiceAccount, Role and RoleBinding go when the sync operation ends, whatever
 * its outcome (the Job has finished by then), and before a new run creates them again.
 */
export const RBAC_DELETE_POLICY = 'BeforeHookCreation,HookSucceeded,HookFailed';
/** A succeeded verify Job goes when the sync ends; a failed one stays for its logs until its TTL. */
export const JOB_DELETE_POLICY = 'BeforeHookCreation,HookSucceeded';

/** The image the verify Job runs by default: built from the project's Dockerfile. */
export const DEFAULT_VERIFY_IMAGE_REPOSITORY = 'ghcr.io/flink-cutover/flink-cutover';

/** `ghcr.io/flink-cutover/flink-cutover:<version of this package>`. */
export function defaultVerifyImage(): string {
  return `${DEFAULT_VERIFY_IMAGE_REPOSITORY}:${packageVersion()}`;
}

/** CPU and memory of the verify container. */
export interface VerifyJobResources {
  /** @default "50m" */
  readonly cpuRequest?: string;
  /** @default "500m" */
  readonly cpuLimit?: string;
  /** @default "128Mi" */
  readonly memoryRequest?: string;
  /** @default "256Mi" */
  readonly memoryLimit?: string;
}

export interface VerifyJobProps {
  /** The validated pipeline (defaults applied). */
  readonly pipeline: Pipeline;
  /** The color to verify (the standby). */
  readonly standby: Color;
  /**
   * The Argo CD hook phase: `PostSync` while the standby is only staged (feedback on the stage
   * pull request), `PreSync` on the sync that carries a cutover (a failing standby then keeps the
   * cutover ConfigMap from being applied).
   */
  readonly hook: 'PreSync' | 'PostSync';
  /**
   * The container image running `flink-cutover verify` (see the project's Dockerfile).
   * @default `ghcr.io/flink-cutover/flink-cutover:<this package's version>`
   */
  readonly image?: string;
  /**
   * JobManager REST URLs per color, when not the operator's REST services.
   * @default `http://<deployment>-rest.<namespace>:<rest.port or 8081>` of each color
   */
  readonly restUrls?: Partial<Record<Color, string>>;
  /**
   * Prometheus base URL for the `prometheus` checks that name none.
   * @default none (such checks fail, naming the missing URL)
   */
  readonly prometheusUrl?: string;
  /**
   * How long `verify` polls before failing.
   * @default max(`validation.minRunning`, (`minCompletedCheckpoints` + 1) x the standby's checkpoint interval) + 10m
   */
  readonly timeout?: string;
  /**
   * Pause between polls.
   * @default "10s"
   */
  readonly interval?: string;
  /**
   * Container resources (requests and limits are always set).
   * @default requests 50m CPU / 128Mi, limits 500m CPU / 256Mi
   */
  readonly resources?: VerifyJobResources;
  /**
   * Pod retries of the Job (a failed verification is an answer, so none by default).
   * @default 0
   */
  readonly backoffLimit?: number;
  /**
   * How long a finished Job stays for its logs (`ttlSecondsAfterFinished`). A succeeded Job is
   * deleted by Argo CD right away (`HookSucceeded`); a failed one stays this long, then
   * Kubernetes deletes it, so none lingers after a teardown or an abandon.
   * @default "24h"
   */
  readonly keepFinishedFor?: string;
}

/**
 * The validation gate of a standby color: a `Job` `<name>-<standby>-verify` running
 * `flink-cutover verify` as an Argo CD hook (`BeforeHookCreation`), with its own ServiceAccount and
 * a Role/RoleBinding that can only get, list and watch `<name>-cutover` and
 * `<name>-cutover-status` (by resourceNames). The Job is self-contained in the cluster: the
 * validation settings and REST URLs travel in its args as `--validation-json`, the approval is
 * read from the cutover ConfigMaps through the API. Runs as non-root with a read-only root
 * filesystem, no privilege escalation, all capabilities dropped and resource limits.
 *
 * ```ts
 * new VerifyJob(chart, 'verify', { pipeline, standby: 'green', hook: 'PostSync' });
 * ```
 */
export class VerifyJob extends Construct {
  /** Name of the Job, ServiceAccount, Role and RoleBinding: `<name>-<standby>-verify`. */
  public readonly name: string;
  /** The settings serialized into the Job's `--validation-json`. */
  public readonly settings: VerifySettings;
  /** The image the Job runs. */
  public readonly image: string;
  /** The container args (after the `flink-cutover` command). */
  public readonly args: readonly string[];
  public readonly job: kplus.Job;
  public readonly serviceAccount: kplus.ServiceAccount;
  public readonly role: kplus.Role;
  public readonly roleBinding: kplus.RoleBinding;

  constructor(scope: Construct, id: string, props: VerifyJobProps) {
    super(scope, id);
    const p = props.pipeline;
    if (!p.spec.colors[props.standby])
      throw new Error(`VerifyJob: pipeline ${p.metadata.name} does not run ${props.standby}`);
    this.name = `${p.metadata.name}-${props.standby}-verify`;
    // Kubernetes labels the Job's pods with its name (batch.kubernetes.io/job-name), so a Job name
    // longer than 63 characters is refused when Argo CD applies it.
    if (this.name.length > 63) {
      throw new Error(
        `VerifyJob: the Job name ${this.name} has ${this.name.length} characters, more than the 63 Kubernetes allows for a Job; use a pipeline name of at most ${63 - `-${props.standby}-verify`.length} characters`,
      );
    }
    this.image = props.image ?? defaultVerifyImage();
    const restUrls = props.restUrls ?? {};
    const active = p.spec.active;
    this.settings = settingsFromPipeline(p, props.standby, {
      ...(restUrls[props.standby] ? { restUrl: restUrls[props.standby] } : {}),
      ...(restUrls[active] ? { activeRestUrl: restUrls[active] } : {}),
      ...(props.prometheusUrl ? { prometheusUrl: props.prometheusUrl } : {}),
    });
    const timeoutMs =
      props.timeout !== undefined
        ? parseDuration(props.timeout)
        : defaultTimeoutMs(this.settings, checkpointIntervalMs(p, props.standby));
    const interval = props.interval ?? '10s';
    parseDuration(interval);
    const namespace = p.metadata.namespace;
    this.args = [
      'verify',
      '--validation-json',
      JSON.stringify(this.settings),
      '--configmap',
      cutoverConfigMapName(p),
      ...(namespace ? ['--namespace', namespace] : []),
      '--timeout',
      formatDuration(timeoutMs),
      '--interval',
      interval,
      '--format',
      'text',
    ];

    const labels = pipelineLabels(p, 'verify', props.standby);
    const metadata = (wave: string, deletePolicy: string) => ({
      name: this.name,
      ...(namespace ? { namespace } : {}),
      labels,
      annotations: {
        ...pipelineAnnotations(p, wave),
        [ANNOTATION_HOOK]: props.hook,
        [ANNOTATION_HOOK_DELETE_POLICY]: deletePolicy,
      },
    });

    // Only the approval check reads the API (the cutover ConfigMaps): without it the pod gets no token.
    const needsApi = this.settings.validation.approval;
    // RBAC first (wave -1 within the hook phase): the Job's pod needs its ServiceAccount.
    this.serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: metadata('-1', RBAC_DELETE_POLICY),
      automountToken: needsApi,
    });
    this.role = new kplus.Role(this, 'Role', { metadata: metadata('-1', RBAC_DELETE_POLICY) });
    const configMap = (name: string): kplus.IApiResource => ({
      apiGroup: '',
      resourceType: 'configmaps',
      resourceName: name,
    });
    this.role.allowRead(configMap(cutoverConfigMapName(p)), configMap(statusConfigMapName(p)));
    this.roleBinding = new kplus.RoleBinding(this, 'RoleBinding', {
      metadata: metadata('-1', RBAC_DELETE_POLICY),
      role: this.role,
    });
    this.roleBinding.addSubjects(this.serviceAccount);

    const r = props.resources ?? {};
    const memoryLimit = mebibytes('VerifyJob', r.memoryLimit ?? '256Mi');
    // Node's heap within the container limit (3/4 of it; the rest is for Node itself).
    const heapMiB = Math.max(32, Math.floor(memoryLimit.toMebibytes() * 0.75));
    this.job = new kplus.Job(this, 'Job', {
      metadata: metadata('0', JOB_DELETE_POLICY),
      podMetadata: { labels },
      serviceAccount: this.serviceAccount,
      automountServiceAccountToken: needsApi,
      backoffLimit: props.backoffLimit ?? 0,
      // A little longer than verify's own timeout, so verify reports the verdict itself.
      activeDeadline: Duration.seconds(Math.ceil(timeoutMs / 1000) + 120),
      ttlAfterFinished: Duration.seconds(Math.ceil(parseDuration(props.keepFinishedFor ?? '24h') / 1000)),
      restartPolicy: kplus.RestartPolicy.NEVER,
      securityContext: { ensureNonRoot: true, user: 10001, group: 10001, fsGroup: 10001 },
      containers: [
        {
          name: 'verify',
          image: this.image,
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          command: ['flink-cutover'],
          args: [...this.args],
          envVariables: { NODE_OPTIONS: kplus.EnvValue.fromValue(`--max-old-space-size=${heapMiB}`) },
          securityContext: RESTRICTED_CONTAINER,
          resources: containerResources('VerifyJob', r, memoryLimit),
        },
      ],
    });
    // cdk8s-plus labels every pod template with a hash of the construct path
    // (cdk8s.io/metadata.addr) for selectors; a Job selects its pods by uid, so drop it and keep
    // the rendered manifest free of construct-path hashes.
    ApiObject.of(this.job).addJsonPatch(
      JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'),
    );
  }
}
