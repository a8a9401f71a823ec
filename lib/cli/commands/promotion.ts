import type { Command } from 'commander';
import { resolve } from 'node:path';
import type { SpecEdit } from '../../policy/promote/yaml-edit.js';
import type { CliIO } from '../io.js';
import { defineAction, UsageError } from '../io.js';
import type { Pipeline } from '../../spec/types.js';
import { InputError, parseNow, readStatuses } from '../../policy/inputs.js';
import type { CutoverStatus } from '../../policy/status.js';
import { parseAt, PromotionArgError } from '../../policy/promote/at.js';
import { formatPromotion } from './promotion-report.js';
import { promote } from '../../policy/promote/run.js';
import type { PromotionOutcome, ScheduleOptions } from '../../policy/promote/steps.js';

/** Options every promotion command shares. */
export interface CommonPromotionOpts {
  pipelines: string;
  namespace?: string;
  now?: string;
  status?: string;
  allowUnknownStatus?: boolean;
  dryRun?: boolean;
  synth?: boolean;
  baseRef?: string;
  out: string;
}

/** Adds the shared options (`--pipelines`, `--namespace`, `--now`, `--status`, `--dry-run`). */
export function withCommonOptions(cmd: Command): Command {
  return cmd
    .option('--pipelines <dir>', 'folder of pipeline specs (*.yaml)', 'apps/pipelines')
    .option('--namespace <ns>', "the pipeline's namespace, when several pipelines share the name")
    .option('--now <iso>', 'the time lead times are measured from (ISO-8601); default: now')
    .option(
      '--status <file>',
      'the <pipeline>-cutover-status ConfigMap (JSON or YAML), checked like `check --status`',
    )
    .option(
      '--allow-unknown-status',
      'without --status, judge the edit as `check --allow-unknown-status` does: a teardown, rollback or reschedule is then a warning, not refused (the pull-request check needs the same flag or the status)',
    )
    .option('--dry-run', 'print the PR title and body but do not write the file')
    .option(
      '--base-ref <ref>',
      'compare with the merge base of HEAD and this ref, as the pull-request check will (default: origin/HEAD, else main, else master)',
    )
    .option(
      '--out <dir>',
      'output folder of `flink-cutover synth`, where the pipeline is rendered again',
      'dist',
    )
    .option('--no-synth', 'edit only the spec; do not re-render its files in the output folder')
    .addHelpText(
      'after',
      "\nThe spec is edited in place, comments and formatting kept, and the pipeline's files in the output folder are rendered again (as `flink-cutover synth` would). The step is refused (exit 1, nothing written) when it is illegal from the current state, the edit would fail `flink-cutover check`, or, in a git repository, the pull request would take two steps from the merge base (a step not merged yet plus this one).\nExit codes: 0 edited, 1 refused, 2 usage error.",
    );
}

/** Runs one promotion edit for a command action and prints the outcome; returns the exit code. */
export async function runPromotion(
  io: CliIO,
  pipeline: string,
  opts: CommonPromotionOpts,
  makeEdit: (
    now: number,
  ) =>
    | Promise<(doc: SpecEdit, p: Pipeline, status: CutoverStatus | undefined) => PromotionOutcome>
    | ((doc: SpecEdit, p: Pipeline, status: CutoverStatus | undefined) => PromotionOutcome),
): Promise<number> {
  try {
    // Whole seconds: `--at +30m` then lands exactly 30m after now, and the PR body says "30m", not "30m0s769ms".
    const now = Math.floor(parseNow(opts.now) / 1000) * 1000;
    if (opts.allowUnknownStatus && opts.status !== undefined)
      throw new UsageError('--allow-unknown-status and --status contradict each other: give one of them');
    const statuses = readStatuses(io.cwd, opts.status);
    const apply = await makeEdit(now);
    const r = promote({
      cwd: io.cwd,
      pipelinesDir: opts.pipelines,
      pipeline,
      namespace: opts.namespace,
      now,
      statuses,
      allowUnknownStatus: opts.allowUnknownStatus === true && !statuses ? true : undefined,
      dryRun: opts.dryRun,
      baseRef: opts.baseRef,
      synth: opts.synth === false ? undefined : { outDir: resolve(io.cwd, opts.out), outShown: opts.out },
      apply,
    });
    const text = formatPromotion(r);
    if (text.err) io.err(text.err);
    if (r.note && !r.refused) io.err(`note: ${r.note}\n`);
    if (text.out) io.out(text.out);
    return r.refused ? 1 : 0;
  } catch (err) {
    if (err instanceof InputError || err instanceof PromotionArgError) throw new UsageError(err.message);
    throw err;
  }
}

/** Registers a promotion command with its shared options and action. */
export function promotionCommand(
  program: Command,
  spec: { name: string; description: string; configure?: (cmd: Command) => Command },
  action: (pipeline: string, opts: CommonPromotionOpts & Record<string, unknown>) => Promise<number>,
): void {
  let cmd = program
    .command(spec.name)
    .argument('<pipeline>', 'pipeline name (metadata.name)')
    .description(spec.description);
  if (spec.configure) cmd = spec.configure(cmd);
  withCommonOptions(cmd);
  defineAction(cmd, (pipeline: string, opts: CommonPromotionOpts & Record<string, unknown>) =>
    action(pipeline, opts),
  );
}

/**
 * A promotion command that commits a watermark (`schedule`, `rollback`): `--at ISO|+DURATION` is
 * required and parsed against `--now`, then `step` edits the spec.
 */
export function watermarkCommand(
  program: Command,
  io: CliIO,
  spec: { name: string; description: string; atHelp: string },
  step: (doc: SpecEdit, p: Pipeline, o: ScheduleOptions) => PromotionOutcome,
): void {
  promotionCommand(
    program,
    {
      name: spec.name,
      description: spec.description,
      configure: (cmd) => cmd.option('--at <time>', spec.atHelp),
    },
    async (pipeline, opts) => {
      const at = opts.at;
      if (typeof at !== 'string') throw new UsageError(`${spec.name} needs --at <ISO-8601 | +DURATION>`);
      return runPromotion(io, pipeline, opts, (now) => {
        const w = parseAt(at, now);
        return (doc, p, status) => step(doc, p, { at: w, now, statusGeneration: status?.generation });
      });
    },
  );
}
