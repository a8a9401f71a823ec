import { findingAt } from '../findings.js';
import type { Finding, Rule, RuleContext } from '../types.js';

export const gateChangedDuringCutover: Rule = {
  id: 'gate-changed-during-cutover',
  severity: 'error',
  summary: 'gate.mode or gate.lateness changes while a cutover generation is in flight.',
  doc: 'The desired ConfigMap carries gate.mode and gate.lateness next to the generation; the gates and the controller decide a generation with them. Changing the mode (filter ↔ tag) in the middle of a handover switches what downstream receives from one record to the next, and changing the lateness moves the completion criterion (W + lateness) after the controller may already have declared the cutover Completed and the old color been torn down. Change the gate only while Steady or Staged, or together with a new generation (reschedule or rollback).',
  transitionOnly: true,
  check: ({ pair }: RuleContext): Finding[] => {
    const { base, head } = pair;
    const bc = base?.pipeline.spec.cutover;
    const hc = head?.pipeline.spec.cutover;
    if (!base || !head || !bc || !hc || bc.generation !== hc.generation) return [];
    const out: Finding[] = [];
    for (const field of ['mode', 'lateness'] as const) {
      const a = base.pipeline.spec.gate[field];
      const b = head.pipeline.spec.gate[field];
      if (a === b) continue;
      out.push(
        findingAt(
          gateChangedDuringCutover,
          head,
          `/spec/gate/${field}`,
          `gate.${field} changes from ${a} to ${b} while cutover #${bc.generation} is in flight`,
          `keep gate.${field}: ${a} until the cutover is torn down, or change it with a new generation`,
        ),
      );
    }
    return out;
  },
};
