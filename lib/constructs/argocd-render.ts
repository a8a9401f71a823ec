import { App, Chart, Yaml } from 'cdk8s';
import { PipelineApplication } from './argocd-application.js';
import type { ArgoCdOptions } from './argocd-application.js';
import { ControllerApplication } from './argocd-controller-application.js';
import { FlinkDeploymentHealthCheck } from './argocd-health.js';
import { chartManifests } from './render.js';
import type { RenderedPipeline } from './render.js';

/** The folder inside the output folder that holds the Argo CD files. */
export const ARGOCD_DIR = 'argocd';
/** The `argocd-cm` patch with the FlinkDeployment health check. */
export const ARGOCD_CM_PATCH_FILE = `${ARGOCD_DIR}/argocd-cm.patch.yaml`;
/** One Application per pipeline. */
export const ARGOCD_APPLICATIONS_FILE = `${ARGOCD_DIR}/applications.yaml`;

/** One rendered file of the Argo CD folder. */
export interface RenderedFile {
  /** Path relative to the output folder, `/`-separated. */
  readonly fileName: string;
  readonly manifests: Record<string, unknown>[];
  readonly yaml: string;
}

const patchHeader = (dir: string) => `# Rendered by flink-cutover. Do not edit: run \`flink-cutover synth\`.
# Argo CD's health check for FlinkDeployments (Healthy only when the operator reconciled the current
# generation, the lifecycle is STABLE and the job RUNNING). Install it into Argo CD with:
#   kubectl -n argocd patch configmap argocd-cm --type merge --patch-file ${dir}/${ARGOCD_CM_PATCH_FILE}
# (or merge its data into your Argo CD installation's argocd-cm values). It needs no useOpenLibs.
`;

const applicationsHeader = (
  dir: string,
) => `# Rendered by flink-cutover from flink-cutover.yaml (argocd). Do not edit: run \`flink-cutover synth\`.
# One Argo CD Application per pipeline, each tracking only its pipeline's file. Apply once:
#   kubectl apply -n argocd -f ${dir}/${ARGOCD_APPLICATIONS_FILE}
`;

/**
 * The Argo CD files of a synth with `argocd` options: the `argocd-cm` patch and one Application
 * per pipeline. Deterministic: pipelines in their rendered order, no timestamps.
 */
export function renderArgoCd(
  rendered: readonly RenderedPipeline[],
  argocd: ArgoCdOptions | undefined,
  controller?: { readonly fileName: string; readonly namespace: string },
): RenderedFile[] {
  if (!argocd) return [];
  const app = new App({ outdir: '/nonexistent-not-written' });
  const health = new Chart(app, 'argocd-health', { disableResourceNameHashes: true });
  new FlinkDeploymentHealthCheck(health, 'Health', { argocdNamespace: argocd.namespace });
  const files: RenderedFile[] = [];
  const patch = chartManifests(health);
  files.push({
    fileName: ARGOCD_CM_PATCH_FILE,
    manifests: patch,
    yaml: patchHeader(argocd.path ?? 'dist') + Yaml.stringify(...patch),
  });
  {
    const chart = new Chart(app, 'argocd-applications', { disableResourceNameHashes: true });
    const names = new Map<string, string>();
    for (const r of rendered) {
      const a = new PipelineApplication(chart, r.fileName, {
        pipeline: r.pipeline,
        fileName: r.fileName,
        argocd,
      });
      const other = names.get(a.name);
      if (other)
        throw new Error(
          `the Argo CD Application ${a.name} would be rendered for both ${other} and ${r.fileName}; rename one pipeline`,
        );
      names.set(a.name, r.fileName);
    }
    if (controller && rendered.length > 0)
      new ControllerApplication(chart, 'controller', {
        fileName: controller.fileName,
        namespace: controller.namespace,
        argocd,
      });
    const apps = chartManifests(chart);
    if (apps.length > 0)
      files.push({
        fileName: ARGOCD_APPLICATIONS_FILE,
        manifests: apps,
        yaml: applicationsHeader(argocd.path ?? 'dist') + Yaml.stringify(...apps),
      });
  }
  return files;
}
