import type { Diagnostic, Severity } from '../spec/diagnostics.js';
import type { LoadedPipeline } from '../spec/load.js';
import type { Color, LifecycleState } from '../spec/types.js';
import type { CutoverStatus } from './status.js';
import type { Transition } from './transition.js';

/** A policy finding: a Diagnostic that always names its pipeline. */
export type Finding = Diagnostic & { pipeline: string };

/** One pipeline as compared by the check: its spec at base and at head (either may be absent). */
export interface PipelinePair {
  /** `namespace/name`. */
  readonly key: string;
  readonly name: string;
  readonly base?: LoadedPipeline;
  readonly head?: LoadedPipeline;
  readonly baseState?: LifecycleState;
  readonly headState?: LifecycleState;
  /** The lifecycle step(s) this change takes (empty when the lifecycle does not move). */
  readonly transition: Transition;
  /** Set when the pipeline's file at head failed to load (reported by `schema`, not as removed). */
  readonly headInvalid?: boolean;
}

/** Everything a rule may read; rules are pure functions of it. */
export interface RuleContext {
  readonly pair: PipelinePair;
  /** Epoch millis the check treats as now (`--now`). */
  readonly now: number;
  /** The controller's status for this pipeline, when `--status` supplied one. */
  readonly status?: CutoverStatus;
  /** Whether `--status` was given at all (a missing entry then means "no status yet"). */
  readonly statusKnown: boolean;
  /**
   * `--allow-unknown-status`: without a status, the rules that need one warn instead of refusing.
   * Absent or false: a step that needs the controller's status is an error without it.
   */
  readonly allowUnknownStatus?: boolean;
}

export interface Rule {
  /** Stable kebab-case id. */
  readonly id: string;
  /** Default severity (a finding may carry a lower one, e.g. a warning variant). */
  readonly severity: Severity;
  /** One-line summary (SARIF shortDescription). */
  readonly summary: string;
  /** One paragraph: why it matters and how to fix it. */
  readonly doc: string;
  /** Per pipeline pair (pipelines that loaded at head or base). */
  readonly check?: (ctx: RuleContext) => Finding[];
  /**
   * Set on a rule that judges only a pipeline's own step from base to head: it finds nothing in a
   * pair whose base and head are the same pipeline (the same text, loaded once), so the check
   * skips it there. A rule that judges the state at head (whatever the step) must not set it.
   */
  readonly transitionOnly?: true;
  /** Over the head's load diagnostics (specs that did not load). */
  readonly checkLoad?: (diagnostics: readonly Diagnostic[]) => Finding[];
}

export type { Color, Severity };
