import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { Diagnostic } from '../spec/diagnostics.js';
import type { LoadedPipeline } from '../spec/load.js';
import { positionOf } from '../spec/yaml-source.js';
import type { Pipeline } from '../spec/types.js';
import { LABEL_PIPELINE } from './labels.js';

/** Where the Applications find the rendered manifests, and how they sync. */
export interface ArgoCdOptions {
  /** The git repository holding the rendered manifests (the GitOps repo). */
  readonly repoURL: string;
  /**
   * Branch, tag or commit Argo CD follows.
   * @default "HEAD"
   */
  readonly targetRevision?: string;
  /**
   * Folder of the rendered manifests in that repository.
   * @default "dist"
   */
  readonly path?: string;
  /**
   * Argo CD project of the Applications.
   * @default "default"
   */
  readonly project?: string;
  /**
   * Namespace Argo CD runs in (the Applications go there).
   * @default "argocd"
   */
  readonly namespace?: string;
  /**
   * The cluster the pipelines run in.
   * @default "https://kubernetes.default.svc"
   */
  readonly destinationServer?: string;
  /**
   * Namespace for pipelines that name none.
   * @default "default"
   */
  readonly defaultNamespace?: string;
  /**
   * Sync on every commit (with prune, so a teardown removes the old color) instead of by hand.
   * @default true
   */
  readonly automated?: boolean;
  /**
   * Revert changes made in the cluster by hand (only with `automated`).
   * @default false
   */
  readonly selfHeal?: boolean;
}

export interface PipelineApplicationProps {
  /** The validated pipeline. */
  readonly pipeline: Pipeline;
  /** The pipeline's rendered file in the manifests folder, e.g. `streaming.orders.k8s.yaml`. */
  readonly fileName: string;
  readonly argocd: ArgoCdOptions;
}

/** `[<namespace>-]<name>`: the Application of a pipeline. */
export function applicationName(p: Pipeline): string {
  return `${p.metadata.namespace ? `${p.metadata.namespace}-` : ''}${p.metadata.name}`;
}

/**
 * Pipelines whose Applications would share a name (`a-b`/`c` and `a`/`b-c` both give `a-b-c`):
 * one error per later pipeline, at its `metadata.name` (pure).
 */
export function applicationNameClashes(loaded: readonly LoadedPipeline[]): Diagnostic[] {
  const seen = new Map<string, LoadedPipeline>();
  const out: Diagnostic[] = [];
  for (const lp of loaded) {
    const name = applicationName(lp.pipeline);
    const first = seen.get(name);
    if (!first) {
      seen.set(name, lp);
      continue;
    }
    const pos = positionOf(lp.source, '/metadata/name');
    out.push({
      ruleId: 'argocd-application-name',
      severity: 'error',
      pipeline: lp.pipeline.metadata.name,
      file: lp.file,
      line: pos.line,
      column: pos.column,
      path: '/metadata/name',
      message: `its Argo CD Application would be named ${name}, like the one of ${first.file}`,
      fix: 'rename one of the two pipelines (the Application is named <namespace>-<name>)',
    });
  }
  return out;
}

/**
 * The spec of an Application that tracks exactly one rendered file of the manifests folder and
 * syncs it with prune and `PruneLast` (the old color goes last), never retrying (a failed verify
 * hook is an answer, not a flake to run again).
 */
export function applicationSpec(
  a: ArgoCdOptions,
  include: string,
  namespace: string,
  extraSyncOptions: readonly string[] = [],
): Record<string, unknown> {
  return {
    project: a.project ?? 'default',
    source: {
      repoURL: a.repoURL,
      targetRevision: a.targetRevision ?? 'HEAD',
      path: a.path ?? 'dist',
      directory: { include, recurse: false },
    },
    destination: { server: a.destinationServer ?? 'https://kubernetes.default.svc', namespace },
    syncPolicy: {
      ...((a.automated ?? true) ? { automated: { prune: true, selfHeal: a.selfHeal ?? false } } : {}),
      syncOptions: ['PruneLast=true', ...extraSyncOptions],
    },
  };
}

/**
 * One Argo CD `Application` per pipeline, tracking exactly the pipeline's rendered file (a
 * directory source with `include`), so nothing else in the folder, and never the
 * controller-owned `<name>-cutover-status` ConfigMap (it is not rendered), belongs to it. The
 * objects keep their sync waves as rendered (contract ConfigMap and RBAC in wave -1, the
 * FlinkDeployments in wave 0, the verify Job as a PreSync/PostSync hook); `PruneLast=true` removes
 * the torn-down color only after everything else is applied and healthy. No resources finalizer:
 * deleting the Application leaves the running jobs alone.
 *
 * ```ts
 * new PipelineApplication(chart, 'orders', { pipeline, fileName: 'orders.k8s.yaml', argocd: { repoURL } });
 * ```
 */
export class PipelineApplication extends Construct {
  /** The Application's name. */
  public readonly name: string;
  public readonly application: ApiObject;

  constructor(scope: Construct, id: string, props: PipelineApplicationProps) {
    super(scope, id);
    const p = props.pipeline;
    const a = props.argocd;
    this.name = applicationName(p);
    if (this.name.length > 253)
      throw new Error(`PipelineApplication: the name ${this.name} is longer than 253 characters`);
    this.application = new ApiObject(this, 'Application', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: this.name,
        namespace: a.namespace ?? 'argocd',
        labels: { 'app.kubernetes.io/managed-by': 'flink-cutover', [LABEL_PIPELINE]: p.metadata.name },
      },
      spec: applicationSpec(a, props.fileName, p.metadata.namespace ?? a.defaultNamespace ?? 'default'),
    });
  }
}
