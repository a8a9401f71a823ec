import type { Command } from 'commander';
import { promotionCommand, runPromotion } from './promotion.js';
import { teardown } from '../../policy/promote/steps.js';
import type { CliIO } from '../io.js';

/** `flink-cutover teardown <pipeline>`: Cutover(g) → Steady(new color). */
export function registerTeardown(program: Command, io: CliIO): void {
  promotionCommand(
    program,
    {
      name: 'teardown',
      description:
        'Remove the old color once the cutover is Completed and policy.teardownDelay has passed (Cutover → Steady). Pass --status with the <pipeline>-cutover-status ConfigMap; without it the step is allowed with a warning.',
    },
    async (pipeline, opts) => runPromotion(io, pipeline, opts, () => (doc, p) => teardown(doc, p)),
  );
}
