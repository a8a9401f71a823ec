import type { Color, Pipeline } from '../spec/types.js';

export const LABEL_PIPELINE = 'flink-cutover.dev/pipeline';
export const LABEL_COLOR = 'flink-cutover.dev/color';
/** `desired` on the `<name>-cutover` ConfigMap (the controller selects by it), `status` on the status map. */
export const LABEL_ROLE = 'flink-cutover.dev/role';
export const ANNOTATION_SYNC_WAVE = 'argocd.argoproj.io/sync-wave';

/** Sync wave of the cutover ConfigMap and RBAC: before the jobs, which read them at start. */
export const WAVE_CONTRACT = '-1';
/** Sync wave of the FlinkDeployments. */
export const WAVE_JOBS = '0';

/** Name of the desired-handover ConfigMap. */
export function cutoverConfigMapName(p: Pipeline): string {
  return `${p.metadata.name}-cutover`;
}

/** Name of the controller-owned status ConfigMap (never rendered). */
export function statusConfigMapName(p: Pipeline): string {
  return `${p.metadata.name}-cutover-status`;
}

/**
 * Labels of every rendered object: the pipeline's own labels (children inherit them, unlike the
 * operator's native blue/green: FLINK-41403), then ours, which win.
 */
export function pipelineLabels(p: Pipeline, component: string, color?: Color): Record<string, string> {
  const labels: Record<string, string> = {
    ...(p.metadata.labels ?? {}),
    'app.kubernetes.io/name': p.metadata.name,
    'app.kubernetes.io/part-of': p.metadata.name,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/managed-by': 'flink-cutover',
    [LABEL_PIPELINE]: p.metadata.name,
  };
  if (color) labels[LABEL_COLOR] = color;
  return labels;
}

/** Annotations flink-cutover keeps on the pipeline spec for itself (e.g. the last generation). */
export const OWN_ANNOTATION_PREFIX = 'flink-cutover.dev/';

/**
 * The pipeline's annotations plus the Argo CD sync wave. flink-cutover's own bookkeeping
 * annotations (`flink-cutover.dev/*`) stay on the spec: copying them would touch every rendered
 * object on each promotion step.
 */
export function pipelineAnnotations(p: Pipeline, wave: string): Record<string, string> {
  const own = Object.entries(p.metadata.annotations ?? {}).filter(
    ([k]) => !k.startsWith(OWN_ANNOTATION_PREFIX),
  );
  return { ...Object.fromEntries(own), [ANNOTATION_SYNC_WAVE]: wave };
}
