import type { Command } from 'commander';

/** Where a command writes and what it runs in: injected so tests run the CLI in-process. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  readonly cwd: string;
  readonly env: Record<string, string | undefined>;
}

/** Bad flags or arguments: exit 2 with the message (no stack trace). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Checks failed or findings reported, with the text already printed: exit with `code` (1). */
export class ExitCode extends Error {
  readonly code: number;
  constructor(code: number, message = '') {
    super(message);
    this.name = 'ExitCode';
    this.code = code;
  }
}

/** One CLI command module: registers its command(s) on the program. */
export type CommandModule = (program: Command, io: CliIO) => void;

const codes = new WeakMap<Command, number>();

/**
 * Sets `fn` as the command's action. `fn` returns the exit code (0 ok, 1 findings or failed
 * checks) or throws UsageError (2); `run()` returns that code.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function defineAction(cmd: Command, fn: (...args: any[]) => Promise<number> | number): Command {
  return cmd.action(async (...args: unknown[]) => {
    codes.set(cmd, await fn(...args));
  });
}

/** The exit code an action set, if any. */
export function exitCodeOf(cmd: Command): number | undefined {
  return codes.get(cmd);
}
