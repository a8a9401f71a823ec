import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { DiagnosticError, formatDiagnostic } from '../spec/diagnostics.js';
import { packageVersion } from '../spec/paths.js';
import { commands } from './commands/index.js';
import type { CliIO } from './io.js';
import { ExitCode, UsageError, exitCodeOf } from './io.js';

/** A reader that stops early (`flink-cutover ... | head`) closes the pipe: end quietly. */
function exitQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
    throw err;
  });
}

function defaultIO(): CliIO {
  exitQuietlyOnClosedPipe(process.stdout);
  exitQuietlyOnClosedPipe(process.stderr);
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    cwd: process.cwd(),
    env: process.env,
  };
}

/** Builds the `flink-cutover` program with every command registered. */
export function buildProgram(io: CliIO, onExit: (code: number) => void): Command {
  const program = new Command('flink-cutover')
    .description('Zero-downtime blue/green deployments for Apache Flink jobs on Kubernetes, driven from git.')
    .version(packageVersion())
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .exitOverride();
  for (const register of commands) register(program, io);
  program.hook('postAction', (_this, actionCommand) => {
    const code = exitCodeOf(actionCommand);
    if (code !== undefined) onExit(code);
  });
  return program;
}

/**
 * Runs the CLI with `argv` (without `node` and the script) and returns the exit code:
 * 0 ok, 1 findings or failed checks, 2 usage or internal error.
 */
export async function run(argv: string[], io: CliIO = defaultIO()): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; help shown because no command was given is a usage error.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
      if (err.code === 'commander.help') return err.exitCode === 0 ? 0 : 2;
      return 2;
    }
    if (err instanceof ExitCode) {
      if (err.message) io.err(err.message.endsWith('\n') ? err.message : err.message + '\n');
      return err.code;
    }
    if (err instanceof UsageError) {
      io.err(`flink-cutover: ${err.message}\n`);
      return 2;
    }
    if (err instanceof DiagnosticError) {
      io.err(err.diagnostics.map(formatDiagnostic).join('\n') + '\n');
      return 1;
    }
    const e = err as Error;
    io.err(`flink-cutover: internal error: ${e?.message ?? String(err)}\n`);
    if (io.env.FLINK_CUTOVER_DEBUG) io.err(`${e?.stack ?? ''}\n`);
    return 2;
  }
}

const invokedDirectly = (() => {
  try {
    return (
      process.argv[1] !== undefined &&
      realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))
    );
  } catch {
    return false;
  }
})();

if (invokedDirectly) {
  process.exitCode = await run(process.argv.slice(2));
}
