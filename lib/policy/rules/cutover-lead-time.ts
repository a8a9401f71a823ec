import { formatDuration, parseDuration } from '../../spec/duration.js';
import { findingAt } from '../findings.js';
import { isoSeconds } from '../time.js';
import { cutoverIsNew } from '../transition.js';
import type { Finding, Rule, RuleContext } from '../types.js';

/** Further ahead than this, a committed watermark is probably a typo (a warning). */
export const MAX_LEAD_MS = 7 * 86_400_000;

export const cutoverLeadTime: Rule = {
  id: 'cutover-lead-time',
  severity: 'error',
  summary: 'The cutover watermark is closer than policy.minLeadTime (or more than 7 days ahead).',
  doc: "Both gates must learn of a generation before either processes a record at or past its watermark W, or the controller rejects it (the handover is a two-phase commit on event time). The time between merge and W covers review, Argo CD sync, ConfigMap propagation and the jobs' lag, so W must lie at least policy.minLeadTime after now (--now; default the current time). A W more than 7 days ahead is allowed but warned about: it keeps both colors running, and paying, for that long, and is often a typo. Pick a later watermark (`flink-cutover schedule --at +30m`) or raise minLeadTime in the spec if the pipeline is slow to propagate.",
  transitionOnly: true,
  check: ({ pair, now }: RuleContext): Finding[] => {
    const { base, head } = pair;
    if (!head || !cutoverIsNew(base?.pipeline, head.pipeline)) return [];
    const w = Date.parse(head.pipeline.spec.cutover!.watermark);
    if (Number.isNaN(w)) return [];
    const min = parseDuration(head.pipeline.spec.policy.minLeadTime);
    const lead = w - now;
    // Shown to the second: a --now with milliseconds (the default, the clock) would print "10m231ms".
    const human = (ms: number) => formatDuration(Math.abs(ms) >= 1000 ? Math.round(ms / 1000) * 1000 : ms);
    const when = isoSeconds(now);
    if (lead < min) {
      return [
        findingAt(
          cutoverLeadTime,
          head,
          '/spec/cutover/watermark',
          `watermark ${head.pipeline.spec.cutover!.watermark} is ${lead < 0 ? `${human(-lead)} in the past` : `only ${human(lead)} after now`} (${when}); policy.minLeadTime is ${head.pipeline.spec.policy.minLeadTime}`,
          `set the watermark to ${isoSeconds(Math.ceil((now + min) / 1000) * 1000)} or later (flink-cutover schedule --at +${formatDuration(min)})`,
        ),
      ];
    }
    if (lead > MAX_LEAD_MS) {
      return [
        findingAt(
          cutoverLeadTime,
          head,
          '/spec/cutover/watermark',
          `watermark ${head.pipeline.spec.cutover!.watermark} is ${human(lead)} after now (${when}): both colors keep running until then`,
          'check the date; a cutover is usually scheduled within hours',
          'warning',
        ),
      ];
    }
    return [];
  },
};
