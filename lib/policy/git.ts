import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Diagnostic } from '../spec/diagnostics.js';
import type { LoadedPipeline, LoadResult } from '../spec/load.js';
import { loadPipelineText, pipelineKey } from '../spec/load.js';
import type { LoadMemo, TextSelector } from '../spec/load.js';
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

/** Git's object id of a blob with this content (`git hash-object`), SHA-1 repositories. */
export function blobId(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

/**
 * The `*.yaml` / `*.yml` files directly in `dir` at `ref`, read from git without checking out.
 * `known(name, blobId)` may give a file's text without asking git (e.g. the file at head, when its
 * content has that blob id).
 */
export function readDirAtRef(
  dir: string,
  ref: string,
  known?: (name: string, blob: string) => string | undefined,
): { name: string; text: string }[] {
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
  const texts = new Map<string, string>();
  for (const b of blobs) {
    const t = known?.(b.name, b.sha);
    if (t !== undefined) texts.set(b.name, t);
  }
  const toRead = blobs.filter((b) => !texts.has(b.name));
  // One `git cat-file --batch` for all files instead of one `git show` each.
  const out =
    toRead.length > 0
      ? git(dir, ['cat-file', '--batch'], toRead.map((b) => b.sha).join('\n') + '\n')
      : Buffer.alloc(0);
  let pos = 0;
  for (const b of toRead) {
    const nl = out.indexOf(0x0a, pos);
    const header = out.subarray(pos, nl).toString();
    const size = Number(header.split(' ')[2]);
    if (!Number.isFinite(size))
      throw new GitReadError(`git cat-file: unexpected answer "${header}" for ${b.name}`);
    texts.set(b.name, out.subarray(nl + 1, nl + 1 + size).toString('utf8'));
    pos = nl + 1 + size + 1;
  }
  return blobs.map((b) => ({ name: b.name, text: texts.get(b.name)! }));
}

/**
 * Loads the pipelines of `dir` as they were at `ref` (same rules as loadPipelineDir: one file per
 * `*.yaml`, duplicates reported). Files are named `<displayDir>/<name>`, like the head side.
 */
export function loadPipelinesAtRef(
  dir: string,
  ref: string,
  displayDir: string,
  memo?: LoadMemo,
  select?: TextSelector,
): LoadResult {
  const pipelines: LoadedPipeline[] = [];
  const diagnostics: Diagnostic[] = [];
  const byKey = new Set<string>();
  // A file read at head (in `memo`) whose content is the blob at `ref` needs no read from git.
  const known = memo
    ? (name: string, blob: string): string | undefined => {
        const text = memo.texts.get(join(dir, name));
        return text !== undefined && blobId(Buffer.from(text, 'utf8')) === blob ? text : undefined;
      }
    : undefined;
  for (const f of readDirAtRef(dir, ref, known)) {
    const file =
      displayDir === '' || displayDir === '.' ? f.name : `${displayDir.replace(/\/+$/, '')}/${f.name}`;
    if (select && !select(f.text)) continue;
    const r = loadPipelineText(file, f.text, memo);
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
