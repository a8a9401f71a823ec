import { existsSync, statSync } from 'node:fs';
import { basename, isAbsolute, relative, resolve } from 'node:path';
import { LoadMemo, loadPipelineDir } from '../spec/load.js';
import { parseIsoStrict } from '../spec/time.js';
import type { LoadedPipeline, LoadResult } from '../spec/load.js';
import { GitReadError, loadPipelinesAtRef } from './git.js';
import type { CutoverStatus } from './status.js';
import { parseStatusText } from './status.js';
import { InputFileError, readRegularFile } from '../spec/read-file.js';

/** A problem with the command line or its files: the CLI reports it as a usage error (exit 2). */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** How loadPipelineDir names files: relative to the process's working directory when inside it. */
function displayDir(abs: string): string {
  const rel = relative(process.cwd(), abs);
  return isAbsolute(abs) && rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : rel === '' ? '.' : abs;
}

function requireDir(abs: string, flag: string, given: string): void {
  if (!existsSync(abs)) throw new InputError(`${flag} ${given}: no such folder`);
  if (!statSync(abs).isDirectory()) throw new InputError(`${flag} ${given}: not a folder`);
}

function renamed(r: LoadResult, dir: string): LoadResult {
  const name = (f: string) => (dir === '.' ? basename(f) : `${dir}/${basename(f)}`);
  return {
    // Copies the properties as they are: a lazily built `source` stays lazy.
    pipelines: r.pipelines.map(
      (lp): LoadedPipeline =>
        Object.defineProperties(
          {},
          { ...Object.getOwnPropertyDescriptors(lp), file: { value: name(lp.file), enumerable: true } },
        ) as LoadedPipeline,
    ),
    diagnostics: r.diagnostics.map((d) => ({ ...d, file: name(d.file) })),
  };
}

export interface SidesOptions {
  head: string;
  base?: string;
  baseRef?: string;
  /**
   * Read plain specs with the fast reader, positions only where reported (false: every spec with
   * positions, the reference the fast path is tested against).
   * @default true
   */
  fast?: boolean;
}

/** Loads head and base pipelines; base files are named like the head files so findings point at head paths. */
export function loadSides(
  cwd: string,
  opts: SidesOptions,
): { head: LoadResult; base?: LoadResult; headDir: string } {
  if (opts.base !== undefined && opts.baseRef !== undefined)
    throw new InputError('give --base or --base-ref, not both');
  const headAbs = resolve(cwd, opts.head);
  requireDir(headAbs, '--head', opts.head);
  const shown = displayDir(headAbs);
  // One memory for both sides: a file with the same text at base and head is parsed once, and a
  // git blob that is the file at head is not read from git at all.
  const memo = new LoadMemo({ fast: opts.fast ?? true });
  const readDir = (abs: string, flag: string, given: string): LoadResult => {
    try {
      return loadPipelineDir(abs, memo);
    } catch (err) {
      throw new InputError(`${flag} ${given}: ${(err as Error).message}`);
    }
  };
  const head = readDir(headAbs, '--head', opts.head);
  let base: LoadResult | undefined;
  if (opts.base !== undefined) {
    const baseAbs = resolve(cwd, opts.base);
    requireDir(baseAbs, '--base', opts.base);
    base = renamed(readDir(baseAbs, '--base', opts.base), shown);
  } else if (opts.baseRef !== undefined) {
    try {
      base = loadPipelinesAtRef(headAbs, opts.baseRef, shown, memo);
    } catch (err) {
      if (err instanceof GitReadError) throw new InputError(`--base-ref ${opts.baseRef}: ${err.message}`);
      throw err;
    }
  }
  return { head, base, headDir: headAbs };
}

/** Parses `--now` (ISO-8601) or returns the current time. */
export function parseNow(text: string | undefined, flag = '--now'): number {
  if (text === undefined) return Date.now();
  const t = parseIsoStrict(text);
  if (t === undefined)
    throw new InputError(`${flag} ${text}: not an ISO-8601 date-time (e.g. 2026-12-01T12:00:00Z)`);
  return t;
}

/** Reads `--status FILE`. */
export function readStatuses(cwd: string, file: string | undefined): CutoverStatus[] | undefined {
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readRegularFile(resolve(cwd, file));
  } catch (err) {
    throw new InputError(
      `--status ${file}: ${err instanceof InputFileError ? err.message : `cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`}`,
    );
  }
  const r = parseStatusText(text, file);
  if (r.problems.length > 0)
    throw new InputError(`--status ${file}: ${r.problems.map((p) => p.message).join('; ')}`);
  return r.statuses;
}
