import type { Command } from 'commander';
import { parseAt } from '../../policy/promote/at.js';
import { promotionCommand, runPromotion } from '../../policy/promote/command.js';
import { schedule } from '../../policy/promote/steps.js';
import type { CliIO } from '../io.js';
import { UsageError } from '../io.js';

/** `flink-cutover schedule <pipeline> --at W`: Staged → Cutover(g). */
export function registerSchedule(program: Command, io: CliIO): void {
  promotionCommand(program, {
    name: 'schedule',
    description: 'Commit the cutover to the staged standby color at event time W (Staged → Cutover): the next generation, to the standby, watermark W. On a cutover the controller Rejected, commit the next generation with a later W (pass --status; refused once Armed or Completed).',
    configure: (cmd) => cmd.option('--at <time>', 'the cutover watermark: ISO-8601 with zone (2026-12-01T12:00:00Z) or +DURATION after --now (+30m, +2h)'),
  }, async (pipeline, opts) => {
    if (typeof opts.at !== 'string') throw new UsageError('schedule needs --at <ISO-8601 | +DURATION>');
    const at = opts.at;
    return runPromotion(io, pipeline, opts, (now) => {
      const w = parseAt(at, now);
      return (doc, p, status) => schedule(doc, p, { at: w, now, statusGeneration: status?.generation });
    });
  });
}
