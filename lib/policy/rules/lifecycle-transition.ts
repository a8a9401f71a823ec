import { findingAt, missingStatus } from '../findings.js';
import type { Finding, Rule, RuleContext } from '../types.js';

export const lifecycleTransition: Rule = {
  id: 'lifecycle-transition',
  severity: 'error',
  summary: 'The change is not a lifecycle step at all, or withdraws a cutover that may be armed.',
  doc: 'The active color may change only through a committed cutover and its teardown (or a rollback, which is a new generation): switching `active` directly hands the output to a job whose gate has not armed, so records are lost or emitted twice. Likewise a cutover the controller has Armed or Completed cannot be withdrawn by deleting the cutover block, nor rescheduled (a new generation in the same direction with another watermark would hand records already emitted by one color to the other); phases are monotonic, and undoing a cutover is a rollback once it has Completed. Withdrawing or rescheduling is fine when the status says Pending or Rejected (`flink-cutover schedule` reschedules a Rejected cutover). Use the promotion commands, which only produce legal steps; to undo a completed cutover use `flink-cutover rollback`.',
  transitionOnly: true,
  check: ({ pair, status, statusKnown, allowUnknownStatus }: RuleContext): Finding[] => {
    const head = pair.head;
    if (!head) return [];
    if (pair.transition.illegal) {
      return [
        findingAt(
          lifecycleTransition,
          head,
          '/spec/active',
          `illegal lifecycle change ${pair.baseState} → ${pair.headState}: ${pair.transition.illegal}`,
          'restore the base spec and move one step at a time with the promotion commands (stage, schedule, cancel, teardown, rollback, abandon)',
        ),
      ];
    }
    // Withdrawing a cutover, or replacing it by a new generation in the same direction with another
    // watermark, changes who owns records the controller may already have decided on.
    const withdraw = pair.transition.steps.includes('unschedule');
    if ((!withdraw && !pair.transition.steps.includes('reschedule')) || !pair.base?.pipeline.spec.cutover)
      return [];
    const g = pair.base.pipeline.spec.cutover.generation;
    const at = withdraw ? '/spec' : '/spec/cutover';
    if (status && status.generation === g && (status.phase === 'Pending' || status.phase === 'Rejected'))
      return [];
    if (status && status.generation === g) {
      return [
        findingAt(
          lifecycleTransition,
          head,
          at,
          `cutover #${g} is ${status.phase}; ${withdraw ? 'removing the cutover block' : 'rescheduling it with a new generation and watermark'} cannot undo it`,
          withdraw
            ? '`flink-cutover rollback` instead: a new generation handing the output back'
            : 'let it complete and tear down, or `flink-cutover rollback` to hand the output back',
        ),
      ];
    }
    const fix =
      'pass --status with the <pipeline>-cutover-status ConfigMap showing Pending or Rejected (flink-cutover cancel --status), or roll back instead';
    // A status of another generation: the controller has not decided this one yet (a warning, as
    // before); no status at all cannot tell anything.
    const m = status ? { severity: 'warning' as const, fix } : missingStatus(allowUnknownStatus, fix);
    return [
      findingAt(
        lifecycleTransition,
        head,
        at,
        `${withdraw ? 'withdraws' : 'reschedules'} cutover #${g} without knowing whether the controller armed it (${statusKnown ? `status is for generation ${status?.generation ?? 'none'}` : 'no --status given'})`,
        m.fix,
        m.severity,
      ),
    ];
  },
};
