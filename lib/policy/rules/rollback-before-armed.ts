import { findingAt } from '../findings.js';
import type { Finding, Rule, RuleContext } from '../types.js';

export const rollbackBeforeArmed: Rule = {
  id: 'rollback-before-armed',
  severity: 'error',
  summary: 'A rollback of a cutover the controller never armed.',
  doc: 'A rollback makes the color that took over the active one and commits a new generation back to the old color. That is right only when the previous cutover was Armed or Completed: then the new color does own records from W on. If it was Pending or Rejected the new color never owned anything, and the rollback would hand it the output until the new generation arms. Withdraw or reschedule a Pending/Rejected cutover instead (edit or remove the cutover block); pass --status so the check can tell.',
  check: ({ pair, status }: RuleContext): Finding[] => {
    const { base, head } = pair;
    if (!head || !base?.pipeline.spec.cutover || !pair.transition.steps.includes('rollback')) return [];
    const g = base.pipeline.spec.cutover.generation;
    if (!status) {
      return [findingAt(rollbackBeforeArmed, head, '/spec/cutover', `rolls back cutover #${g} without a status: it cannot be checked that it was armed`, 'pass --status with the <pipeline>-cutover-status ConfigMap', 'warning')];
    }
    if (status.generation === g && (status.phase === 'Armed' || status.phase === 'Completed')) return [];
    return [findingAt(rollbackBeforeArmed, head, '/spec/cutover', `rolls back cutover #${g}, but the status says ${status.generation === g ? status.phase : `generation ${status.generation}`}: ${base.pipeline.spec.cutover.to} never took over`,
      'remove or reschedule the cutover block instead of rolling back')];
  },
};
