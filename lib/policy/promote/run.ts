import { isAbsolute, join, resolve } from 'node:path';
import { renderPipelineFiles } from '../../constructs/synth.js';
import { DiagnosticError } from '../../spec/diagnostics.js';
import type { Diagnostic } from '../../spec/diagnostics.js';
import { LoadMemo, loadPipelineDir, loadPipelineText, mayDefine, pipelineKey } from '../../spec/load.js';
import type { LoadedPipeline, LoadResult, TextSelector } from '../../spec/load.js';
import type { Pipeline } from '../../spec/types.js';
import { checkPolicy } from '../engine.js';
import { InputError } from '../inputs.js';
import type { CutoverStatus } from '../status.js';
import { statusFor } from '../status.js';
import type { Finding } from '../types.js';
import type { PromotionOutcome } from './steps.js';
import { PromotionRefused } from './steps.js';
import { likeOriginal, SpecEdit } from './yaml-edit.js';
import { checkAgainstMergeBase } from './merge-base.js';
import { EditConflict, lockFile, replaceFiles, requirePlainFile } from './write.js';
import { InputFileError, readRegularFile } from '../../spec/read-file.js';

export interface PromoteRequest {
  readonly cwd: string;
  readonly pipelinesDir: string;
  readonly pipeline: string;
  readonly namespace?: string;
  readonly now: number;
  readonly statuses?: readonly CutoverStatus[];
  /** Judge the edit as `check --allow-unknown-status` does: steps that need a status warn without one. */
  readonly allowUnknownStatus?: boolean;
  readonly dryRun?: boolean;
  /** Render the pipeline's files into this output folder in the same edit (absent: --no-synth). */
  readonly synth?: { readonly outDir: string; readonly outShown: string };
  /** Compare with the merge base of HEAD and this ref (default: the default branch, in a git repository). */
  readonly baseRef?: string;
  /** The edit; may throw PromotionRefused. `status` is the pipeline's controller status when known. */
  readonly apply: (doc: SpecEdit, p: Pipeline, status: CutoverStatus | undefined) => PromotionOutcome;
}

export interface PromoteResult {
  readonly file: string;
  readonly outcome?: PromotionOutcome;
  /** Why the step was refused (nothing written). */
  readonly refused?: { message: string; fix: string };
  /** Findings of the policy check on the edit (errors refuse it; warnings are shown). */
  readonly findings: Finding[];
  /** Spec errors of the edited file (refuse it). */
  readonly diagnostics: Diagnostic[];
  readonly text?: string;
  readonly written: boolean;
  /** The rendered files the edit changed (or, with dryRun, would), as shown. */
  readonly rendered?: string[];
  /** Something the person should know though the edit went through (e.g. no merge base found). */
  readonly note?: string;
}

/** Finds the pipeline to promote; a missing or ambiguous one is an input error. */
export function findPipeline(
  dirAbs: string,
  dirShown: string,
  name: string,
  namespace: string | undefined,
  memo?: LoadMemo,
): { lp?: LoadedPipeline; diagnostics: Diagnostic[] } {
  const load = (select?: TextSelector) => {
    try {
      return loadPipelineDir(dirAbs, memo, select);
    } catch (err) {
      throw new InputError(`--pipelines ${dirShown}: ${(err as Error).message}`);
    }
  };
  const matching = (r: LoadResult) =>
    r.pipelines.filter(
      (lp) =>
        lp.pipeline.metadata.name === name &&
        (namespace === undefined || (lp.pipeline.metadata.namespace ?? '') === namespace),
    );
  // Only the files that can define the pipeline are loaded; when that does not find exactly one,
  // every file is (for the messages naming the others, or the folder's errors).
  const some = matching(load(mayDefine(name)));
  if (some.length === 1) return { lp: some[0], diagnostics: [] };
  const r = load();
  const matches = matching(r);
  if (matches.length > 1)
    throw new InputError(
      `several pipelines named ${name} in ${dirShown} (${matches.map((m) => pipelineKey(m.pipeline)).join(', ')}): give --namespace`,
    );
  if (matches.length === 0) {
    if (r.diagnostics.length > 0) return { diagnostics: r.diagnostics };
    const known = r.pipelines.map((lp) => lp.pipeline.metadata.name).join(', ') || 'none';
    throw new InputError(
      `no pipeline named ${name}${namespace !== undefined ? ` in namespace ${namespace}` : ''} in ${dirShown} (pipelines: ${known})`,
    );
  }
  return { lp: matches[0], diagnostics: [] };
}

/** Edits one pipeline's YAML in place (comments kept), checks the edit like `check` would, and writes it. */
export function promote(req: PromoteRequest): PromoteResult {
  const dirAbs = resolve(req.cwd, req.pipelinesDir);
  // The texts read here let the merge-base check skip reading from git the files unchanged at HEAD.
  const memo = new LoadMemo();
  const found = findPipeline(dirAbs, req.pipelinesDir, req.pipeline, req.namespace, memo);
  if (!found.lp)
    return {
      file: req.pipelinesDir,
      findings: [],
      diagnostics: found.diagnostics,
      written: false,
      refused: {
        message: `${req.pipeline} could not be loaded: the pipelines folder has spec errors`,
        fix: 'fix the errors below first',
      },
    };
  const file = found.lp.file;
  // loadPipelineDir names files relative to the process's working directory.
  const absPath = isAbsolute(file) ? file : resolve(process.cwd(), file);
  const refuse = (message: string, fix: string): PromoteResult => ({
    file,
    findings: [],
    diagnostics: [],
    written: false,
    refused: { message, fix },
  });
  let release: (() => void) | undefined;
  try {
    requirePlainFile(absPath, file);
    // One edit of a file at a time: a concurrent edit is refused, a later one sees this one's result.
    if (!req.dryRun) release = lockFile(absPath, file);
    return promoteLocked(req, found.lp, absPath, dirAbs, memo);
  } catch (err) {
    if (err instanceof EditConflict) return refuse(err.message, err.fix);
    throw err;
  } finally {
    release?.();
  }
}

/** The edit, with the file's lock held: the file is read again, so an edit just finished is seen. */
function promoteLocked(
  req: PromoteRequest,
  found: LoadedPipeline,
  absPath: string,
  dirAbs: string,
  memo: LoadMemo,
): PromoteResult {
  const file = found.file;
  const refuse = (message: string, fix: string): PromoteResult => ({
    file,
    findings: [],
    diagnostics: [],
    written: false,
    refused: { message, fix },
  });
  let before: string;
  try {
    before = readRegularFile(absPath);
  } catch (err) {
    if (err instanceof InputFileError)
      return refuse(`${file}: ${err.message}`, 'keep pipeline specs as regular files');
    throw err;
  }
  const now = loadPipelineText(file, before);
  const lp = now.pipelines.find((x) => pipelineKey(x.pipeline) === pipelineKey(found.pipeline));
  if (!lp)
    return {
      file,
      findings: [],
      diagnostics: now.diagnostics,
      written: false,
      refused: {
        message: `${file} changed while it was being read and no longer holds ${pipelineKey(found.pipeline)}`,
        fix: 'run the command again',
      },
    };
  const doc = new SpecEdit(before, lp.source.index);
  const status = req.statuses ? statusFor(req.statuses, lp.pipeline) : undefined;
  let outcome: PromotionOutcome;
  try {
    outcome = req.apply(doc, lp.pipeline, status);
  } catch (err) {
    if (err instanceof PromotionRefused)
      return {
        file: lp.file,
        findings: [],
        diagnostics: [],
        written: false,
        refused: { message: err.message, fix: err.fix },
      };
    throw err;
  }
  const text = likeOriginal(before, doc.text());
  const after = loadPipelineText(lp.file, text);
  const mine = after.pipelines.find((x) => pipelineKey(x.pipeline) === pipelineKey(lp.pipeline));
  if (after.diagnostics.length > 0 || !mine) {
    return {
      file: lp.file,
      outcome,
      findings: [],
      diagnostics: after.diagnostics,
      written: false,
      text,
      refused: { message: 'the edited spec is invalid', fix: 'see the errors below' },
    };
  }
  // The pull request is judged against the merge base, not the working tree: a step not merged yet
  // plus this one would be two steps in one pull request.
  const merged = checkAgainstMergeBase({
    dirAbs,
    dirShown: req.pipelinesDir,
    current: lp,
    edited: mine,
    step: outcome.step,
    baseRef: req.baseRef,
    now: req.now,
    statuses: req.statuses,
    memo,
  });
  if (merged.refused)
    return {
      file: lp.file,
      outcome,
      findings: merged.findings,
      diagnostics: [],
      written: false,
      text,
      refused: merged.refused,
    };
  const result = checkPolicy({
    base: { pipelines: [lp], diagnostics: [] },
    head: { pipelines: [mine], diagnostics: [] },
    now: req.now,
    statuses: req.statuses,
    allowUnknownStatus: req.allowUnknownStatus,
  });
  const findings = result.results.filter((f) => f.pipeline === lp.pipeline.metadata.name);
  if (findings.some((f) => f.severity === 'error')) {
    return {
      file: lp.file,
      outcome,
      findings,
      diagnostics: [],
      written: false,
      text,
      refused: {
        message: `${outcome.step} would not pass the pull-request check`,
        fix: 'resolve the errors below (the same rules as flink-cutover check)',
      },
    };
  }
  // The pipeline's rendered files change in the same edit, so merging it changes the cluster.
  const rendered: { path: string; shown: string; text: string }[] = [];
  if (req.synth) {
    let r;
    try {
      r = renderPipelineFiles({ pipelinesDir: dirAbs, outDir: req.synth.outDir, pipelines: [mine] });
    } catch (err) {
      const diagnostics = err instanceof DiagnosticError ? [...err.diagnostics] : [];
      return {
        file: lp.file,
        outcome,
        findings,
        diagnostics,
        written: false,
        text,
        refused: {
          message: `${outcome.step} cannot be rendered into ${req.synth.outShown}/${diagnostics.length > 0 ? '' : ` (${(err as Error).message})`}; nothing was written`,
          fix: 'fix the errors below, or pass --no-synth and run flink-cutover synth yourself',
        },
      };
    }
    if (r.diagnostics.length > 0)
      return {
        file: lp.file,
        outcome,
        findings,
        diagnostics: r.diagnostics,
        written: false,
        text,
        refused: {
          message: `${outcome.step} cannot be rendered into ${req.synth.outShown}/; nothing was written`,
          fix: 'fix the errors below, or pass --no-synth and run flink-cutover synth yourself',
        },
      };
    for (const f of r.files)
      if (f.changed)
        rendered.push({
          path: join(req.synth.outDir, f.name),
          shown: `${req.synth.outShown.replace(/\/+$/, '')}/${f.name}`,
          text: f.yaml,
        });
  }
  if (!req.dryRun) {
    try {
      replaceFiles([{ path: absPath, text }, ...rendered.map((f) => ({ path: f.path, text: f.text }))]);
    } catch (err) {
      if (err instanceof EditConflict) return refuse(`${err.message}; nothing was written`, err.fix);
      const e = err as NodeJS.ErrnoException;
      return refuse(
        `cannot write ${lp.file}${rendered.length > 0 ? ` and ${rendered.map((f) => f.shown).join(', ')}` : ''} (${e.code ?? e.message}); nothing was changed`,
        e.code === 'EEXIST' ? 'run the command again' : 'check that the files and their folders are writable',
      );
    }
  }
  return {
    file: lp.file,
    outcome,
    findings,
    diagnostics: [],
    written: !req.dryRun,
    text,
    note: merged.note,
    rendered: rendered.map((f) => f.shown),
  };
}
