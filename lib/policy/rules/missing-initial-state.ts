import { effectiveSpec, standbyColor } from '../../spec/effective.js';
import { findingAt } from '../findings.js';
import type { Finding, Rule, RuleContext } from '../types.js';

export const missingInitialState: Rule = {
  id: 'missing-initial-state',
  severity: 'error',
  summary: 'A new standby color has no initialSavepointPath but keeps state.',
  doc: "A new standby color must start from the active color's state (a savepoint or retained checkpoint given as initialSavepointPath): started empty, a stateful job would either replay the whole input retention to rebuild its state, or emit results computed from partial state after the cutover. Only jobs with upgradeMode: stateless may start without it. Stage with `flink-cutover stage --from-savepoint PATH` or `--from-latest-checkpoint --rest URL`, or set colors.<standby>.initialSavepointPath.",
  transitionOnly: true,
  check: ({ pair }: RuleContext): Finding[] => {
    const { base, head } = pair;
    if (!head) return [];
    const s = standbyColor(head.pipeline);
    if (!s) return [];
    if (base?.pipeline.spec.colors[s]) return []; // not new
    const job = effectiveSpec(head.pipeline, s).job;
    const mode = job?.upgradeMode ?? 'stateless';
    if (job?.initialSavepointPath || mode === 'stateless') return [];
    return [
      findingAt(
        missingInitialState,
        head,
        `/spec/colors/${s}`,
        `new standby color ${s} has no initialSavepointPath while its upgradeMode is ${mode}: it would start without state`,
        `set colors.${s}.initialSavepointPath to a savepoint or retained checkpoint of ${head.pipeline.spec.active} (flink-cutover stage --from-savepoint PATH)`,
      ),
    ];
  },
};
