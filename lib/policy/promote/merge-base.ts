import type { LoadedPipeline } from '../../spec/load.js';
import { mayDefine, pipelineKey } from '../../spec/load.js';
import type { LoadMemo } from '../../spec/load.js';
import { checkPolicy } from '../engine.js';
import { defaultBranch, GitReadError, hasCommits, loadPipelinesAtRef, mergeBase } from '../git.js';
import { InputError } from '../inputs.js';
import { oneStep } from '../rules/one-step.js';
import type { CutoverStatus } from '../status.js';
import { classify } from '../transition.js';
import type { Finding } from '../types.js';

export interface MergeBaseCheck {
  /** Why the edit is refused: the pull request would take two steps from the merge base. */
  readonly refused?: { message: string; fix: string };
  /** The `one-step` finding of the edit against the merge base. */
  readonly findings: Finding[];
  /** Said when relevant: the merge base could not be found, so only the working tree was compared. */
  readonly note?: string;
}

/**
 * Judges an edit against the merge base of HEAD and the default branch (or `baseRef`), as
 * `check --base-ref` will judge the pull request: refused when it would take more than one lifecycle
 * step from there (the `one-step` rule), e.g. a `schedule` on top of a `stage` not merged yet.
 * Outside a git repository nothing is compared (a given `baseRef` is then an input error).
 */
export function checkAgainstMergeBase(req: {
  readonly dirAbs: string;
  readonly dirShown: string;
  /** The pipeline as the working tree has it, and as the edit leaves it. */
  readonly current: LoadedPipeline;
  readonly edited: LoadedPipeline;
  readonly step: string;
  readonly baseRef?: string;
  readonly now: number;
  readonly statuses?: readonly CutoverStatus[];
  /** Texts of the working tree already read (files unchanged at HEAD are then not read from git). */
  readonly memo?: LoadMemo;
}): MergeBaseCheck {
  const given = req.baseRef;
  if (!hasCommits(req.dirAbs)) {
    if (given !== undefined)
      throw new InputError(`--base-ref ${given}: ${req.dirShown} is not in a git repository with commits`);
    return { findings: [] };
  }
  const ref = given ?? defaultBranch(req.dirAbs);
  if (ref === undefined)
    return {
      findings: [],
      note: 'no default branch (origin/HEAD, main or master) to compare with: only the working tree was checked; pass --base-ref <ref> to check against the branch your pull request merges into',
    };
  let base: string;
  let atBase;
  let atHead;
  try {
    base = mergeBase(req.dirAbs, ref);
    // Only the files that can define this pipeline are loaded (the pipeline is matched by key).
    const select = mayDefine(req.current.pipeline.metadata.name);
    atBase = loadPipelinesAtRef(req.dirAbs, base, req.dirShown, req.memo, select);
    atHead = loadPipelinesAtRef(req.dirAbs, 'HEAD', req.dirShown, req.memo, select);
  } catch (err) {
    if (err instanceof GitReadError) {
      if (given !== undefined) throw new InputError(`--base-ref ${given}: ${err.message}`);
      return {
        findings: [],
        note: `cannot compare with ${ref} (${err.message}): only the working tree was checked; pass --base-ref <ref>`,
      };
    }
    throw err;
  }
  const key = pipelineKey(req.current.pipeline);
  const baseLp = atBase.pipelines.find((lp) => pipelineKey(lp.pipeline) === key);
  const result = checkPolicy({
    base: { pipelines: baseLp ? [baseLp] : [], diagnostics: [] },
    head: { pipelines: [req.edited], diagnostics: [] },
    now: req.now,
    statuses: req.statuses,
    rules: [oneStep],
  });
  const findings = result.results.filter((f) => f.ruleId === oneStep.id);
  if (findings.length === 0) return { findings: [] };
  const pending = classify(baseLp?.pipeline, req.current.pipeline).steps;
  const headLp = atHead.pipelines.find((lp) => pipelineKey(lp.pipeline) === key);
  const uncommitted = classify(headLp?.pipeline, req.current.pipeline).steps.length > 0;
  const where = uncommitted
    ? 'in the working tree (not committed yet)'
    : `committed on this branch but not merged into ${ref}`;
  const name = req.current.pipeline.metadata.name;
  return {
    findings,
    refused: {
      message: `${name} has an unmerged ${pending.join(' + ') || 'change'} step against ${ref} (merge base ${base.slice(0, 12)}), ${where}; ${req.step} on top of it would make one pull request take more than one lifecycle step, which the pull-request check refuses (one-step)`,
      fix: `merge the pull request with the ${pending.join(' + ') || 'pending'} step first, then run ${req.step} on the updated ${ref}${given === undefined ? `; or pass --base-ref <ref> when your pull request merges into another branch than ${ref}` : ''}`,
    },
  };
}
