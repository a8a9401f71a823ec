import type { Command } from 'commander';
import { watermarkCommand } from './promotion.js';
import { rollback } from '../../policy/promote/steps.js';
import type { CliIO } from '../io.js';

/** `flink-cutover rollback <pipeline> --at W'`: Cutover(g) A→B → Cutover(g+1) B→A. */
export function registerRollback(program: Command, io: CliIO): void {
  watermarkCommand(
    program,
    io,
    {
      name: 'rollback',
      description:
        "Hand the output back to the old color after a completed cutover: the new color becomes active and a new generation cuts over to the old one at W'. Pass --status so the check can see the cutover completed.",
      atHelp: 'the rollback watermark: ISO-8601 with zone or +DURATION after --now',
    },
    rollback,
  );
}
