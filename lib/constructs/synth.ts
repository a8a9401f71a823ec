import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  realpathSync,
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
import { ARGOCD_APPLICATIONS_FILE, ARGOCD_CM_PATCH_FILE, ARGOCD_DIR, renderArgoCd } from './argocd-render.js';
import {
  CONTROLLER_FILE,
  CONTROLLER_NAMESPACE,
  renderController,
  renderEach,
  renderLoaded,
  renderedFileName,
  renderPipeline,
} from './render.js';
import type { RenderedPipeline, RenderOptions } from './render.js';

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
  /**
   * With `check`: the commit (any git revision) whose output is trusted, because it was checked
   * when it was made (for a pull request: the merge base with the branch it merges into). Pipelines
   * whose spec and rendered file are unchanged since it are not rendered (see knownOutput).
   * @default none: every pipeline is rendered
   */
  readonly trustedBase?: string;
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
  return collisionsOf(rendered, (r) => r.manifests, fileOf);
}

function collisionsOf(
  rendered: readonly RenderedPipeline[],
  objectsOf: (r: RenderedPipeline) => readonly Record<string, unknown>[],
  fileOf: (r: RenderedPipeline) => string,
): Diagnostic[] {
  const seen = new Map<string, RenderedPipeline>();
  const out: Diagnostic[] = [];
  for (const r of rendered) {
    const mine = new Set<string>();
    for (const m of objectsOf(r)) {
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

/** The output folder's files a synth may take over from the last commit that changed it. */
export interface KnownOutput {
  /** Spec files (absolute) whose rendered files need no render: they are as committed. */
  readonly specs: ReadonlySet<string>;
  /** Rendered files (names in the output folder) as committed. */
  readonly files: ReadonlySet<string>;
  /** Every file of the output folder in that commit (changed since or not). */
  readonly committed: ReadonlySet<string>;
}

/**
 * What `synth --check` need not render, from git: when nothing but spec files and rendered files
 * differs from the trusted commit `base` (no other file, no configuration, no lock file, no code),
 * a spec file unchanged since that commit renders what its rendered file held then, and that file
 * is unchanged too. Only a commit checked when it was made may be trusted (the merge base of a pull
 * request, never the commit being checked: its rendered files may have been edited by hand).
 * Undefined (render everything) when unsure: not a git repository, no such commit, anything else
 * changed, or git failing.
 */
export function knownOutput(pipelinesDir: string, outDir: string, base: string): KnownOutput | undefined {
  const run = (cwd: string, args: string[]): string =>
    execFileSync('git', args, {
      cwd,
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 256 * 1024 * 1024,
    }).toString();
  try {
    const pipes = resolve(pipelinesDir);
    const out = resolve(outDir);
    if (!existsSync(out)) return undefined;
    const top = realpathSync(run(pipes, ['rev-parse', '--show-toplevel']).trim());
    const rel = (abs: string) => relative(top, realpathSync(abs)).replace(/\\/g, '/');
    const relPipes = rel(pipes);
    const relOut = rel(out);
    if (relPipes.startsWith('..') || relOut.startsWith('..') || relOut === '' || relPipes === '')
      return undefined;
    const commit = run(top, ['rev-parse', '--verify', '--quiet', `${base}^{commit}`]).trim();
    if (!/^[0-9a-f]{40,64}$/.test(commit)) return undefined;
    const changed = [
      ...run(top, ['diff', '--name-only', '-z', '--no-renames', commit, '--']).split('\0'),
      ...run(top, ['ls-files', '--others', '--exclude-standard', '-z']).split('\0'),
    ].filter(Boolean);
    const inside = (f: string, dir: string) =>
      f.startsWith(dir + '/') && !f.slice(dir.length + 1).includes('/');
    const changedSpecs = new Set<string>();
    const changedFiles = new Set<string>();
    for (const f of changed) {
      if (inside(f, relPipes)) changedSpecs.add(f.slice(relPipes.length + 1));
      else if (f.startsWith(relOut + '/')) changedFiles.add(f.slice(relOut.length + 1));
      else return undefined; // anything else changed: the output may differ everywhere
    }
    const committed = (dir: string) =>
      run(top, ['ls-tree', '-r', '--name-only', '-z', commit, '--', dir + '/'])
        .split('\0')
        .filter(Boolean)
        .map((f) => f.slice(dir.length + 1));
    const specs = new Set(
      committed(relPipes)
        .filter((f) => !f.includes('/') && !changedSpecs.has(f))
        .map((f) => join(pipes, f)),
    );
    const inOut = committed(relOut);
    const files = new Set(inOut.filter((f) => !changedFiles.has(f)));
    return { specs, files, committed: new Set(inOut) };
  } catch {
    return undefined;
  }
}

/** Whether the pipelines render the per-pipeline files of the known commit, no more and no fewer. */
function sameSetAsCommitted(known: KnownOutput, rendered: readonly RenderedPipeline[]): boolean {
  const now = new Set(rendered.map((r) => r.fileName));
  if (now.size !== rendered.length || now.has(CONTROLLER_FILE)) return false;
  const then = [...known.committed].filter(
    (f) => f.endsWith(RENDERED_SUFFIX) && !f.includes('/') && f !== CONTROLLER_FILE,
  );
  return then.length === now.size && then.every((f) => now.has(f));
}

/**
 * The controller and Argo CD files as the known commit has them, when each is unchanged in the
 * output folder since (so it is what a render gives now); undefined when any is not.
 */
function sharedFilesKnown(
  known: KnownOutput,
  config: ProjectConfig,
  outDir: string,
  rendered: readonly RenderedPipeline[],
): string[] | undefined {
  const names = [CONTROLLER_FILE];
  if (config.argocd) {
    names.push(ARGOCD_CM_PATCH_FILE);
    if (rendered.length > 0) names.push(ARGOCD_APPLICATIONS_FILE);
  }
  const others = [...known.committed].filter((f) => f.startsWith(`${ARGOCD_DIR}/`) && !names.includes(f));
  if (others.length > 0) return undefined;
  for (const f of names) if (!known.files.has(f) || !existsSync(join(outDir, f))) return undefined;
  return names;
}

/** The kind/name identity of each object in a rendered file (as written by this tool), for collisions. */
function objectIds(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const doc of text.split(/^---\n/m)) {
    const apiVersion = /^apiVersion: (.*)$/m.exec(doc)?.[1];
    const kind = /^kind: (.*)$/m.exec(doc)?.[1];
    const meta = /^metadata:\n((?: {2}.*\n)*)/m.exec(doc)?.[1] ?? '';
    const name = /^ {2}name: (.*)$/m.exec(meta)?.[1];
    const namespace = /^ {2}namespace: (.*)$/m.exec(meta)?.[1];
    if (kind === undefined) continue;
    out.push({ apiVersion, kind, metadata: { name, ...(namespace !== undefined ? { namespace } : {}) } });
  }
  return out;
}

/**
 * Renders every pipeline of `pipelinesDir` and writes one `*.k8s.yaml` per pipeline into `outDir`,
 * plus `flink-cutover-controller.k8s.yaml` (the CutoverController for all of them).
 * Everything is rendered and validated first: on any error nothing in `outDir` changes (files are
 * written to temporary names as they are rendered, and renamed only when all are good). Files are
 * replaced by rename, so a reader never sees half a file; stale `*.k8s.yaml` files (of removed
 * pipelines) are deleted. Other files in `outDir` are left alone. No rendered text is kept after
 * it is written or compared. With `check` and a `trustedBase`, a pipeline whose spec and rendered
 * file are as in that commit is not rendered (see knownOutput).
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
  const verify = config.verify;
  const sourceName = (lp: LoadedPipeline) => relative(base, resolve(lp.file)).replace(/\\/g, '/');
  const renderOptions = (lp: LoadedPipeline): RenderOptions => ({
    sourceFile: sourceName(lp),
    ...(verify ? { verify } : {}),
  });
  const known =
    options.check && options.trustedBase !== undefined
      ? knownOutput(options.pipelinesDir, options.outDir, options.trustedBase)
      : undefined;

  const outDir = options.outDir;
  const changed: string[] = [];
  const unchanged: string[] = [];
  const wantedNames = new Set<string>();
  const temps: [string, string][] = [];
  let created: string | undefined;
  let outputProblem: SynthOutputError | undefined;
  if (!options.check) {
    try {
      checkOutput(resolve(outDir), [], []);
    } catch (err) {
      outputProblem = err as SynthOutputError;
    }
  }
  const cleanUp = () => {
    for (const [tmp] of temps) rmSync(tmp, { force: true });
    temps.length = 0;
    if (created) rmSync(created, { recursive: true, force: true });
  };
  /** Compares one wanted file with the output folder and, unless checking, writes it to a temporary name. */
  const offer = (name: string, yaml: string) => {
    wantedNames.add(name);
    const path = join(outDir, name);
    let current: string | undefined;
    try {
      current = lstatSync(path).isFile() ? readFileSync(path, 'utf8') : undefined;
    } catch {
      current = undefined;
    }
    if (current === yaml) {
      unchanged.push(name);
      return;
    }
    changed.push(name);
    if (options.check || outputProblem) return;
    try {
      checkOutput(resolve(outDir), [name], []);
    } catch (err) {
      outputProblem = err as SynthOutputError;
      return;
    }
    try {
      if (!created && !existsSync(outDir)) created = mkdirSync(outDir, { recursive: true });
      mkdirSync(dirname(path), { recursive: true });
      const tmp = join(
        dirname(path),
        `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
      );
      writeFileSync(tmp, yaml, { flag: 'wx' });
      temps.push([tmp, path]);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      outputProblem = new SynthOutputError(
        outDir,
        `cannot write into ${outDir} (${e.code ?? e.message})${e.code === 'EACCES' || e.code === 'EROFS' ? ': the folder is read-only' : ''}; nothing was changed`,
      );
    }
  };

  // Light records of what was rendered: enough for collisions, the controller and Argo CD; the
  // full objects and text are rendered again only if a caller asks for them.
  const rendered: RenderedPipeline[] = [];
  const light = (lp: LoadedPipeline, fileName: string, ids: Record<string, unknown>[]): RenderedPipeline => {
    let full: RenderedPipeline | undefined;
    const again = () => (full ??= renderPipeline(lp.pipeline, renderOptions(lp)));
    return {
      pipeline: lp.pipeline,
      fileName,
      get manifests() {
        return again().manifests;
      },
      get yaml() {
        return again().yaml;
      },
      ids,
    } as RenderedPipeline & { ids: Record<string, unknown>[] };
  };
  const idsOf = (r: RenderedPipeline) => (r as RenderedPipeline & { ids: Record<string, unknown>[] }).ids;
  try {
    const toRender: LoadedPipeline[] = [];
    const order = new Map<LoadedPipeline, number>();
    pipelines.forEach((lp, i) => order.set(lp, i));
    const slots: (RenderedPipeline | undefined)[] = new Array(pipelines.length);
    for (const lp of pipelines) {
      const fileName = renderedFileName(lp.pipeline);
      if (
        known &&
        known.specs.has(resolve(lp.file)) &&
        known.files.has(fileName) &&
        !wantedNames.has(fileName)
      ) {
        let text: string | undefined;
        try {
          text = readFileSync(join(outDir, fileName), 'utf8');
        } catch {
          text = undefined;
        }
        if (text !== undefined) {
          wantedNames.add(fileName);
          unchanged.push(fileName);
          slots[order.get(lp)!] = light(lp, fileName, objectIds(text));
          continue;
        }
      }
      toRender.push(lp);
    }
    let k = 0;
    renderEach(
      toRender.map((lp) => ({ spec: lp.pipeline, options: renderOptions(lp) })),
      (r) => {
        const lp = toRender[k++]!;
        offer(r.fileName, r.yaml);
        const ids = r.manifests.map((m) => ({
          apiVersion: m.apiVersion,
          kind: m.kind,
          metadata: {
            name: (m.metadata as { name?: string } | undefined)?.name,
            ...((m.metadata as { namespace?: string } | undefined)?.namespace !== undefined
              ? { namespace: (m.metadata as { namespace?: string }).namespace }
              : {}),
          },
        }));
        slots[order.get(lp)!] = light(lp, r.fileName, ids);
      },
    );
    rendered.push(...(slots as RenderedPipeline[]));
    const collided = collisionsOf(
      rendered,
      idsOf,
      (r) =>
        pipelines.find(
          (lp) =>
            lp.pipeline.metadata.name === r.pipeline.metadata.name &&
            lp.pipeline.metadata.namespace === r.pipeline.metadata.namespace,
        )?.file ?? r.fileName,
    );
    if (collided.length > 0) {
      cleanUp();
      return { diagnostics: collided, rendered: [], changed: [], removed: [], unchanged: [] };
    }
    // The controller and Argo CD files depend only on which pipelines there are (their namespaces
    // and names, which name their rendered files) and on the configuration: when the pipelines'
    // files are those of the commit the output is known from, so are these files.
    const setKnown = known !== undefined && rendered.length > 0 && sameSetAsCommitted(known, rendered);
    const shared = setKnown ? sharedFilesKnown(known, config, outDir, rendered) : undefined;
    if (shared) {
      for (const name of shared) {
        wantedNames.add(name);
        unchanged.push(name);
      }
    } else {
      // The controller that decides every pipeline's cutovers, in a file of its own.
      if (rendered.length > 0) {
        const controller = renderController(
          rendered.map((r) => r.pipeline),
          config.verify?.image ? { image: config.verify.image } : {},
        );
        offer(controller.fileName, controller.yaml);
      }
      for (const f of renderArgoCd(rendered, config.argocd, {
        fileName: CONTROLLER_FILE,
        namespace: CONTROLLER_NAMESPACE,
      }))
        offer(f.fileName, f.yaml);
    }
  } catch (err) {
    cleanUp();
    throw err;
  }
  const removed = existingRendered(outDir).filter((f) => !wantedNames.has(f));
  if (!options.check) {
    if (!outputProblem) {
      try {
        checkOutput(resolve(outDir), [], removed);
      } catch (err) {
        outputProblem = err as SynthOutputError;
      }
    }
    if (outputProblem) {
      cleanUp();
      throw outputProblem;
    }
    mkdirSync(outDir, { recursive: true });
    for (const [tmp, dest] of temps) renameSync(tmp, dest);
    for (const name of removed) rmSync(join(outDir, name), { force: true });
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
