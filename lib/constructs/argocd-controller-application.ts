import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { ArgoCdOptions } from './argocd-application.js';
import { applicationSpec } from './argocd-application.js';

export interface ControllerApplicationProps {
  /** The controller's rendered file in the manifests folder, e.g. `flink-cutover-controller.k8s.yaml`. */
  readonly fileName: string;
  /** The namespace the controller runs in (its Deployment, ServiceAccount and Lease). */
  readonly namespace: string;
  readonly argocd: ArgoCdOptions;
  /**
   * The Application's name.
   * @default "flink-cutover-controller"
   */
  readonly name?: string;
}

/**
 * The Argo CD `Application` of the cutover controller: it tracks exactly the controller's rendered
 * file (its Deployment, RBAC for every pipeline namespace, metrics Service), syncs like the
 * pipelines' Applications (prune, `PruneLast`, no retry) and creates the controller's namespace.
 */
export class ControllerApplication extends Construct {
  /** The Application's name. */
  public readonly name: string;
  public readonly application: ApiObject;

  constructor(scope: Construct, id: string, props: ControllerApplicationProps) {
    super(scope, id);
    const a = props.argocd;
    this.name = props.name ?? 'flink-cutover-controller';
    this.application = new ApiObject(this, 'Application', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: this.name,
        namespace: a.namespace ?? 'argocd',
        labels: {
          'app.kubernetes.io/managed-by': 'flink-cutover',
          'app.kubernetes.io/component': 'controller',
        },
      },
      spec: applicationSpec(a, props.fileName, props.namespace, ['CreateNamespace=true']),
    });
  }
}
