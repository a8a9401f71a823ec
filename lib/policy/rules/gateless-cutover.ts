import { colorsOf, hasGate } from '../../spec/effective.js';
import { findingAt } from '../findings.js';
import { cutoverIsNew } from '../transition.js';
import type { Finding, Rule, RuleContext } from '../types.js';

export const gatelessCutover: Rule = {
  id: 'gateless-cutover',
  severity: 'warning',
  summary: 'A cutover from a color without a gate (at-least-once only), or a standby without a gate.',
  doc: 'An adopted job (gate: false) has no record-level switch: it keeps emitting until it is torn down, so a cutover away from it is at-least-once (records at or after W are emitted by both colors until teardown), which is a warning to accept consciously. A standby color without a gate is an error: it would emit every record as soon as it starts, duplicating the whole output. Give every new color the gate (drop gate: false), and tear down the gateless color promptly after Completed.',
  check: ({ pair }: RuleContext): Finding[] => {
    const { base, head } = pair;
    if (!head) return [];
    const p = head.pipeline;
    const out: Finding[] = [];
    for (const c of colorsOf(p)) {
      if (c === p.spec.active || hasGate(p, c)) continue;
      out.push(
        findingAt(
          gatelessCutover,
          head,
          `/spec/colors/${c}/gate`,
          `standby color ${c} has no gate: it emits every record while the active color does too`,
          `remove gate: false from colors.${c}`,
          'error',
        ),
      );
    }
    if (cutoverIsNew(base?.pipeline, p) && !hasGate(p, p.spec.active)) {
      out.push(
        findingAt(
          gatelessCutover,
          head,
          '/spec/cutover',
          `cutover from ${p.spec.active}, which has no gate: records from the watermark on are emitted by both colors until ${p.spec.active} is torn down (at-least-once)`,
          'accept duplicates downstream, and tear the old color down as soon as the cutover completes',
        ),
      );
    }
    return out;
  },
};
