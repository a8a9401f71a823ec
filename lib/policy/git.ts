import { execFileSync } from 'node:child_process';
import type { Diagnostic } from '../spec/diagnostics.js';
import type { LoadedPipeline, LoadResult } from '../spec/load.js';
import { loadPipelineText, pipelineKey } from '../spec/load.js';
import { positionOf } from '../spec/yaml-source.js';

/** A problem reading git (bad ref, not a repository): the CLI turns it into a usage error. */
export class GitReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GitReadError';
  }
}

function git(cwd: string, args: string[], input?: string): Buffer {
  try {
    return execFileSync('git', args, {
      cwd,
      input,
      maxBuffer: 512 * 1024 * 1024,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    const msg = e.stderr?.toString().trim().split('\n')[0] || e.message;
    throw new GitReadError(`git ${args[0]}: ${msg}`);
  }
}

/** The `*.yaml` / `*.yml` files directly in `dir` at `ref`, read from git without checking out. */
export function readDirAtRef(dir: string, ref: string): { name: string; text: string }[] {
  const prefix = git(dir, ['rev-parse', '--show-prefix']).toString().trim();
  try {
    git(dir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    throw new GitReadError(`no commit named "${ref}" in the repository of ${dir}`);
  }
  let listing: string;
  try {
    listing = git(dir, ['ls-tree', '--full-tree', '-z', `${ref}:${prefix}`]).toString();
  } catch (err) {
    // The folder does not exist at that ref: every pipeline is new. Any other failure is an error.
    const exists = (() => {
      try {
        git(dir, ['cat-file', '-e', `${ref}:${prefix}`]);
        return true;
      } catch {
        return false;
      }
    })();
    if (exists) throw err;
    return [];
  }
  const blobs = listing
    .split('\0')
    .filter(Boolean)
    .map((line) => {
      // `<mode> <type> <sha>\t<name>`: the name is everything after the first tab (it may hold tabs).
      const tab = line.indexOf('\t');
      const meta = line.slice(0, tab);
      const name = line.slice(tab + 1);
      const [, type, sha] = meta.split(' ') as [string, string, string];
      return { name, type, sha };
    })
    .filter((e) => e.type === 'blob' && /\.ya?ml$/i.test(e.name))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (blobs.length === 0) return [];
  // One `git cat-file --batch` for all files instead of one `git show` each.
  const out = git(dir, ['cat-file', '--batch'], blobs.map((b) => b.sha).join('\n') + '\n');
  const files: { name: string; text: string }[] = [];
  let pos = 0;
  for (const b of blobs) {
    const nl = out.indexOf(0x0a, pos);
    const header = out.subarray(pos, nl).toString();
    const size = Number(header.split(' ')[2]);
    if (!Number.isFinite(size))
      throw new GitReadError(`git cat-file: unexpected answer "${header}" for ${b.name}`);
    files.push({ name: b.name, text: out.subarray(nl + 1, nl + 1 + size).toString('utf8') });
    pos = nl + 1 + size + 1;
  }
  return files;
}

/**
 * Loads the pipelines of `dir` as they were at `ref` (same rules as loadPipelineDir: one file per
 * `*.yaml`, duplicates reported). Files are named `<displayDir>/<name>`, like the head side.
 */
export function loadPipelinesAtRef(dir: string, ref: string, displayDir: string): LoadResult {
  const pipelines: LoadedPipeline[] = [];
  const diagnostics: Diagnostic[] = [];
  const byKey = new Set<string>();
  for (const f of readDirAtRef(dir, ref)) {
    const file =
      displayDir === '' || displayDir === '.' ? f.name : `${displayDir.replace(/\/+$/, '')}/${f.name}`;
    const r = loadPipelineText(file, f.text);
    diagnostics.push(...r.diagnostics);
    for (const lp of r.pipelines) {
      const key = pipelineKey(lp.pipeline);
      if (byKey.has(key)) {
        const pos = positionOf(lp.source, '/metadata/name');
        diagnostics.push({
          ruleId: 'schema',
          severity: 'error',
          pipeline: lp.pipeline.metadata.name,
          file,
          line: pos.line,
          column: pos.column,
          path: '/metadata/name',
          message: `pipeline ${key} is defined twice at ${ref}`,
        });
        continue;
      }
      byKey.add(key);
      pipelines.push(lp);
    }
  }
  return { pipelines, diagnostics };
}

/** Whether `dir` is inside a git work tree whose HEAD has a commit (false when git is not installed). */
export function hasCommits(dir: string): boolean {
  try {
    git(dir, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
    return true;
  } catch {
    return false;
  }
}

/** Whether `ref` names a commit in the repository of `dir`. */
export function isCommit(dir: string, ref: string): boolean {
  try {
    git(dir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
    return true;
  } catch {
    return false;
  }
}

/** The default branch pull requests merge into: what `origin/HEAD` points at, else `main`, else `master`. */
export function defaultBranch(dir: string): string | undefined {
  try {
    const ref = git(dir, ['symbolic-ref', '--quiet', 'refs/remotes/origin/HEAD']).toString().trim();
    if (ref.startsWith('refs/remotes/')) return ref.slice('refs/remotes/'.length);
  } catch {
    // no origin/HEAD
  }
  return ['main', 'master'].find((b) => isCommit(dir, b));
}

/** The merge base of HEAD and `ref` (the commit a pull request of HEAD into `ref` is compared with). */
export function mergeBase(dir: string, ref: string): string {
  if (!isCommit(dir, ref)) throw new GitReadError(`no commit named "${ref}" in the repository of ${dir}`);
  return git(dir, ['merge-base', 'HEAD', ref]).toString().trim();
}
