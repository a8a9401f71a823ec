import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { packageRoot } from '../spec/paths.js';

/** The `argocd-cm` key Argo CD reads a custom health check of FlinkDeployments from. */
export const FLINK_DEPLOYMENT_HEALTH_KEY = 'resource.customizations.health.flink.apache.org_FlinkDeployment';

/** Where the health script lives in the package (shipped by `npm pack`, see package.json `files`). */
export function flinkDeploymentHealthScriptPath(): string {
  return join(packageRoot(), 'lib', 'constructs', 'argocd', 'flinkdeployment-health.lua');
}

/** The health script, read from the package at synth time. */
export function flinkDeploymentHealthScript(): string {
  return readFileSync(flinkDeploymentHealthScriptPath(), 'utf8');
}

export interface FlinkDeploymentHealthCheckProps {
  /**
   * Namespace Argo CD runs in (the one holding its `argocd-cm`).
   * @default "argocd"
   */
  readonly argocdNamespace?: string;
  /**
   * The Lua script.
   * @default the script shipped with flink-cutover (lib/constructs/argocd/flinkdeployment-health.lua)
   */
  readonly script?: string;
}

/**
 * Argo CD's health check for `flink.apache.org/FlinkDeployment` as a patch of the `argocd-cm`
 * ConfigMap (apply it with `kubectl patch configmap argocd-cm -n argocd --patch-file ...`, or
 * merge its `data` into the Argo CD installation's values). Healthy only when the operator has
 * reconciled the current generation, the lifecycle is STABLE and the job RUNNING; the script
 * runs without Lua's string library, as Argo CD runs it by default.
 *
 * ```ts
 * new FlinkDeploymentHealthCheck(chart, 'health');
 * ```
 */
export class FlinkDeploymentHealthCheck extends Construct {
  /** The Lua source rendered into the patch. */
  public readonly script: string;
  public readonly configMap: ApiObject;

  constructor(scope: Construct, id: string, props: FlinkDeploymentHealthCheckProps = {}) {
    super(scope, id);
    this.script = props.script ?? flinkDeploymentHealthScript();
    this.configMap = new ApiObject(this, 'ArgocdCm', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'argocd-cm',
        namespace: props.argocdNamespace ?? 'argocd',
        labels: { 'app.kubernetes.io/name': 'argocd-cm', 'app.kubernetes.io/part-of': 'argocd' },
      },
      data: { [FLINK_DEPLOYMENT_HEALTH_KEY]: this.script },
    });
  }
}
