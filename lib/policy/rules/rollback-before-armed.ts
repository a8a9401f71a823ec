import { findingAt, missingStatus } from '../findings.js';
import type { Finding, Rule, RuleContext } from '../types.js';

export const rollbackBeforeArmed: Rule = {
  id: 'rollback-before-armed',
  severity: 'error',
  summary: 'A rollback of a cutover that has not completed (the id predates the stricter rule).',
  doc: 'A rollback makes the color that took over the active one and commits a new generation back to the old color (the lifecycle: Cutover(g), Completed --rollback--> Cutover(g+1)). That is right only once the previous cutover is Completed: both colors have then committed past W + lateness, so every record before W is settled. While it is only Armed, the cutover ConfigMap of the new generation no longer carries the previous W, so a color still behind W would decide records before it by the new generation and emit them a second time (or drop them); and if it was Pending or Rejected the new color never owned anything, and the rollback would hand it the output until the new generation arms. Wait for Completed (a cutover never leaves Armed except to Completed), or withdraw (`flink-cutover cancel`) or reschedule (`flink-cutover schedule`) a Pending/Rejected cutover instead; pass --status so the check can tell (without it the rollback is refused; --allow-unknown-status makes that a warning).',
  transitionOnly: true,
  check: ({ pair, status, allowUnknownStatus }: RuleContext): Finding[] => {
    const { base, head } = pair;
    if (!head || !base?.pipeline.spec.cutover || !pair.transition.steps.includes('rollback')) return [];
    const g = base.pipeline.spec.cutover.generation;
    if (!status) {
      const m = missingStatus(
        allowUnknownStatus,
        'pass --status with the <pipeline>-cutover-status ConfigMap',
      );
      return [
        findingAt(
          rollbackBeforeArmed,
          head,
          '/spec/cutover',
          `rolls back cutover #${g} without a status: it cannot be checked that it completed`,
          m.fix,
          m.severity,
        ),
      ];
    }
    if (status.generation === g && status.phase === 'Completed') return [];
    if (status.generation === g && status.phase === 'Armed') {
      return [
        findingAt(
          rollbackBeforeArmed,
          head,
          '/spec/cutover',
          `rolls back cutover #${g} while it is Armed, not Completed: a color still before its watermark would decide those records by the new generation and emit them twice`,
          `wait until the status says Completed for #${g}, then roll back`,
        ),
      ];
    }
    return [
      findingAt(
        rollbackBeforeArmed,
        head,
        '/spec/cutover',
        `rolls back cutover #${g}, but the status says ${status.generation === g ? status.phase : `generation ${status.generation}`}: ${base.pipeline.spec.cutover.to} never took over`,
        'withdraw it (flink-cutover cancel --status) or reschedule it (flink-cutover schedule --status) instead of rolling back',
      ),
    ];
  },
};
