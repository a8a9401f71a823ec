import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { Diagnostic } from '../spec/diagnostics.js';
import { loadPipelineDir } from '../spec/load.js';
import type { LoadedPipeline } from '../spec/load.js';
import { loadProjectConfig, PROJECT_CONFIG_FILE, projectConfigPath } from '../spec/project-config.js';
import type { ProjectConfig } from '../spec/project-config.js';
import { applicationNameClashes } from './argocd-application.js';
import { ARGOCD_DIR, renderArgoCd } from './argocd-render.js';
import { CONTROLLER_FILE, CONTROLLER_NAMESPACE, renderController, renderLoaded } from './render.js';
import type { RenderedPipeline } from './render.js';

export const RENDERED_SUFFIX = '.k8s.yaml';

export interface SynthOptions {
  /** Folder of BlueGreenPipeline specs. */
  readonly pipelinesDir: string;
  /** Folder the manifests go to (only its `*.k8s.yaml` files are managed). */
  readonly outDir: string;
  /** Compare instead of writing. */
  readonly check?: boolean;
  /**
   * The project configuration (verify image, Argo CD Applications).
   * @default read from `flink-cutover.yaml` in the project root, when it exists
   */
  readonly config?: ProjectConfig;
}

export interface SynthResult {
  /** Spec errors: when present, nothing was written. */
  readonly diagnostics: Diagnostic[];
  readonly rendered: RenderedPipeline[];
  /** Files written (or, with check, that would be). */
  readonly changed: string[];
  /** Stale files removed (or, with check, that would be). */
  readonly removed: string[];
  readonly unchanged: string[];
}

function projectRoot(dir: string): string {
  for (let d = dir; ; d = dirname(d)) {
    if (['.git', 'cdk8s.yaml', 'package.json'].some((m) => existsSync(join(d, m)))) return d;
    if (dirname(d) === d) return dirname(dir);
  }
}

/** The output folder cannot take the files (a file in its place, a folder where a file goes, read-only): nothing was written. */
export class SynthOutputError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'SynthOutputError';
  }
}

/**
 * Two rendered objects with one kind/namespace/name (e.g. a deploymentName equal to another
 * pipeline's FlinkDeployment): an error on the later spec, naming both files.
 */
export function collisions(
  rendered: readonly RenderedPipeline[],
  fileOf: (r: RenderedPipeline) => string,
): Diagnostic[] {
  const seen = new Map<string, RenderedPipeline>();
  const out: Diagnostic[] = [];
  for (const r of rendered) {
    const mine = new Set<string>();
    for (const m of r.manifests) {
      const meta = (m.metadata ?? {}) as { name?: string; namespace?: string };
      const group = String(m.apiVersion ?? '')
        .split('/')
        .slice(0, -1)
        .join('/');
      const id = `${m.kind}${group ? `.${group}` : ''} ${meta.namespace ?? r.pipeline.metadata.namespace ?? '(default namespace)'}/${meta.name}`;
      const prev = seen.get(id);
      if (prev && prev !== r && !mine.has(id)) {
        out.push({
          ruleId: 'schema',
          severity: 'error',
          pipeline: r.pipeline.metadata.name,
          file: fileOf(r),
          line: 0,
          column: 0,
          path: '/metadata/name',
          message: `${id} is rendered both by ${fileOf(prev)} (into ${prev.fileName}) and by ${fileOf(r)} (into ${r.fileName})`,
          fix: 'give one of them another name (metadata.name or colors.<color>.deploymentName) or another namespace',
        });
      }
      mine.add(id);
      if (!prev) seen.set(id, r);
    }
  }
  return out;
}

/** Checks, before anything is written, that every output path can be written. Throws SynthOutputError. */
function checkOutput(outDir: string, changed: readonly string[], removed: readonly string[]): void {
  // The nearest existing ancestor of the output folder must be a folder.
  let d = outDir;
  while (!existsSync(d) && dirname(d) !== d) d = dirname(d);
  let st;
  try {
    st = statSync(d);
  } catch (err) {
    throw new SynthOutputError(
      d,
      `${d}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    );
  }
  if (!st.isDirectory())
    throw new SynthOutputError(
      d,
      `${d} is a file, so the output folder ${outDir} cannot be created under it`,
    );
  for (const name of [...changed, ...removed]) {
    const path = join(outDir, name);
    let l;
    try {
      l = lstatSync(path);
    } catch {
      continue; // absent: written fresh
    }
    if (!l.isFile())
      throw new SynthOutputError(
        path,
        `${path} is ${l.isDirectory() ? 'a folder' : l.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'} where synth writes a rendered file: remove it`,
      );
  }
}

function existingRendered(outDir: string): string[] {
  const top = existsSync(outDir) ? readdirSync(outDir).filter((f) => f.endsWith(RENDERED_SUFFIX)) : [];
  const argocd = join(outDir, ARGOCD_DIR);
  const own = existsSync(argocd)
    ? readdirSync(argocd)
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => `${ARGOCD_DIR}/${f}`)
    : [];
  return [...top, ...own].sort();
}

/**
 * Renders every pipeline of `pipelinesDir` and writes one `*.k8s.yaml` per pipeline into `outDir`,
 * plus `flink-cutover-controller.k8s.yaml` (the CutoverController for all of them).
 * Everything is rendered and validated in memory first: on any error nothing in `outDir` changes.
 * Files are replaced by rename, so a reader never sees half a file; stale `*.k8s.yaml` files (of
 * removed pipelines) are deleted. Other files in `outDir` are left alone.
 */
export function synth(options: SynthOptions): SynthResult {
  // Name each spec relative to the project root (the nearest folder above the specs with .git,
  // cdk8s.yaml or package.json), so the rendered bytes depend neither on the directory synth runs
  // from nor on where the output goes.
  const base = projectRoot(resolve(options.pipelinesDir));
  let config = options.config;
  if (!config) {
    const loaded = loadProjectConfig(
      projectConfigPath(base),
      relative(process.cwd(), projectConfigPath(base)) || PROJECT_CONFIG_FILE,
    );
    if (!loaded.config)
      return { diagnostics: loaded.diagnostics, rendered: [], changed: [], removed: [], unchanged: [] };
    config = loaded.config;
  }
  const { pipelines, diagnostics } = loadPipelineDir(options.pipelinesDir);
  if (diagnostics.length > 0) return { diagnostics, rendered: [], changed: [], removed: [], unchanged: [] };
  const clashes = config.argocd ? applicationNameClashes(pipelines) : [];
  if (clashes.length > 0)
    return { diagnostics: clashes, rendered: [], changed: [], removed: [], unchanged: [] };
  const rendered = renderLoaded(
    pipelines,
    (lp) => relative(base, resolve(lp.file)).replace(/\\/g, '/'),
    config.verify,
  );
  const collided = collisions(
    rendered,
    (r) =>
      pipelines.find(
        (lp) =>
          lp.pipeline.metadata.name === r.pipeline.metadata.name &&
          lp.pipeline.metadata.namespace === r.pipeline.metadata.namespace,
      )?.file ?? r.fileName,
  );
  if (collided.length > 0)
    return { diagnostics: collided, rendered: [], changed: [], removed: [], unchanged: [] };
  const wanted = new Map(rendered.map((r) => [r.fileName, r.yaml]));
  // The controller that decides every pipeline's cutovers, in a file of its own.
  if (rendered.length > 0) {
    const controller = renderController(
      rendered.map((r) => r.pipeline),
      config.verify?.image ? { image: config.verify.image } : {},
    );
    wanted.set(controller.fileName, controller.yaml);
  }
  for (const f of renderArgoCd(rendered, config.argocd, {
    fileName: CONTROLLER_FILE,
    namespace: CONTROLLER_NAMESPACE,
  }))
    wanted.set(f.fileName, f.yaml);
  const changed: string[] = [];
  const unchanged: string[] = [];
  for (const [name, yaml] of wanted) {
    const path = join(options.outDir, name);
    let current: string | undefined;
    try {
      current = lstatSync(path).isFile() ? readFileSync(path, 'utf8') : undefined;
    } catch {
      current = undefined;
    }
    (current === yaml ? unchanged : changed).push(name);
  }
  const removed = existingRendered(options.outDir).filter((f) => !wanted.has(f));
  if (!options.check) {
    checkOutput(resolve(options.outDir), changed, removed);
    const temps: [string, string][] = [];
    try {
      mkdirSync(options.outDir, { recursive: true });
      for (const name of changed) {
        const dest = join(options.outDir, name);
        mkdirSync(dirname(dest), { recursive: true });
        const tmp = join(
          dirname(dest),
          `.${basename(dest)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
        );
        writeFileSync(tmp, wanted.get(name)!, { flag: 'wx' });
        temps.push([tmp, dest]);
      }
    } catch (err) {
      for (const [tmp] of temps) rmSync(tmp, { force: true });
      const e = err as NodeJS.ErrnoException;
      throw new SynthOutputError(
        options.outDir,
        `cannot write into ${options.outDir} (${e.code ?? e.message})${e.code === 'EACCES' || e.code === 'EROFS' ? ': the folder is read-only' : ''}; nothing was changed`,
      );
    }
    for (const [tmp, dest] of temps) renameSync(tmp, dest);
    for (const name of removed) rmSync(join(options.outDir, name), { force: true });
  }
  return { diagnostics: [], rendered, changed, removed, unchanged };
}

/**
 * Renders only `pipelines` (e.g. one a promotion command just edited, not written yet) into the
 * text `synth` writes for each of them in `outDir`, with the same project configuration and file
 * naming; writes nothing. Each file comes with whether the one in `outDir` differs. (The controller
 * and Argo CD files depend on the set of pipelines, not on one pipeline's colors or cutover.)
 */
export function renderPipelineFiles(options: {
  readonly pipelinesDir: string;
  readonly outDir: string;
  readonly pipelines: readonly LoadedPipeline[];
  readonly config?: ProjectConfig;
}): { diagnostics: Diagnostic[]; files: { name: string; yaml: string; changed: boolean }[] } {
  const base = projectRoot(resolve(options.pipelinesDir));
  let config = options.config;
  if (!config) {
    const loaded = loadProjectConfig(
      projectConfigPath(base),
      relative(process.cwd(), projectConfigPath(base)) || PROJECT_CONFIG_FILE,
    );
    if (!loaded.config) return { diagnostics: loaded.diagnostics, files: [] };
    config = loaded.config;
  }
  const rendered = renderLoaded(
    options.pipelines,
    (lp) => relative(base, resolve(lp.file)).replace(/\\/g, '/'),
    config.verify,
  );
  const files = rendered.map((r) => {
    const path = join(options.outDir, r.fileName);
    let current: string | undefined;
    try {
      current = lstatSync(path).isFile() ? readFileSync(path, 'utf8') : undefined;
    } catch {
      current = undefined;
    }
    return { name: r.fileName, yaml: r.yaml, changed: current !== r.yaml };
  });
  return { diagnostics: [], files };
}
