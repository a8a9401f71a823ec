import type { Command } from 'commander';
import { checkPolicy } from '../../policy/engine.js';
import {
  FORMATS,
  formatGithub,
  formatJson,
  formatJunit,
  formatSarif,
  formatText,
} from '../../policy/format.js';
import type { Format } from '../../policy/format.js';
import { InputError, loadSides, parseNow, readStatuses } from '../../policy/inputs.js';
import { RULES } from '../../policy/rules/index.js';
import type { CliIO } from '../io.js';
import { defineAction, UsageError } from '../io.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../spec/paths.js';
import { COMMAND_DESCRIPTIONS } from './descriptions.js';

interface CheckOpts {
  head: string;
  base?: string;
  baseRef?: string;
  now?: string;
  status?: string;
  allowUnknownStatus?: boolean;
  format: string;
}

function toolVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string })
    .version;
}

/** `flink-cutover check`: the pull-request policy check. */
export function registerCheck(program: Command, io: CliIO): void {
  const cmd = program
    .command('check')
    .description(COMMAND_DESCRIPTIONS.check)
    .option('--head <dir>', 'folder of pipeline specs at head (the pull request)', 'apps/pipelines')
    .option('--base <dir>', 'folder of pipeline specs at base')
    .option(
      '--base-ref <gitref>',
      'read the base specs of the same folder from git at this ref (e.g. origin/main), without checking out',
    )
    .option('--now <iso>', 'the time the check assumes (ISO-8601); default: now')
    .option(
      '--status <file>',
      'the <pipeline>-cutover-status ConfigMap(s), JSON or YAML (a List or several documents); needed to allow a teardown, a rollback or a rescheduled or withdrawn cutover. A file without the status of a pipeline taking such a step is a usage error',
    )
    .option(
      '--allow-unknown-status',
      "for a CI without cluster access: run without the controller's status; the steps that need it (teardown, rollback, rescheduling or withdrawing a cutover) are then warnings instead of errors, and the output says the status was not checked",
    )
    .option('--format <format>', `output format: ${FORMATS.join(', ')}`, 'text')
    .addHelpText(
      'after',
      `\nRules: ${RULES.map((r) => r.id).join(', ')}.\nWithout --base or --base-ref only the state at head is checked (no lifecycle step is judged).\nWithout --status a teardown, a rollback and a rescheduled or withdrawn cutover are errors (--allow-unknown-status: warnings).\nExit codes: 0 no errors (warnings allowed), 1 errors found, 2 usage or internal error.`,
    );
  defineAction(cmd, (opts: CheckOpts) => {
    if (!(FORMATS as readonly string[]).includes(opts.format))
      throw new UsageError(`--format ${opts.format}: unknown format; use one of ${FORMATS.join(', ')}`);
    const format = opts.format as Format;
    if (opts.status !== undefined && opts.allowUnknownStatus)
      throw new UsageError('give --status or --allow-unknown-status, not both');
    let result;
    try {
      const now = parseNow(opts.now);
      const statuses = readStatuses(io.cwd, opts.status);
      const sides = loadSides(io.cwd, { head: opts.head, base: opts.base, baseRef: opts.baseRef });
      // Without a base only the head's state is judged: the head is its own base (no lifecycle step).
      result = checkPolicy({
        head: sides.head,
        base: sides.base ?? sides.head,
        now,
        statuses,
        allowUnknownStatus: opts.allowUnknownStatus === true,
      });
    } catch (err) {
      if (err instanceof InputError) throw new UsageError(err.message);
      throw err;
    }
    // A status file that lacks a pipeline whose step needs it is the wrong file (another cluster,
    // namespace or pipeline), never "no status yet".
    if (opts.status !== undefined && result.statusMissing.length > 0)
      throw new UsageError(
        `--status ${opts.status}: no <pipeline>-cutover-status ConfigMap for ${result.statusMissing.map((k) => `pipeline ${k.replace(/^\//, '')} (${k.split('/').pop()}-cutover-status${k.startsWith('/') ? '' : ` in namespace ${k.split('/')[0]}`})`).join(', ')}, whose step needs the controller's status; give the file read from the pipeline's cluster (kubectl -n <namespace> get configmap <pipeline>-cutover-status -o yaml)`,
      );
    const text =
      format === 'json'
        ? formatJson(result)
        : format === 'sarif'
          ? formatSarif(result, RULES, toolVersion())
          : format === 'github'
            ? formatGithub(result)
            : format === 'junit'
              ? formatJunit(result, RULES)
              : formatText(result);
    io.out(text);
    return result.summary.errors > 0 ? 1 : 0;
  });
}
