import { colorsOf } from '../../spec/effective.js';
import { configPointer, effectiveConfig, isZeroDuration, setFor } from '../config.js';
import { dedupe, findingAt } from '../findings.js';
import type { Finding, Rule, RuleContext } from '../types.js';

export const processingTime: Rule = {
  id: 'processing-time',
  severity: 'error',
  summary: 'Processing-time semantics are configured, or watermarks are disabled.',
  doc: "The handover is defined in event time: the gate compares each record's timestamp and the watermark with the committed W. With processing-time semantics (pipeline.time-characteristic: ProcessingTime) the two colors assign records to windows by their own wall clocks, so the same input yields different output from each, and there is no watermark to arm or complete the cutover on; with pipeline.auto-watermark-interval set to 0 periodic watermarks never advance and the cutover can never complete. Switch the job to event time with watermarks, or do not deploy it blue/green. Checked once the pipeline runs two colors.",
  check: ({ pair }: RuleContext): Finding[] => {
    const head = pair.head;
    if (!head || colorsOf(head.pipeline).length < 2) return [];
    const out: Finding[] = [];
    for (const c of colorsOf(head.pipeline)) {
      const conf = effectiveConfig(head.pipeline, c);
      const tc = conf['pipeline.time-characteristic'];
      if (tc !== undefined && /^processing[-_]?time$/i.test(tc.trim())) {
        const at = configPointer(head.pipeline, c, 'pipeline.time-characteristic');
        out.push(
          findingAt(
            processingTime,
            head,
            at,
            `${setFor(at, c)} use${setFor(at, c) === c ? 's' : ''} processing-time semantics (pipeline.time-characteristic: ${tc}): the colors cannot produce the same output`,
            'use event time (EventTime) with watermarks',
          ),
        );
      }
      const wi = conf['pipeline.auto-watermark-interval'];
      if (wi !== undefined && isZeroDuration(wi)) {
        const at = configPointer(head.pipeline, c, 'pipeline.auto-watermark-interval');
        out.push(
          findingAt(
            processingTime,
            head,
            at,
            `${setFor(at, c)} disable${setFor(at, c) === c ? 's' : ''} periodic watermarks (pipeline.auto-watermark-interval: ${wi}): the cutover watermark is never reached`,
            'remove it (default 200ms) or set a positive interval',
          ),
        );
      }
    }
    return dedupe(out);
  },
};
