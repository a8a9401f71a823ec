import { ApiObject, App, Chart } from 'cdk8s';
import type { IConstruct } from 'constructs';
import type { LoadedPipeline } from '../spec/load.js';
import type { Color, Pipeline } from '../spec/types.js';
import { CONTROLLER_NAME, CutoverController } from './cutover-controller.js';
import type { CutoverControllerProps } from './cutover-controller.js';
import { emitYaml } from './emit-yaml.js';
import { FlinkBlueGreenPipeline } from './pipeline.js';
import type { FlinkBlueGreenPipelineProps } from './pipeline.js';

/** One pipeline rendered to Kubernetes objects. */
export interface RenderedPipeline {
  readonly pipeline: Pipeline;
  /** The file it is written to in the output folder: `[<namespace>.]<name>.k8s.yaml`. */
  readonly fileName: string;
  /** The API objects, in apply order, as plain JSON. */
  readonly manifests: Record<string, unknown>[];
  /** The file's content. */
  readonly yaml: string;
}

export interface RenderOptions {
  /** The spec file, named in the rendered file's header and in errors. */
  readonly sourceFile?: string;
  readonly restUrls?: Partial<Record<Color, string>>;
  /**
   * Options of the standby's verify Job (e.g. its image, from the project configuration).
   * @default the VerifyJob defaults
   */
  readonly verify?: FlinkBlueGreenPipelineProps['verify'];
}

/** `[<namespace>.]<name>.k8s.yaml` (namespaces cannot contain dots, so this never collides). */
export function renderedFileName(p: Pipeline): string {
  return `${p.metadata.namespace ? `${p.metadata.namespace}.` : ''}${p.metadata.name}.k8s.yaml`;
}

/**
 * The chart's API objects as JSON, in construct order. `Chart.toJson()` re-resolves and
 * re-validates the whole App on every call (quadratic over many charts); render validates the App
 * once and then serializes each chart with this.
 */
export function chartManifests(chart: Chart): Record<string, unknown>[] {
  return chart.node
    .findAll()
    .filter((c): c is ApiObject => ApiObject.isApiObject(c))
    .map((o) => o.toJson() as Record<string, unknown>);
}

function validateTree(root: IConstruct): string[] {
  const errors: string[] = [];
  for (const c of root.node.findAll()) {
    for (const message of c.node.validate()) errors.push(`${c.node.path}: ${message}`);
  }
  return errors;
}

function header(source: string | undefined): string {
  const from = source ? ` from ${source.replace(/\\/g, '/')}` : '';
  return `# Rendered by flink-cutover${from}. Do not edit: change the pipeline spec and run \`flink-cutover synth\`.\n`;
}

/**
 * Renders pipelines (validated specs or raw objects) in one cdk8s App, a Chart per pipeline.
 * Throws a DiagnosticError for an invalid spec and an Error for a failed construct validation.
 */
export function renderPipelines(
  inputs: readonly { spec: unknown; options?: RenderOptions }[],
): RenderedPipeline[] {
  const app = new App({ outdir: '/nonexistent-not-written' });
  const built: { construct: FlinkBlueGreenPipeline; chart: Chart; options?: RenderOptions }[] = [];
  for (const { spec, options } of inputs) {
    const meta = (spec as { metadata?: { name?: unknown; namespace?: unknown } })?.metadata;
    const id = `${typeof meta?.namespace === 'string' ? meta.namespace + '.' : ''}${typeof meta?.name === 'string' ? meta.name : 'pipeline'}`;
    if (app.node.tryFindChild(id)) throw new Error(`pipeline ${id} is rendered twice`);
    const chart = new Chart(app, id, { disableResourceNameHashes: true });
    const construct = new FlinkBlueGreenPipeline(chart, 'Pipeline', {
      spec,
      file: options?.sourceFile ?? `<${id}>`,
      restUrls: options?.restUrls,
      verify: options?.verify,
    });
    built.push({ construct, chart, options });
  }
  const errors = validateTree(app);
  if (errors.length > 0) throw new Error(`validation failed:\n${errors.join('\n')}`);
  return built.map(({ construct, chart, options }) => {
    const manifests = chartManifests(chart);
    return {
      pipeline: construct.pipeline,
      fileName: renderedFileName(construct.pipeline),
      manifests,
      yaml: header(options?.sourceFile) + emitYaml(...manifests),
    };
  });
}

function chartId(spec: unknown): string {
  const meta = (spec as { metadata?: { name?: unknown; namespace?: unknown } })?.metadata;
  return `${typeof meta?.namespace === 'string' ? meta.namespace + '.' : ''}${typeof meta?.name === 'string' ? meta.name : 'pipeline'}`;
}

/**
 * Renders pipelines one at a time, each in an App of its own, handing each result to `each` and
 * keeping none: the memory of a synth of thousands of pipelines is that of one. Same objects and
 * bytes as renderPipelines, and the same errors (a DiagnosticError for an invalid spec, an Error
 * for a failed construct validation or a pipeline given twice).
 */
export function renderEach(
  inputs: Iterable<{ spec: unknown; options?: RenderOptions }>,
  each: (r: RenderedPipeline) => void,
): void {
  const ids = new Set<string>();
  for (const { spec, options } of inputs) {
    const id = chartId(spec);
    if (ids.has(id)) throw new Error(`pipeline ${id} is rendered twice`);
    ids.add(id);
    each(renderAlone(spec, options));
  }
}

function renderAlone(spec: unknown, options: RenderOptions | undefined): RenderedPipeline {
  const id = chartId(spec);
  const app = new App({ outdir: '/nonexistent-not-written' });
  const chart = new Chart(app, id, { disableResourceNameHashes: true });
  const construct = new FlinkBlueGreenPipeline(chart, 'Pipeline', {
    spec,
    file: options?.sourceFile ?? `<${id}>`,
    restUrls: options?.restUrls,
    verify: options?.verify,
  });
  const errors = validateTree(app);
  if (errors.length > 0) throw new Error(`validation failed:\n${errors.join('\n')}`);
  const manifests = chartManifests(chart);
  return {
    pipeline: construct.pipeline,
    fileName: renderedFileName(construct.pipeline),
    manifests,
    yaml: header(options?.sourceFile) + emitYaml(...manifests),
  };
}

/** Renders one pipeline. */
export function renderPipeline(spec: unknown, options?: RenderOptions): RenderedPipeline {
  return renderPipelines([{ spec, options }])[0]!;
}

/**
 * Renders loaded pipelines (the CLI's path); `sourceName` names each spec in its file's header.
 * @default the file as loaded
 */
export function renderLoaded(
  loaded: readonly LoadedPipeline[],
  sourceName: (lp: LoadedPipeline) => string = (lp) => lp.file,
  verify?: RenderOptions['verify'],
): RenderedPipeline[] {
  return renderPipelines(
    loaded.map((lp) => ({
      spec: lp.pipeline,
      options: { sourceFile: sourceName(lp), ...(verify ? { verify } : {}) },
    })),
  );
}

/** The controller's file in the output folder. */
export const CONTROLLER_FILE = `${CONTROLLER_NAME}.k8s.yaml`;
/** The namespace the rendered controller runs in. */
export const CONTROLLER_NAMESPACE = 'flink-cutover-system';

/** Renders the CutoverController for `pipelines` (its own chart and file). */
export function renderController(
  pipelines: readonly Pipeline[],
  props: Partial<CutoverControllerProps> = {},
): { fileName: string; manifests: Record<string, unknown>[]; yaml: string } {
  const app = new App({ outdir: '/nonexistent-not-written' });
  const chart = new Chart(app, CONTROLLER_NAME, { disableResourceNameHashes: true });
  const list = [...pipelines].map((p) => ({
    name: p.metadata.name,
    ...(p.metadata.namespace ? { namespace: p.metadata.namespace } : {}),
  }));
  list.sort((a, b) => `${a.namespace ?? ''}/${a.name}`.localeCompare(`${b.namespace ?? ''}/${b.name}`));
  new CutoverController(chart, 'Controller', { namespace: CONTROLLER_NAMESPACE, pipelines: list, ...props });
  const errors = validateTree(app);
  if (errors.length > 0) throw new Error(`validation failed:\n${errors.join('\n')}`);
  const manifests = chartManifests(chart);
  const head =
    '# Rendered by flink-cutover: the cutover controller for every pipeline. Do not edit: run `flink-cutover synth`.\n';
  return { fileName: CONTROLLER_FILE, manifests, yaml: head + emitYaml(...manifests) };
}
