import { describe, expect, it } from 'vitest';
import { checkPolicy } from '../../lib/policy/engine.js';
import { planPairs } from '../../lib/policy/plan.js';
import { cutoverPipeline, stagedPipeline, steadyPipeline } from '../support/pipelines.js';
import { load, NOW, status } from './support.js';

const W = '2026-12-01T12:00:00Z';
/** Every lifecycle shape of the pipeline, and its absence. */
const SHAPES: Record<string, () => unknown> = {
  absent: () => undefined,
  'steady blue': () => steadyPipeline(),
  'steady green': () =>
    steadyPipeline((p) => {
      p.spec.active = 'green';
      p.spec.colors = { green: { image: 'reg/orders:1.5.0' } };
    }),
  'staged blue→green': () => stagedPipeline(),
  'staged green→blue': () =>
    stagedPipeline((p) => {
      p.spec.active = 'green';
    }),
  'cutover blue→green': () =>
    cutoverPipeline((p) => {
      p.spec.cutover.watermark = W;
    }),
  'cutover green→blue #2': () =>
    cutoverPipeline((p) => {
      p.spec.active = 'green';
      p.spec.cutover = { generation: 2, to: 'blue', watermark: W };
    }),
};

describe('every base → head combination of lifecycle shapes', () => {
  const names = Object.keys(SHAPES);
  const combos = names
    .flatMap((b) => names.map((h) => [b, h] as const))
    .filter(([b, h]) => b !== 'absent' || h !== 'absent');
  it.each(combos)('%s → %s: check and plan answer without throwing', (b, h) => {
    const base = SHAPES[b]!();
    const head = SHAPES[h]!();
    const r = checkPolicy({
      base: base === undefined ? { pipelines: [], diagnostics: [] } : load(base),
      head: head === undefined ? { pipelines: [], diagnostics: [] } : load(head),
      now: NOW,
      statuses: status({ generation: '1', phase: 'Completed', completedAt: '2026-12-01T09:00:00Z' }),
    });
    expect(r.pairs).toHaveLength(1);
    const [plan] = planPairs(r.pairs, NOW);
    expect(plan!.description).toMatch(/^orders: /);
    const errors = r.results.filter((f) => f.severity === 'error').map((f) => f.ruleId);
    // A transition with several steps or none that is legal is refused; the same shape on both sides never is.
    if (r.pairs[0]!.transition.steps.length > 1) expect(errors).toContain('one-step');
    if (r.pairs[0]!.transition.illegal) expect(errors).toContain('lifecycle-transition');
    if (b === h) expect(errors).toEqual([]);
  });
});
