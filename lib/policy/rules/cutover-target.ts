import { findingAt } from '../findings.js';
import { cutoverIsNew } from '../transition.js';
import type { Finding, Rule, RuleContext } from '../types.js';

export const cutoverTarget: Rule = {
  id: 'cutover-target',
  severity: 'error',
  summary: 'cutover.to is not the staged standby color, or equals active.',
  doc: 'A cutover hands the output from the active color to a standby color that was staged in an earlier pull request, so that its validation gate had time to prove it (running, checkpoints, watermark lag). A cutover to the active color itself, to a color that does not exist, or to a color added in the same change would arm a gate that never validated, or none at all. Set cutover.to to the standby color that is already staged at base (`flink-cutover schedule` does this), or stage it first.',
  transitionOnly: true,
  check: ({ pair }: RuleContext): Finding[] => {
    const { base, head } = pair;
    if (!head || !cutoverIsNew(base?.pipeline, head.pipeline)) return [];
    const to = head.pipeline.spec.cutover!.to;
    const b = base?.pipeline;
    if (!b || !b.spec.colors[to]) {
      return [
        findingAt(
          cutoverTarget,
          head,
          '/spec/cutover/to',
          `cutover to ${to}, which is not staged at base (it has not been validated)`,
          `stage ${to} in its own pull request first (flink-cutover stage), then schedule the cutover`,
        ),
      ];
    }
    if (
      b.spec.cutover &&
      b.spec.cutover.to !== to &&
      b.spec.active === to &&
      head.pipeline.spec.active === b.spec.cutover.to
    )
      return []; // rollback: back to the previous owner
    if (!b.spec.cutover && b.spec.active === to) {
      return [
        findingAt(
          cutoverTarget,
          head,
          '/spec/cutover/to',
          `cutover to ${to}, which is the active color at base`,
          'cut over to the standby color',
        ),
      ];
    }
    return [];
  },
};
