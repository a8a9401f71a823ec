import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Help } from 'commander';
import { DiagnosticError, formatDiagnostic } from '../spec/diagnostics.js';
import { packageVersion } from '../spec/paths.js';
import { commandDescriptors } from './commands/index.js';
import type { CommandDescriptor } from './commands/index.js';
import type { CliIO, CommandModule } from './io.js';
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

/**
 * Builds the `flink-cutover` program: the commands in `loaded` registered fully, every other one
 * from its descriptor (listed by `--help`, never run).
 */
export function buildProgram(
  io: CliIO,
  onExit: (code: number) => void,
  loaded: ReadonlyMap<string, CommandModule> = new Map(),
): Command {
  const terms = new Map<string, string>();
  const help = new Help();
  const program = new Command('flink-cutover')
    .description('Zero-downtime blue/green deployments for Apache Flink jobs on Kubernetes, driven from git.')
    .version(packageVersion())
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .configureHelp({ subcommandTerm: (c) => terms.get(c.name()) ?? help.subcommandTerm(c) })
    .exitOverride();
  for (const d of commandDescriptors) {
    const register = loaded.get(d.name);
    if (register) register(program, io);
    else {
      program.command(d.name).description(d.description).allowUnknownOption().allowExcessArguments();
      terms.set(d.name, d.term);
    }
  }
  program.hook('postAction', (_this, actionCommand) => {
    const code = exitCodeOf(actionCommand);
    if (code !== undefined) onExit(code);
  });
  return program;
}

/**
 * The command `argv` runs (or asks help for: `help <command>`), when it names one. The program's
 * own options take no value, so the first word that is not an option is the command.
 */
export function invokedCommand(argv: readonly string[]): CommandDescriptor | undefined {
  const words = argv.filter((a) => !a.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  return commandDescriptors.find((d) => d.name === name);
}

/** The program for `argv`: the command it runs loaded, the others listed only. */
export async function programFor(
  argv: readonly string[],
  io: CliIO,
  onExit: (code: number) => void,
): Promise<Command> {
  const invoked = invokedCommand(argv);
  const loaded = new Map<string, CommandModule>();
  if (invoked) loaded.set(invoked.name, await invoked.load());
  return buildProgram(io, onExit, loaded);
}

/**
 * Runs the CLI with `argv` (without `node` and the script) and returns the exit code:
 * 0 ok, 1 findings or failed checks, 2 usage or internal error.
 */
export async function run(argv: string[], io: CliIO = defaultIO()): Promise<number> {
  let code = 0;
  try {
    const program = await programFor(argv, io, (c) => (code = c));
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
