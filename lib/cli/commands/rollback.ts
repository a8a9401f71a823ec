import type { Command } from 'commander';
import { watermarkCommand } from './promotion.js';
import { rollback } from '../../policy/promote/steps.js';
import type { CliIO } from '../io.js';
import { COMMAND_DESCRIPTIONS } from './descriptions.js';

/** `flink-cutover rollback <pipeline> --at W'`: Cutover(g) A→B → Cutover(g+1) B→A. */
export function registerRollback(program: Command, io: CliIO): void {
  watermarkCommand(
    program,
    io,
    {
      name: 'rollback',
      description: COMMAND_DESCRIPTIONS.rollback,
      atHelp: 'the rollback watermark: ISO-8601 with zone or +DURATION after --now',
    },
    rollback,
  );
}
