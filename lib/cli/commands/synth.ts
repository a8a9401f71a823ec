import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { synth, SynthOutputError } from '../../constructs/synth.js';
import { formatDiagnostic } from '../../spec/diagnostics.js';
import type { CliIO } from '../io.js';
import { defineAction, UsageError } from '../io.js';
import { COMMAND_DESCRIPTIONS } from './descriptions.js';
import { defaultBranch, GitReadError, hasCommits, mergeBase } from '../../policy/git.js';

interface SynthOpts {
  pipelines: string;
  out: string;
  check?: boolean;
  full?: boolean;
  baseRef?: string;
}

/**
 * The commit whose output `synth --check` may trust: the merge base of HEAD and `--base-ref` (or the
 * default branch: origin/HEAD, main, master), which was checked when it was merged. None (render
 * everything) outside git, with no default branch, or when that merge base is HEAD itself (on the
 * branch, or a push to it): the commit being checked is never trusted.
 */
function trustedBase(dir: string, baseRef: string | undefined): string | undefined {
  if (!hasCommits(dir)) {
    if (baseRef !== undefined)
      throw new UsageError(`--base-ref ${baseRef}: not in a git repository with commits`);
    return undefined;
  }
  const ref = baseRef ?? defaultBranch(dir);
  if (ref === undefined) return undefined;
  try {
    const base = mergeBase(dir, ref);
    // The commit being checked is never trusted (its rendered files may be edited by hand): on the
    // branch itself, or a push to it, every pipeline is rendered.
    if (base === mergeBase(dir, 'HEAD')) return undefined;
    return base;
  } catch (err) {
    if (err instanceof GitReadError && baseRef !== undefined)
      throw new UsageError(`--base-ref ${baseRef}: ${err.message}`);
    if (err instanceof GitReadError) return undefined;
    throw err;
  }
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
      '--base-ref <ref>',
      'with --check, trust the output at the merge base of HEAD and this ref, and render only the pipelines whose spec or rendered file changed since (default: origin/HEAD, else main, else master); when the merge base is HEAD itself (on that branch, or a push to it), every pipeline is rendered',
    )
    .option('--full', 'with --check, render every pipeline (trust no commit)')
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
      const base = opts.check && !opts.full ? trustedBase(pipelinesDir, opts.baseRef) : undefined;
      r = synth({ pipelinesDir, outDir, check: opts.check, ...(base ? { trustedBase: base } : {}) });
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
