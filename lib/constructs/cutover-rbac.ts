import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { colorsOf, effectiveSpec } from '../spec/effective.js';
import type { Pipeline } from '../spec/types.js';
import {
  cutoverConfigMapName,
  pipelineAnnotations,
  pipelineLabels,
  statusConfigMapName,
  WAVE_CONTRACT,
} from './labels.js';

/** The service account the operator runs a job's pods as when the spec names none. */
export const DEFAULT_SERVICE_ACCOUNT = 'default';

export interface CutoverRbacProps {
  /** The validated pipeline (defaults applied). */
  readonly pipeline: Pipeline;
  /**
   * Service accounts allowed to read the two ConfigMaps.
   * @default the `serviceAccount` of every color's effective spec (`default` where unset)
   */
  readonly serviceAccounts?: readonly string[];
}

/**
 * Least-privilege RBAC for the jobs' gates: a Role `<name>-cutover-reader` allowing get, list and
 * watch on exactly `<name>-cutover` and `<name>-cutover-status` (by resourceNames), bound by the
 * RoleBinding of the same name to the jobs' service accounts. Sync wave -1.
 */
export class CutoverRbac extends Construct {
  /** Name of the Role and RoleBinding. */
  public readonly name: string;
  public readonly role: kplus.Role;
  public readonly binding: kplus.RoleBinding;
  /** The service accounts bound, sorted. */
  public readonly serviceAccounts: readonly string[];

  constructor(scope: Construct, id: string, props: CutoverRbacProps) {
    super(scope, id);
    const p = props.pipeline;
    this.name = `${p.metadata.name}-cutover-reader`;
    const namespace = p.metadata.namespace;
    const metadata = (component: string) => ({
      name: this.name,
      ...(namespace ? { namespace } : {}),
      labels: pipelineLabels(p, component),
      annotations: pipelineAnnotations(p, WAVE_CONTRACT),
    });
    this.role = new kplus.Role(this, 'Role', { metadata: metadata('cutover-rbac') });
    const configMap = (name: string): kplus.IApiResource => ({
      apiGroup: '',
      resourceType: 'configmaps',
      resourceName: name,
    });
    this.role.allowRead(configMap(cutoverConfigMapName(p)), configMap(statusConfigMapName(p)));

    const accounts =
      props.serviceAccounts ??
      colorsOf(p).map((c) => effectiveSpec(p, c).serviceAccount ?? DEFAULT_SERVICE_ACCOUNT);
    this.serviceAccounts = [...new Set(accounts)].sort();
    this.binding = new kplus.RoleBinding(this, 'Binding', {
      metadata: metadata('cutover-rbac'),
      role: this.role,
    });
    for (const sa of this.serviceAccounts) {
      this.binding.addSubjects(
        kplus.ServiceAccount.fromServiceAccountName(
          this,
          `Subject-${sa}`,
          sa,
          namespace ? { namespaceName: namespace } : {},
        ),
      );
    }
  }
}
