import type { Command } from 'commander';
import { promotionCommand, runPromotion } from './promotion.js';
import { teardown } from '../../policy/promote/steps.js';
import type { CliIO } from '../io.js';
import { COMMAND_DESCRIPTIONS } from './descriptions.js';

/** `flink-cutover teardown <pipeline>`: Cutover(g) → Steady(new color). */
export function registerTeardown(program: Command, io: CliIO): void {
  promotionCommand(
    program,
    {
      name: 'teardown',
      description: COMMAND_DESCRIPTIONS.teardown,
    },
    async (pipeline, opts) => runPromotion(io, pipeline, opts, () => (doc, p) => teardown(doc, p)),
  );
}
