import type { Diagnostic } from '../spec/diagnostics.js';
import { lifecycleState } from '../spec/effective.js';
import type { LoadedPipeline, LoadResult } from '../spec/load.js';
import { pipelineKey } from '../spec/load.js';
import { RULES } from './rules/index.js';
import type { CutoverStatus } from './status.js';
import { statusFor } from './status.js';
import { classify } from './transition.js';
import type { Finding, PipelinePair, Rule } from './types.js';

export interface CheckInput {
  readonly head: LoadResult;
  /** Absent: every head pipeline is new. */
  readonly base?: LoadResult;
  /** Epoch millis. */
  readonly now: number;
  /** Status ConfigMaps from --status; undefined when not given. */
  readonly statuses?: readonly CutoverStatus[];
  /**
   * Run without the controller's status (`--allow-unknown-status`, for CI without cluster access):
   * the steps that need it (teardown, rollback, reschedule, withdrawing a cutover) are then warnings
   * instead of errors, and every output format says so. Without it, a missing status is an error.
   */
  readonly allowUnknownStatus?: boolean;
  readonly rules?: readonly Rule[];
}

export interface CheckSummary {
  errors: number;
  warnings: number;
  pipelines: number;
  /** Present (true) only when the check ran without the controller's status (`allowUnknownStatus`). */
  withoutStatus?: true;
}

export interface CheckResult {
  readonly results: Finding[];
  readonly summary: CheckSummary;
  readonly pairs: PipelinePair[];
  /**
   * `namespace/name` of each pipeline whose step needs the controller's status while the given
   * statuses have none for it (the CLI makes that a usage error: the wrong status file).
   */
  readonly statusMissing: string[];
}

/** Whether judging this pair needs the controller's status (a step that depends on the cutover's phase). */
export function needsStatus(pair: PipelinePair): boolean {
  if (!pair.base?.pipeline.spec.cutover || !pair.head) return false;
  return pair.transition.steps.some((s) => STATUS_STEPS.includes(s));
}

const STATUS_STEPS: readonly string[] = ['teardown', 'rollback', 'reschedule', 'unschedule'];

/** Matches base and head pipelines by `namespace/name`, in head order then removed ones. */
export function pairPipelines(
  head: readonly LoadedPipeline[],
  base: readonly LoadedPipeline[],
): PipelinePair[] {
  const baseByKey = new Map(base.map((lp) => [pipelineKey(lp.pipeline), lp]));
  const pairs: PipelinePair[] = [];
  const seen = new Set<string>();
  const make = (key: string, b: LoadedPipeline | undefined, h: LoadedPipeline | undefined): PipelinePair => ({
    key,
    name: (h ?? b)!.pipeline.metadata.name,
    base: b,
    head: h,
    baseState: b ? lifecycleState(b.pipeline) : undefined,
    headState: h ? lifecycleState(h.pipeline) : undefined,
    transition: classify(b?.pipeline, h?.pipeline),
  });
  for (const h of head) {
    const key = pipelineKey(h.pipeline);
    seen.add(key);
    pairs.push(make(key, baseByKey.get(key), h));
  }
  for (const b of base) {
    const key = pipelineKey(b.pipeline);
    if (!seen.has(key)) pairs.push(make(key, b, undefined));
  }
  return pairs;
}

function byPosition(a: Finding, b: Finding): number {
  return (
    a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.ruleId.localeCompare(b.ruleId)
  );
}

/** Runs every rule over the pipelines at base and head. Pure: all I/O happened before. */
export function checkPolicy(input: CheckInput): CheckResult {
  const rules = input.rules ?? RULES;
  const pairs = pairPipelines(input.head.pipelines, input.base?.pipelines ?? []);
  const results: Finding[] = [];
  const headDiagnostics: readonly Diagnostic[] = input.head.diagnostics;
  for (const r of rules) if (r.checkLoad) results.push(...r.checkLoad(headDiagnostics));
  // Fail closed: a spec that does not load at base cannot be judged as "no pipeline at base" (a
  // restart of the active color would pass as a new pipeline). Every base error is an error here.
  if (input.base && input.base !== input.head) {
    for (const d of input.base.diagnostics) {
      results.push({
        ...d,
        ruleId: 'schema',
        severity: 'error',
        message: `at base: ${d.message}`,
        pipeline: d.pipeline ?? '',
        fix: 'the base spec must load to judge this change: fix it at base first, or compare with another --base/--base-ref',
      });
    }
  }
  // A pipeline whose head file failed to load is reported by `schema`, not as removed.
  const brokenFiles = new Set(headDiagnostics.map((d) => d.file));
  const statusMissing: string[] = [];
  for (const [i, pair] of pairs.entries()) {
    if (!pair.head && pair.base && brokenFiles.has(pair.base.file)) {
      pairs[i] = { ...pair, headInvalid: true };
      continue;
    }
    const ref = (pair.head ?? pair.base)!.pipeline;
    const status = input.statuses ? statusFor(input.statuses, ref) : undefined;
    if (input.statuses && !status && needsStatus(pair)) statusMissing.push(pair.key);
    const ctx = {
      pair,
      now: input.now,
      status,
      statusKnown: input.statuses !== undefined,
      allowUnknownStatus: input.allowUnknownStatus === true,
    };
    // Base and head the same pipeline (its text did not change): no step to judge.
    const unchanged = pair.base !== undefined && pair.base.pipeline === pair.head?.pipeline;
    for (const r of rules) if (r.check && !(unchanged && r.transitionOnly)) results.push(...r.check(ctx));
  }
  results.sort(byPosition);
  const errors = results.filter((f) => f.severity === 'error').length;
  const brokenPipelines = new Set(headDiagnostics.map((d) => `${d.file}|${d.pipeline ?? ''}`)).size;
  return {
    results,
    pairs,
    statusMissing,
    summary: {
      errors,
      warnings: results.length - errors,
      pipelines: input.head.pipelines.length + brokenPipelines,
      ...(input.allowUnknownStatus ? { withoutStatus: true as const } : {}),
    },
  };
}
