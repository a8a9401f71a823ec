/**
 * The hostile-input harness: runs one case of the CLI with a wall-clock deadline, and checks what
 * every case must satisfy: no internal error, no hang, a documented exit code, and nothing written
 * where it should not be (the watched folders byte-identical after a refusal).
 */
import { spawn } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect } from 'vitest';
import { runCli } from '../support/cli.js';
import type { CliResult } from '../support/cli.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** How many cases each class tried (printed once the file's tests end). */
export const counts = new Map<string, number>();

export function count(cls: string, n = 1): void {
  counts.set(cls, (counts.get(cls) ?? 0) + n);
}

/** Prints the per-class case counts (call from afterAll). */
export function reportCounts(title: string): void {
  const lines = [...counts].map(([k, v]) => `  ${k}: ${v}`).join('\n');
  process.stdout.write(`hostile cases tried (${title}):\n${lines}\n`);
}

/** Every entry under `dir` (recursive, links not followed): type, mode and bytes or link target. */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d).sort();
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(d, n);
      const st = lstatSync(p);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) out.set(p, `link ${readlinkSync(p)}`);
      else if (st.isDirectory()) {
        out.set(p, `dir ${mode}`);
        walk(p);
      } else if (st.isFile()) out.set(p, `file ${mode} ${readFileSync(p).toString('base64')}`);
      else out.set(p, `special ${mode}`);
    }
  };
  walk(dir);
  return out;
}

export const DEADLINE_MS = 25_000;

/** Runs the CLI in-process; a case that does not finish within `deadlineMs` is a hang. */
export async function runCase(
  argv: string[],
  options: { cwd?: string; deadlineMs?: number } = {},
): Promise<CliResult> {
  const deadline = options.deadlineMs ?? DEADLINE_MS;
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`HANG: flink-cutover ${argv.join(' ')} did not finish within ${deadline} ms`)),
      deadline,
    );
  });
  try {
    return await Promise.race([runCli(argv, { cwd: options.cwd }), hang]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs the CLI as a child process (for cases that could block the event loop: FIFOs, devices,
 * concurrent edits); killed at the deadline, which is then a hang.
 */
export function runChild(
  argv: string[],
  options: { cwd?: string; deadlineMs?: number } = {},
): Promise<CliResult & { hung: boolean }> {
  // A child process also compiles the CLI (tsx) first: a longer deadline, still far below "forever".
  const deadline = options.deadlineMs ?? 2 * DEADLINE_MS;
  return new Promise((ok) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href,
        join(root, 'lib/cli/main.ts'),
        ...argv,
      ],
      {
        cwd: options.cwd ?? root,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, FLINK_CUTOVER_DEBUG: '' },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, deadline);
    child.on('close', (code) => {
      clearTimeout(timer);
      ok({ code: code ?? -1, stdout, stderr, hung });
    });
  });
}

/** What every refusal must be: exit 1 or 2, no internal error, naming `mention` (a file, a URL). */
export function expectRefusal(
  r: CliResult,
  opts: { codes?: number[]; mention?: string | RegExp } = {},
): void {
  const all = `${r.stdout}\n${r.stderr}`;
  expect(all, 'no internal error').not.toMatch(/internal error/);
  expect(opts.codes ?? [1, 2], `exit code (stderr: ${r.stderr.slice(0, 400)})`).toContain(r.code);
  if (opts.mention !== undefined) {
    if (typeof opts.mention === 'string') expect(all).toContain(opts.mention);
    else expect(all).toMatch(opts.mention);
  }
}

/** No case may crash: whatever the exit code, it is 0, 1 or 2 and never an internal error. */
export function expectNoCrash(r: CliResult): void {
  expect(`${r.stdout}\n${r.stderr}`, 'no internal error').not.toMatch(/internal error/);
  expect([0, 1, 2]).toContain(r.code);
}

/** The watched folders are byte-identical to their snapshots. */
export function expectUnchanged(before: Map<string, string>[], dirs: string[]): void {
  dirs.forEach((d, i) => expect(snapshot(d), `${d} is unchanged`).toEqual(before[i]));
}
