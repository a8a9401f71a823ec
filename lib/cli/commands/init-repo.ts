import type { Command } from 'commander';
import { relative, resolve } from 'node:path';
import { initRepo, InitRepoError, packageNameFor, REPO_WORKFLOW_FILE } from '../../repo/init-repo.js';
import type { CliIO } from '../io.js';
import { defineAction } from '../io.js';
import { COMMAND_DESCRIPTIONS } from './descriptions.js';

interface InitRepoOpts {
  name?: string;
  dependency?: string;
  repoUrl?: string;
  branch: string;
  verifyImage?: string;
}

/** `flink-cutover init-repo [DIR]`: a new GitOps repo of one's own. */
export function registerInitRepo(program: Command, io: CliIO): void {
  const cmd = program
    .command('init-repo')
    .argument('[dir]', 'folder to create (must not exist or be empty)', '.')
    .description(COMMAND_DESCRIPTIONS['init-repo'])
    .option('--name <name>', 'package name (default: the folder name)')
    .option(
      '--dependency <spec>',
      'the flink-cutover dependency, a version range or e.g. file:flink-cutover-0.1.0.tgz (default: ^<this version>)',
    )
    .option(
      '--repo-url <url>',
      "the repository's git URL: renders the Argo CD Applications (default: left commented out in flink-cutover.yaml)",
    )
    .option('--branch <branch>', 'the branch pull requests target', 'main')
    .option(
      '--verify-image <image>',
      "the verify Job's image (default: ghcr.io/flink-cutover/flink-cutover:<version>)",
    )
    .addHelpText(
      'after',
      '\nThen: cd DIR && git init && npm install && git add . && git commit.\nExit codes: 0 created, 1 the folder is not empty, 2 usage error.',
    );
  defineAction(cmd, (dir: string, opts: InitRepoOpts) => {
    const target = resolve(io.cwd, dir);
    try {
      const r = initRepo(target, {
        name: opts.name ?? packageNameFor(target),
        branch: opts.branch,
        ...(opts.dependency ? { dependency: opts.dependency } : {}),
        ...(opts.repoUrl ? { repoURL: opts.repoUrl } : {}),
        ...(opts.verifyImage ? { verifyImage: opts.verifyImage } : {}),
      });
      const shown = relative(io.cwd, r.dir) || '.';
      io.out(`created ${shown}/ with ${r.files.length} files:\n${r.files.map((f) => `  ${f}`).join('\n')}\n`);
      io.out(
        `next: cd ${shown} && git init -b ${opts.branch} && npm install && git add . && git commit -m "flink-cutover repo"\n`,
      );
      io.out(
        `CI: ${REPO_WORKFLOW_FILE} (set the secret KUBECONFIG_B64 to let the check read the status ConfigMaps)\n`,
      );
      return 0;
    } catch (err) {
      if (err instanceof InitRepoError) {
        io.err(
          `init-repo: ${err.message}\n  fix: name a new folder, e.g. flink-cutover init-repo my-pipelines\n`,
        );
        return 1;
      }
      throw err;
    }
  });
}
