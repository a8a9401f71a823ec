import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { containerResources, mebibytes, RESTRICTED_CONTAINER } from './container.js';
import { defaultVerifyImage } from './verify-job.js';

/** The name of the controller's Deployment, ServiceAccount, RBAC objects, Service and Lease. */
export const CONTROLLER_NAME = 'flink-cutover-controller';

/**
 * Node flags of the controller container: a small old space (the live set is small; without a
 * limit V8 lets garbage grow towards the container limit) and smaller code.
 */
export const CONTROLLER_NODE_FLAGS = '--max-old-space-size=64 --optimize-for-size';

/** A pipeline the controller decides for: its status map is the only ConfigMap it may update. */
export interface ControlledPipeline {
  readonly name: string;
  /** @default the controller's namespace */
  readonly namespace?: string;
}

/** CPU and memory of the controller container. */
export interface CutoverControllerResources {
  /** @default "50m" */
  readonly cpuRequest?: string;
  /** @default "500m" */
  readonly cpuLimit?: string;
  /** @default "128Mi" */
  readonly memoryRequest?: string;
  /** @default "256Mi" */
  readonly memoryLimit?: string;
}

export interface CutoverControllerProps {
  /** The namespace the controller runs in (its Deployment, ServiceAccount, Lease and Service). */
  readonly namespace: string;
  /** The pipelines whose `<name>-cutover-status` it writes (RBAC by resourceNames). */
  readonly pipelines: readonly ControlledPipeline[];
  /**
   * The container image (the project's Dockerfile image, as the verify Job's).
   * @default `ghcr.io/flink-cutover/flink-cutover:<this package's version>`
   */
  readonly image?: string;
  /**
   * Replicas; with more than one they elect a leader through the Lease.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * How often a pipeline with an open cutover is looked at.
   * @default "10s"
   */
  readonly interval?: string;
  /**
   * Port of /metrics, /healthz and /readyz.
   * @default 9090
   */
  readonly metricsPort?: number;
  /**
   * Container resources (requests and limits are always set).
   * @default requests 50m CPU / 128Mi, limits 500m CPU / 256Mi
   */
  readonly resources?: CutoverControllerResources;
}

/**
 * The cutover controller in the cluster: a Deployment of `flink-cutover controller
 * --all-namespaces --leader-elect` (two replicas by default, one leader), non-root with a read-only
 * root filesystem, no privilege escalation, all capabilities dropped, resources and probes; its
 * ServiceAccount; least-privilege RBAC: read ConfigMaps and FlinkDeployments everywhere (a
 * ClusterRole; list and watch cannot be narrowed by name), and per pipeline namespace a Role that
 * may create ConfigMaps and Events (create cannot be restricted by resourceName) and update only
 * the `<name>-cutover-status` maps by name; in its own namespace a Role for its Lease (update by
 * name); and a Service for the metrics port.
 *
 * ```ts
 * new CutoverController(chart, 'controller', { namespace: 'flink-cutover-system', pipelines: [{ name: 'orders', namespace: 'streaming' }] });
 * ```
 */
export class CutoverController extends Construct {
  public readonly image: string;
  public readonly args: readonly string[];
  public readonly deployment: kplus.Deployment;
  public readonly serviceAccount: kplus.ServiceAccount;
  public readonly clusterRole: kplus.ClusterRole;
  public readonly roles: readonly kplus.Role[];
  public readonly service: kplus.Service;

  constructor(scope: Construct, id: string, props: CutoverControllerProps) {
    super(scope, id);
    const ns = props.namespace;
    const port = props.metricsPort ?? 9090;
    this.image = props.image ?? defaultVerifyImage();
    const labels = {
      'app.kubernetes.io/name': CONTROLLER_NAME,
      'app.kubernetes.io/component': 'controller',
      'app.kubernetes.io/managed-by': 'flink-cutover',
    };
    const meta = (namespace: string | null = ns) => ({
      name: CONTROLLER_NAME,
      ...(namespace ? { namespace } : {}),
      labels,
    });
    this.args = [
      'controller',
      '--all-namespaces',
      '--leader-elect',
      '--lease-namespace',
      ns,
      '--lease-name',
      CONTROLLER_NAME,
      '--interval',
      props.interval ?? '10s',
      '--metrics-port',
      String(port),
    ];

    this.serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: meta(),
      automountToken: true,
    });

    // Reads everywhere: list and watch cannot be narrowed by name.
    this.clusterRole = new kplus.ClusterRole(this, 'Reader', { metadata: meta(null) });
    // cdk8s-plus renders `resourceNames: []` for a ClusterRole's rules, which the API server drops:
    // Argo CD would then show the ClusterRole OutOfSync forever.
    this.clusterRole.allowRead(
      kplus.ApiResource.CONFIG_MAPS,
      kplus.ApiResource.custom({ apiGroup: 'flink.apache.org', resourceType: 'flinkdeployments' }),
    );
    for (const i of [0, 1])
      ApiObject.of(this.clusterRole).addJsonPatch(JsonPatch.remove(`/rules/${i}/resourceNames`));
    const crb = new kplus.ClusterRoleBinding(this, 'ReaderBinding', {
      metadata: meta(null),
      role: this.clusterRole,
    });
    crb.addSubjects(this.serviceAccount);

    // Writes, per pipeline namespace: the status maps by name; create of ConfigMaps and Events.
    const byNamespace = new Map<string, string[]>();
    for (const p of props.pipelines) {
      const pns = p.namespace ?? ns;
      byNamespace.set(pns, [...(byNamespace.get(pns) ?? []), `${p.name}-cutover-status`]);
    }
    const roles: kplus.Role[] = [];
    for (const [pns, names] of [...byNamespace].sort(([a], [b]) => a.localeCompare(b))) {
      const role = new kplus.Role(this, `Writer-${pns}`, { metadata: meta(pns) });
      role.allow(
        ['create'],
        { apiGroup: '', resourceType: 'configmaps' },
        { apiGroup: '', resourceType: 'events' },
      );
      role.allow(
        ['update', 'patch'],
        ...[...names].sort().map((n) => ({ apiGroup: '', resourceType: 'configmaps', resourceName: n })),
      );
      const rb = new kplus.RoleBinding(this, `WriterBinding-${pns}`, { metadata: meta(pns), role });
      rb.addSubjects(this.serviceAccount);
      roles.push(role);
    }
    // Its Lease: create (not restrictable by name), get and update it by name.
    const leaseRole = new kplus.Role(this, 'Lease', {
      metadata: { ...meta(), name: `${CONTROLLER_NAME}-lease` },
    });
    leaseRole.allow(['create'], { apiGroup: 'coordination.k8s.io', resourceType: 'leases' });
    leaseRole.allow(['get', 'update'], {
      apiGroup: 'coordination.k8s.io',
      resourceType: 'leases',
      resourceName: CONTROLLER_NAME,
    });
    const lrb = new kplus.RoleBinding(this, 'LeaseBinding', {
      metadata: { ...meta(), name: `${CONTROLLER_NAME}-lease` },
      role: leaseRole,
    });
    lrb.addSubjects(this.serviceAccount);
    roles.push(leaseRole);
    this.roles = roles;

    const r = props.resources ?? {};
    const memoryLimit = mebibytes('CutoverController', r.memoryLimit ?? '256Mi');
    const probe = (path: string) => kplus.Probe.fromHttpGet(path, { port });
    this.deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: meta(),
      replicas: props.replicas ?? 2,
      select: false,
      podMetadata: { labels },
      serviceAccount: this.serviceAccount,
      automountServiceAccountToken: true,
      securityContext: { ensureNonRoot: true, user: 10001, group: 10001, fsGroup: 10001 },
      containers: [
        {
          name: 'controller',
          image: this.image,
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          command: ['flink-cutover'],
          args: [...this.args],
          ports: [{ name: 'metrics', number: port }],
          envVariables: {
            NODE_OPTIONS: kplus.EnvValue.fromValue(CONTROLLER_NODE_FLAGS),
            POD_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME),
            POD_NAMESPACE: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE),
          },
          liveness: probe('/healthz'),
          readiness: probe('/readyz'),
          securityContext: RESTRICTED_CONTAINER,
          resources: containerResources('CutoverController', r, memoryLimit),
        },
      ],
    });
    this.deployment.select(kplus.LabelSelector.of({ labels: { 'app.kubernetes.io/name': CONTROLLER_NAME } }));
    // No construct-path hash label on the pods: selectors use the stable name label.
    ApiObject.of(this.deployment).addJsonPatch(
      JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'),
    );
    // A zero the API server drops (omitempty): rendered, Argo CD would show the Deployment OutOfSync.
    ApiObject.of(this.deployment).addJsonPatch(JsonPatch.remove('/spec/minReadySeconds'));

    this.service = new kplus.Service(this, 'Service', {
      metadata: meta(),
      ports: [{ name: 'metrics', port, targetPort: port }],
    });
    this.service.selectLabel('app.kubernetes.io/name', CONTROLLER_NAME);
    ApiObject.of(this.service).addJsonPatch(JsonPatch.remove('/spec/externalIPs'));
  }
}
