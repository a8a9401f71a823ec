import type { Command } from 'commander';
import { formatDiagnostic } from '../../spec/diagnostics.js';
import { pairPipelines } from '../../policy/engine.js';
import { InputError, loadSides, parseNow } from '../../policy/inputs.js';
import type { CliIO } from '../io.js';
import { defineAction, UsageError } from '../io.js';
import { COMMAND_DESCRIPTIONS } from './descriptions.js';

interface PlanOpts {
  head: string;
  base?: string;
  baseRef?: string;
  now?: string;
  format: string;
}

/** `flink-cutover plan`: what a pull request does, in words, and which rendered objects change. */
export function registerPlan(program: Command, io: CliIO): void {
  const cmd = program
    .command('plan')
    .description(COMMAND_DESCRIPTIONS.plan)
    .requiredOption('--head <dir>', 'folder of pipeline specs at head')
    .option('--base <dir>', 'folder of pipeline specs at base')
    .option('--base-ref <gitref>', 'read the base specs of the same folder from git at this ref')
    .option('--now <iso>', 'the time relative times are measured from (ISO-8601); default: now')
    .option('--format <format>', 'output format: text or json', 'text')
    .addHelpText('after', '\nExit codes: 0 ok, 1 a spec at head is invalid, 2 usage error.');
  defineAction(cmd, async (opts: PlanOpts) => {
    if (opts.format !== 'text' && opts.format !== 'json')
      throw new UsageError(`--format ${opts.format}: use text or json`);
    let sides;
    let now;
    try {
      now = parseNow(opts.now);
      sides = loadSides(io.cwd, { head: opts.head, base: opts.base, baseRef: opts.baseRef });
    } catch (err) {
      if (err instanceof InputError) throw new UsageError(err.message);
      throw err;
    }
    if (sides.head.diagnostics.length > 0) {
      io.err(sides.head.diagnostics.map(formatDiagnostic).join('\n') + '\n');
      io.err(
        `${sides.head.diagnostics.length} spec error(s) at head; run flink-cutover check for the full report\n`,
      );
      return 1;
    }
    // The plan renders the pairs that change (cdk8s): loaded only when a plan is made.
    const { formatPlan, planPairs } = await import('../../policy/plan.js');
    const plans = planPairs(pairPipelines(sides.head.pipelines, sides.base?.pipelines ?? []), now);
    io.out(opts.format === 'json' ? JSON.stringify({ pipelines: plans }, null, 2) + '\n' : formatPlan(plans));
    return 0;
  });
}
