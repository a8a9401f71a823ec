import { execFileSync, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The CLI as users run it (the compiled build/). */
export const CLI = join(here, '..', '..', 'bin', 'flink-cutover.js');

/** Runs `node args` in `cwd` and returns nothing; the exit code is not judged (check exits 1 on findings). */
export function node(args: string[], cwd: string): () => void {
  return () => {
    spawnSync(process.execPath, args, { cwd, stdio: 'ignore' });
  };
}

/**
 * Peak RSS (KB) of running the CLI with `args` in `cwd`, read by the child itself after the run
 * (process.resourceUsage().maxRSS).
 */
export function cliPeakRssKb(args: string[], cwd: string): number {
  const script = `const { run } = await import(${JSON.stringify(new URL('../../build/lib/cli/main.js', import.meta.url).href)});
process.exitCode = await run(${JSON.stringify(args)}, { out() {}, err: (t) => process.stderr.write(t), cwd: process.cwd(), env: process.env });
process.stdout.write(String(process.resourceUsage().maxRSS));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd,
    encoding: 'utf8',
  });
  return Number(out.trim());
}

/** Peak RSS (KB) of a Node script given as text (ESM), run in `cwd`. */
export function scriptPeakRssKb(script: string, cwd: string): number {
  const out = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', `${script}\nprocess.stdout.write(String(process.resourceUsage().maxRSS));`],
    { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  return Number(out.trim().split('\n').pop());
}
