import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { synth, SynthOutputError } from '../../constructs/synth.js';
import { formatDiagnostic } from '../../spec/diagnostics.js';
import type { CliIO } from '../io.js';
import { defineAction, UsageError } from '../io.js';
import { COMMAND_DESCRIPTIONS } from './descriptions.js';

interface SynthOpts {
  pipelines: string;
  out: string;
  check?: boolean;
  full?: boolean;
}

/** `flink-cutover synth`: render every pipeline spec into manifests. */
export function registerSynth(program: Command, io: CliIO): void {
  const cmd = program
    .command('synth')
    .description(COMMAND_DESCRIPTIONS.synth)
    .option('--pipelines <dir>', 'folder of pipeline specs (*.yaml)', 'apps/pipelines')
    .option('--out <dir>', 'output folder for the rendered *.k8s.yaml files', 'dist')
    .option(
      '--check',
      'write nothing; exit 1 and name the files when the output folder is not what synth renders now',
    )
    .option(
      '--full',
      'with --check, render every pipeline, also those git shows unchanged since the output folder was last committed',
    )
    .addHelpText(
      'after',
      "\nflink-cutover.yaml in the project root (the nearest folder above the specs with .git, cdk8s.yaml or package.json), when present, sets the verify Job's image (verify.image) and, with an argocd section, adds <out>/argocd/applications.yaml (one Argo CD Application per pipeline) and <out>/argocd/argocd-cm.patch.yaml (the FlinkDeployment health check).\nExit codes: 0 ok, 1 invalid specs or configuration, or (with --check) stale output, 2 usage error.",
    );
  defineAction(cmd, (opts: SynthOpts) => {
    const pipelinesDir = resolve(io.cwd, opts.pipelines);
    if (!existsSync(pipelinesDir) || !statSync(pipelinesDir).isDirectory()) {
      throw new UsageError(`--pipelines ${opts.pipelines}: no such folder`);
    }
    const outDir = resolve(io.cwd, opts.out);
    if (existsSync(outDir) && !statSync(outDir).isDirectory())
      throw new UsageError(`--out ${opts.out}: not a folder`);
    let r;
    try {
      r = synth({ pipelinesDir, outDir, check: opts.check, incremental: !opts.full });
    } catch (err) {
      if (err instanceof SynthOutputError) throw new UsageError(`--out ${opts.out}: ${err.message}`);
      throw err;
    }
    if (r.diagnostics.length > 0) {
      io.err(r.diagnostics.map(formatDiagnostic).join('\n') + '\n');
      io.err(`${r.diagnostics.length} error(s); nothing written to ${opts.out}\n`);
      return 1;
    }
    if (opts.check) {
      const stale = [
        ...r.changed.map((f) => `  ${opts.out}/${f} (differs or missing)`),
        ...r.removed.map((f) => `  ${opts.out}/${f} (no pipeline renders it)`),
      ];
      if (stale.length > 0) {
        io.err(
          `${opts.out}/ is not up to date; run \`flink-cutover synth\` and commit:\n${stale.join('\n')}\n`,
        );
        return 1;
      }
      io.out(`${opts.out}/ is up to date (${r.rendered.length} pipeline(s))\n`);
      return 0;
    }
    io.out(
      `rendered ${r.rendered.length} pipeline(s) into ${opts.out}/: ${r.changed.length} written, ${r.unchanged.length} unchanged, ${r.removed.length} removed\n`,
    );
    return 0;
  });
}
