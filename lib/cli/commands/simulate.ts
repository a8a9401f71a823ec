import type { Command } from 'commander';
import { Option } from 'commander';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { simulate } from '../../simulate/engine.js';
import type { RunResult } from '../../simulate/engine.js';
import { guaranteeHeld, runJson, runText, sweepJson, sweepText } from '../../simulate/report.js';
import { loadScenarioText } from '../../simulate/scenario.js';
import type { Scenario } from '../../simulate/scenario.js';
import { STRATEGIES, isStrategy } from '../../simulate/strategies.js';
import type { Strategy } from '../../simulate/strategies.js';
import { runSvg } from '../../simulate/svg.js';
import { sweep, sweepScenario } from '../../simulate/sweep.js';
import { formatDiagnostic } from '../../spec/diagnostics.js';
import type { CliIO } from '../io.js';
import { defineAction, UsageError } from '../io.js';
import { COMMAND_DESCRIPTIONS } from './descriptions.js';

interface SimulateOpts {
  scenario?: string;
  seed: string;
  runs?: string;
  run?: string;
  strategy: string;
  format: string;
  svg?: string;
}

function nonNegativeInt(name: string, v: string, max: number): number {
  if (!/^\d+$/.test(v) || Number(v) > max)
    throw new UsageError(`${name} ${JSON.stringify(v)}: expected an integer from 0 to ${max}`);
  return Number(v);
}

/** `flink-cutover simulate`: the handover simulator (one scenario, one random run, or a sweep). */
export function registerSimulate(program: Command, io: CliIO): void {
  const cmd = program
    .command('simulate')
    .description(COMMAND_DESCRIPTIONS.simulate)
    .option(
      '--scenario <file>',
      'replay one scenario (YAML or JSON; format in the README, examples in apps/scenarios/)',
    )
    .option('--seed <n>', 'seed of the random scenarios', '1')
    .option('--runs <n>', 'sweep this many random scenarios (default 1: one run, reported in detail)')
    .option(
      '--run <i>',
      'replay run i of the sweep with --seed in detail (as listed by a sweep with violations)',
    )
    .addOption(
      new Option(
        '--strategy <name>',
        `two-phase (the protocol), watermark-gate (the naive switch: each subtask switches when its own watermark crosses W), or the protocol minus one rule: ${STRATEGIES.slice(2).join(', ')}`,
      ).default('two-phase'),
    )
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option(
      '--svg <file>',
      'also write an SVG timeline of the run (for a sweep: of the first violating run, else run 0)',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  flink-cutover simulate --scenario apps/scenarios/blue-to-green.yaml --svg handover.svg\n  flink-cutover simulate --runs 2000 --seed 1 --format json\n  flink-cutover simulate --runs 500 --strategy watermark-gate\n' +
        '\nExit codes: 0 every record emitted exactly once (at least once when the active color has gate: false), 1 duplicates or missing records found, 2 usage error or malformed scenario.',
    );
  defineAction(cmd, (opts: SimulateOpts) => {
    if (!isStrategy(opts.strategy))
      throw new UsageError(`--strategy ${opts.strategy}: must be one of ${STRATEGIES.join(', ')}`);
    const strategy: Strategy = opts.strategy;
    const seed = nonNegativeInt('--seed', opts.seed, 4294967295);
    const runs = opts.runs === undefined ? undefined : nonNegativeInt('--runs', opts.runs, 1_000_000);
    if (runs === 0) throw new UsageError('--runs 0: nothing to simulate');
    const runIndex = opts.run === undefined ? undefined : nonNegativeInt('--run', opts.run, 1_000_000);
    if (opts.scenario !== undefined && (runs !== undefined || runIndex !== undefined))
      throw new UsageError('--scenario replays one scenario; it cannot be combined with --runs or --run');
    if (opts.scenario !== undefined && cmd.getOptionValueSource('seed') !== 'default')
      throw new UsageError(
        '--seed does not apply to --scenario: the scenario file has its own seed (the seed: field)',
      );
    if (runs !== undefined && runIndex !== undefined)
      throw new UsageError('--run replays one run of a sweep; it cannot be combined with --runs');
    const svgPath = opts.svg === undefined ? undefined : resolve(io.cwd, opts.svg);

    const single = (scenario: Scenario, title: string): number => {
      const r = simulate(scenario, { strategy, trace: true });
      if (svgPath) writeSvg(r, title, scenario.cutover.latenessMs);
      io.out(
        opts.format === 'json'
          ? JSON.stringify(runJson(r)) + '\n'
          : runText(r, title) + (svgPath ? `\nSVG timeline written to ${opts.svg}\n` : ''),
      );
      return guaranteeHeld(r) ? 0 : 1;
    };
    const writeSvg = (r: RunResult, title: string, lateness: number): void => {
      try {
        writeFileSync(svgPath!, runSvg(r, title, lateness));
      } catch (e) {
        throw new UsageError(`--svg ${opts.svg}: cannot write: ${(e as Error).message}`);
      }
    };

    if (opts.scenario !== undefined) {
      const file = resolve(io.cwd, opts.scenario);
      if (!existsSync(file)) throw new UsageError(`--scenario ${opts.scenario}: no such file`);
      if (!statSync(file).isFile())
        throw new UsageError(
          `--scenario ${opts.scenario}: not a file (give a scenario file, e.g. apps/scenarios/blue-to-green.yaml)`,
        );
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        throw new UsageError(`--scenario ${opts.scenario}: cannot read: ${(e as Error).message}`);
      }
      const loaded = loadScenarioText(opts.scenario, text);
      if (!loaded.scenario) {
        io.err(loaded.diagnostics.map(formatDiagnostic).join('\n') + '\n');
        io.err(
          `flink-cutover: ${opts.scenario}: malformed scenario (${loaded.diagnostics.length} problem(s)); see the README section "The handover" for the format\n`,
        );
        return 2;
      }
      return single(loaded.scenario, `scenario "${loaded.scenario.name}" (${opts.scenario})`);
    }
    if (runIndex !== undefined || runs === undefined || runs === 1) {
      const i = runIndex ?? 0;
      return single(sweepScenario(seed, i), `random scenario: seed ${seed}, run ${i}`);
    }
    let firstBad: number | undefined;
    const summary = sweep(seed, runs, strategy, (r, i) => {
      if (firstBad === undefined && r.duplicates + r.missing > 0) firstBad = i;
    });
    let svgNote = '';
    if (svgPath) {
      const i = firstBad ?? 0;
      const scenario = sweepScenario(seed, i);
      writeSvg(
        simulate(scenario, { strategy, trace: true }),
        `seed ${seed}, run ${i} (${strategy})`,
        scenario.cutover.latenessMs,
      );
      svgNote = `\nSVG timeline of run ${i}${firstBad === undefined ? '' : ' (the first violating run)'} written to ${opts.svg}\n`;
    }
    io.out(opts.format === 'json' ? JSON.stringify(sweepJson(summary)) + '\n' : sweepText(summary) + svgNote);
    return summary.violatingRuns > 0 ? 1 : 0;
  });
}
