import type { Command } from 'commander';
import { watermarkCommand } from './promotion.js';
import { schedule } from '../../policy/promote/steps.js';
import type { CliIO } from '../io.js';
import { COMMAND_DESCRIPTIONS } from './descriptions.js';

/** `flink-cutover schedule <pipeline> --at W`: Staged → Cutover(g). */
export function registerSchedule(program: Command, io: CliIO): void {
  watermarkCommand(
    program,
    io,
    {
      name: 'schedule',
      description: COMMAND_DESCRIPTIONS.schedule,
      atHelp:
        'the cutover watermark: ISO-8601 with zone (2026-12-01T12:00:00Z) or +DURATION after --now (+30m, +2h)',
    },
    schedule,
  );
}
