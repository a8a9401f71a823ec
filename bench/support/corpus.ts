/**
 * A generated project of N pipelines of the example kinds (the three specs of apps/pipelines/,
 * renamed `<name>-<i>`), for the benchmarks: a git repository with the specs committed and,
 * optionally, dist/ rendered and committed.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const EXAMPLES_DIR = join(here, '..', '..', 'apps', 'pipelines');

/** The example specs, as text. */
export function exampleTexts(): { name: string; text: string }[] {
  return readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => ({ name: f.replace(/\.yaml$/, ''), text: readFileSync(join(EXAMPLES_DIR, f), 'utf8') }));
}

/** The spec text of pipeline `i`: example `i % 3`, its name suffixed with `-i`. */
export function corpusText(i: number, examples = exampleTexts()): { file: string; text: string } {
  const ex = examples[i % examples.length]!;
  const name = `${ex.name}-${i}`;
  const text = ex.text
    .replace(new RegExp(`^  name: ${ex.name}$`, 'm'), `  name: ${name}`)
    .replace(new RegExp(`/${ex.name}/`, 'g'), `/${name}/`);
  return { file: `${name}.yaml`, text };
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'bench',
      GIT_AUTHOR_EMAIL: 'bench@example.com',
      GIT_COMMITTER_NAME: 'bench',
      GIT_COMMITTER_EMAIL: 'bench@example.com',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  }).toString();
}

/** A git repository with `apps/pipelines/` holding `n` generated pipelines, committed. */
export function corpusRepo(n: number, prefix = 'fc-bench-'): { root: string; pipelines: string } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const pipelines = join(root, 'apps', 'pipelines');
  mkdirSync(pipelines, { recursive: true });
  writeFileSync(join(root, 'package.json'), '{"name":"bench-project","private":true}\n');
  const examples = exampleTexts();
  for (let i = 0; i < n; i++) {
    const { file, text } = corpusText(i, examples);
    writeFileSync(join(pipelines, file), text);
  }
  git(root, 'init', '-q');
  git(root, 'add', '.');
  git(root, 'commit', '-q', '-m', 'pipelines');
  return { root, pipelines };
}
