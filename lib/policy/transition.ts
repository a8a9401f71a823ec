import { colorsOf, effectiveSpec, lifecycleState, standbyColor } from '../spec/effective.js';
import type { Color, Pipeline } from '../spec/types.js';

/** One lifecycle step (README "Promoting a pipeline"); each must be its own pull request. */
export type Step =
  | 'create' // a new pipeline
  | 'stage' // Steady -> Staged: a standby color is added
  | 'restage' // Staged -> Staged: the standby color's spec changes
  | 'schedule' // Staged -> Cutover(g)
  | 'reschedule' // Cutover(g) -> Cutover(g' > g), same direction (e.g. after Rejected)
  | 'unschedule' // Cutover(g) -> Staged, same active color
  | 'rollback' // Cutover(g) A->B -> Cutover(g+1) B->A
  | 'teardown' // Cutover(g) A->B -> Steady(B)
  | 'abandon' // Staged -> Steady, the standby removed
  | 'remove'; // the pipeline is deleted

/** How a pipeline moves between base and head. */
export interface Transition {
  readonly steps: Step[];
  /** Set when no sequence of legal steps leads from base to head (e.g. the active color switched without a cutover). */
  readonly illegal?: string;
}

/** Last cutover generation recorded in the spec (kept by teardown in this annotation). */
export const LAST_GENERATION_ANNOTATION = 'flink-cutover.dev/last-generation';

/** The highest cutover generation a spec knows of: its cutover's, or the one teardown recorded. */
export function knownGeneration(p: Pipeline): number {
  const ann = Number(p.metadata.annotations?.[LAST_GENERATION_ANNOTATION] ?? 0);
  return Math.max(p.spec.cutover?.generation ?? 0, Number.isInteger(ann) ? ann : 0);
}

/** Comparable form of a color as deployed (effective spec plus its deployment name and gate). */
export function colorFingerprint(p: Pipeline, c: Color): string {
  const col = p.spec.colors[c];
  return JSON.stringify([effectiveSpec(p, c), col?.deploymentName ?? null, col?.gate ?? true]);
}

function sameCutover(a: Pipeline, b: Pipeline): boolean {
  return JSON.stringify(a.spec.cutover ?? null) === JSON.stringify(b.spec.cutover ?? null);
}

/** Classifies the change of one pipeline from base to head into lifecycle steps. */
export function classify(base: Pipeline | undefined, head: Pipeline | undefined): Transition {
  if (!base && !head) return { steps: [] };
  if (!base) return { steps: ['create'] };
  if (!head) return { steps: ['remove'] };
  // The same pipeline at both sides (the same text, loaded once): the lifecycle does not move.
  if (base === head) return { steps: [] };
  const bs = lifecycleState(base);
  const hs = lifecycleState(head);
  const bA = base.spec.active;
  const hA = head.spec.active;
  const hColors = colorsOf(head);
  const bColors = colorsOf(base);
  const standbyChanged = (c: Color | undefined) =>
    c !== undefined &&
    base.spec.colors[c] !== undefined &&
    colorFingerprint(base, c) !== colorFingerprint(head, c);
  const switched = (why: string): Transition => ({ steps: [], illegal: why });

  if (bs === 'Steady') {
    if (hs === 'Steady') {
      if (hA === bA) return { steps: [] };
      return { steps: ['stage', 'schedule', 'teardown'] };
    }
    if (hA !== bA) return switched(`the active color changes from ${bA} to ${hA} without a cutover`);
    if (hs === 'Staged') return { steps: ['stage'] };
    return { steps: ['stage', 'schedule'] };
  }
  if (bs === 'Staged') {
    const bStandby = standbyColor(base)!;
    if (hs === 'Steady') {
      if (hA === bA) return { steps: ['abandon'] };
      if (hColors.includes(bStandby)) return { steps: ['schedule', 'teardown'] };
      return switched(`the active color changes from ${bA} to ${hA} without a cutover`);
    }
    if (hA !== bA) return switched(`the active color changes from ${bA} to ${hA} without a cutover`);
    if (hs === 'Staged') return { steps: standbyChanged(bStandby) ? ['restage'] : [] };
    return { steps: standbyChanged(bStandby) ? ['restage', 'schedule'] : ['schedule'] };
  }
  // base is Cutover A -> B
  const bTo = base.spec.cutover!.to;
  if (hs === 'Steady') {
    if (hA === bTo && hColors.length === 1) return { steps: ['teardown'] };
    if (hA === bA) return { steps: ['unschedule', 'abandon'] };
    return switched(`the pipeline ends steady on ${hA}, which is neither side of cutover ${bA} → ${bTo}`);
  }
  if (hs === 'Staged') {
    if (hA === bA) return { steps: standbyChanged(bTo) ? ['unschedule', 'restage'] : ['unschedule'] };
    if (hA === bTo) return { steps: ['teardown', 'stage'] };
    return switched(`the active color changes from ${bA} to ${hA} without a cutover`);
  }
  // Cutover -> Cutover
  const hTo = head.spec.cutover!.to;
  if (hA === bA && hTo === bTo) {
    const extra: Step[] = standbyChanged(bTo) ? ['restage'] : [];
    return { steps: sameCutover(base, head) ? extra : [...extra, 'reschedule'] };
  }
  if (hA === bTo && hTo === bA && bColors.includes(bA)) return { steps: ['rollback'] };
  return switched(`cutover ${bA} → ${bTo} becomes ${hA} → ${hTo}`);
}

/** Whether head commits a cutover that base did not (a new or changed cutover block). */
export function cutoverIsNew(base: Pipeline | undefined, head: Pipeline | undefined): boolean {
  if (!head?.spec.cutover) return false;
  return !base || !sameCutover(base, head);
}
