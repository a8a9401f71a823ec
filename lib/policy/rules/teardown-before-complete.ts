import { formatDuration, parseDuration } from '../../spec/duration.js';
import { findingAt, missingStatus } from '../findings.js';
import { isoSeconds } from '../time.js';
import type { Finding, Rule, RuleContext } from '../types.js';

export const teardownBeforeComplete: Rule = {
  id: 'teardown-before-complete',
  severity: 'error',
  summary:
    'The old color is torn down before the controller reported the cutover Completed (plus teardownDelay).',
  doc: "Until both colors' gate watermarks pass W + lateness, the old color still owns late records with timestamps before W; tearing it down earlier loses them, and if the cutover was Rejected it loses the output entirely. The status ConfigMap <name>-cutover-status (passed with --status, JSON or YAML) must say phase Completed for the cutover's generation, and policy.teardownDelay must have passed since completedAt (time to notice problems and roll back). Without --status the check cannot know and refuses (with --allow-unknown-status, for a CI without cluster access, it warns). Wait for Completed (`kubectl get configmap <name>-cutover-status -o yaml > status.yaml`), then teardown.",
  transitionOnly: true,
  check: ({ pair, status, now, allowUnknownStatus }: RuleContext): Finding[] => {
    const { base, head } = pair;
    if (!head || !base?.pipeline.spec.cutover || !pair.transition.steps.includes('teardown')) return [];
    const g = base.pipeline.spec.cutover.generation;
    const old = base.pipeline.spec.active;
    const at = '/spec/active';
    if (!status) {
      const m = missingStatus(
        allowUnknownStatus,
        'pass --status with the <pipeline>-cutover-status ConfigMap (kubectl get configmap ... -o yaml)',
      );
      return [
        findingAt(
          teardownBeforeComplete,
          head,
          at,
          `tears down ${old} without a status for cutover #${g}: it cannot be checked that the cutover completed`,
          m.fix,
          m.severity,
        ),
      ];
    }
    if (status.generation !== g || status.phase !== 'Completed') {
      const what =
        status.generation !== g
          ? `the status is for generation ${status.generation}, not ${g}`
          : `cutover #${g} is ${status.phase}${status.reason ? ` (${status.reason})` : ''}`;
      return [
        findingAt(
          teardownBeforeComplete,
          head,
          at,
          `tears down ${old} but ${what}`,
          status.phase === 'Rejected' && status.generation === g
            ? `keep the old color: schedule a later watermark (flink-cutover schedule ${head.pipeline.metadata.name} --at +30m --status status.yaml, a new generation), or withdraw the cutover (flink-cutover cancel ${head.pipeline.metadata.name} --status status.yaml) and then abandon the standby`
            : 'wait until the controller reports Completed for this generation',
        ),
      ];
    }
    const delay = parseDuration(base.pipeline.spec.policy.teardownDelay);
    if (status.completedAt === undefined) {
      return [
        findingAt(
          teardownBeforeComplete,
          head,
          at,
          `cutover #${g} is Completed but the status has no completedAt: teardownDelay cannot be checked`,
          'check the status ConfigMap',
          'warning',
        ),
      ];
    }
    // Whole seconds, as promotion commands measure `now` (a teardown right after completion must not
    // be refused because completedAt carries milliseconds the truncated now lacks).
    const waited = now - Math.floor(status.completedAt / 1000) * 1000;
    if (waited < delay) {
      return [
        findingAt(
          teardownBeforeComplete,
          head,
          at,
          `cutover #${g} completed ${formatDuration(Math.max(0, waited))} ago; policy.teardownDelay is ${base.pipeline.spec.policy.teardownDelay}`,
          `merge after ${isoSeconds(status.completedAt + delay)}`,
        ),
      ];
    }
    return [];
  },
};
