import type { Command } from 'commander';
import { parseAt } from '../../policy/promote/at.js';
import { promotionCommand, runPromotion } from '../../policy/promote/command.js';
import { rollback } from '../../policy/promote/steps.js';
import type { CliIO } from '../io.js';
import { UsageError } from '../io.js';

/** `flink-cutover rollback <pipeline> --at W'`: Cutover(g) A→B → Cutover(g+1) B→A. */
export function registerRollback(program: Command, io: CliIO): void {
  promotionCommand(program, {
    name: 'rollback',
    description: 'Hand the output back to the old color after a completed cutover: the new color becomes active and a new generation cuts over to the old one at W\'. Pass --status so the check can see the cutover completed.',
    configure: (cmd) => cmd.option('--at <time>', 'the rollback watermark: ISO-8601 with zone or +DURATION after --now'),
  }, async (pipeline, opts) => {
    if (typeof opts.at !== 'string') throw new UsageError('rollback needs --at <ISO-8601 | +DURATION>');
    const at = opts.at;
    return runPromotion(io, pipeline, opts, (now) => {
      const w = parseAt(at, now);
      return (doc, p, status) => rollback(doc, p, { at: w, now, statusGeneration: status?.generation });
    });
  });
}
