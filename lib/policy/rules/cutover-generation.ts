import { findingAt } from '../findings.js';
import { cutoverIsNew, knownGeneration, LAST_GENERATION_ANNOTATION } from '../transition.js';
import type { Finding, Rule, RuleContext } from '../types.js';

export const cutoverGeneration: Rule = {
  id: 'cutover-generation',
  severity: 'error',
  summary: 'A new cutover generation is not greater than every earlier one.',
  doc: `The generation identifies one handover in the gates' checkpointed state and in the controller's status ConfigMap; phases are monotonic per generation. Reusing or lowering a generation (or changing the watermark or direction of a committed generation) makes the gates apply a decision taken for another handover: an Armed or Rejected verdict would carry over to a different watermark. Every new or changed cutover must use a generation greater than every generation known at base: the base cutover, the \`${LAST_GENERATION_ANNOTATION}\` annotation teardown records, and the controller's status when --status is given. Teardown must keep that annotation so the next cutover can count on from it. The promotion commands pick the next generation for you.`,
  transitionOnly: true,
  check: ({ pair, status }: RuleContext): Finding[] => {
    const { base, head } = pair;
    if (!head) return [];
    const known = Math.max(base ? knownGeneration(base.pipeline) : 0, status?.generation ?? 0);
    const out: Finding[] = [];
    if (cutoverIsNew(base?.pipeline, head.pipeline)) {
      const g = head.pipeline.spec.cutover!.generation;
      if (g <= known) {
        out.push(
          findingAt(
            cutoverGeneration,
            head,
            '/spec/cutover/generation',
            `generation ${g} is not greater than ${known}, the highest generation known at base${status && status.generation === known ? ' (from the status ConfigMap)' : ''}`,
            `use generation ${known + 1}`,
          ),
        );
      }
    } else if (
      base &&
      !head.pipeline.spec.cutover &&
      knownGeneration(head.pipeline) < knownGeneration(base.pipeline)
    ) {
      const g = knownGeneration(base.pipeline);
      out.push(
        findingAt(
          cutoverGeneration,
          head,
          '/metadata',
          `the spec forgets cutover generation ${g}: the next cutover could reuse it`,
          `keep annotation ${LAST_GENERATION_ANNOTATION}: "${g}" in metadata.annotations`,
        ),
      );
    }
    return out;
  },
};
