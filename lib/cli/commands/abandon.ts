import type { Command } from 'commander';
import { promotionCommand, runPromotion } from './promotion.js';
import { abandon } from '../../policy/promote/steps.js';
import type { CliIO } from '../io.js';
import { COMMAND_DESCRIPTIONS } from './descriptions.js';

/** `flink-cutover abandon <pipeline>`: Staged → Steady. */
export function registerAbandon(program: Command, io: CliIO): void {
  promotionCommand(
    program,
    {
      name: 'abandon',
      description: COMMAND_DESCRIPTIONS.abandon,
    },
    async (pipeline, opts) => runPromotion(io, pipeline, opts, () => (doc, p) => abandon(doc, p)),
  );
}
