import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fchmodSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** A promotion edit that cannot be written safely (a lock held, a link in the way). Nothing was written. */
export class EditConflict extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
    this.name = 'EditConflict';
  }
}

/** A lock older than this is stale (its process died without removing it). */
export const STALE_LOCK_MS = 60_000;

/** The lock file that serializes edits of `file`: `.<name>.flink-cutover-lock` beside it. */
export function lockPathOf(file: string): string {
  return join(dirname(file), `.${basename(file)}.flink-cutover-lock`);
}

function alive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the edit lock of `file` (created exclusively, so only one process holds it). A lock whose
 * process is gone, or older than STALE_LOCK_MS, is removed and taken. Returns the release function;
 * throws EditConflict when another edit holds the lock.
 */
export function lockFile(file: string, shown: string, now: () => number = Date.now): () => void {
  const lock = lockPathOf(file);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, 'wx', 0o600);
      try {
        writeSync(fd, `${process.pid} ${new Date(now()).toISOString()}\n`);
      } finally {
        closeSync(fd);
      }
      return () => rmSync(lock, { force: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST')
        throw new EditConflict(
          `cannot create the edit lock ${lock} (${code ?? String(err)})`,
          'check that the pipelines folder is writable',
        );
    }
    let holder = NaN;
    let age = 0;
    let staleIno = -1;
    try {
      const st = lstatSync(lock);
      staleIno = st.ino;
      age = now() - st.mtimeMs;
      holder = st.isFile() ? Number(readFileSync(lock, 'utf8').split(' ')[0]) : NaN;
    } catch {
      continue; // released meanwhile: try again
    }
    // A lock just created has no pid in it yet (it is written after the exclusive create): that is a
    // live edit, not a stale lock. Only an old lock or one naming a dead process is taken over.
    const named = Number.isInteger(holder) && holder > 0;
    if (age < STALE_LOCK_MS && (!named || alive(holder))) {
      throw new EditConflict(
        `another flink-cutover edit of ${shown} is in progress (process ${holder}, lock ${lock})`,
        'wait for it to finish, then run the command again (it sees that edit)',
      );
    }
    // Stale: its process is gone. Remove it only if it is still the lock we judged (same inode), not
    // one another process has just taken over.
    try {
      if (lstatSync(lock).ino === staleIno) rmSync(lock, { force: true });
    } catch {
      // gone meanwhile
    }
  }
  throw new EditConflict(
    `another flink-cutover edit of ${shown} keeps taking the lock ${lock}`,
    'run the command again',
  );
}

/** Refuses a spec file that is a symbolic link (the edit would replace the link, not its target). */
export function requirePlainFile(file: string, shown: string): void {
  const st = lstatSync(file);
  if (st.isSymbolicLink())
    throw new EditConflict(
      `${shown} is a symbolic link; an edit would replace the link`,
      `edit the file it points to (${statSync(file).isFile() ? 'run the command on its folder' : 'it is dangling'})`,
    );
  if (!st.isFile())
    throw new EditConflict(`${shown} is not a regular file`, 'keep pipeline specs as regular files');
}

/**
 * Replaces `file` with `text` atomically: a temporary file with an unpredictable name is created
 * exclusively (O_EXCL: a planted file or link there makes it fail, never followed) in the same
 * folder with the file's mode, then renamed over the file.
 */
export function replaceFile(file: string, text: string): void {
  const mode = statSync(file).mode & 0o7777;
  const tmp = join(dirname(file), `.${basename(file)}.${randomBytes(8).toString('hex')}.flink-cutover-tmp`);
  const fd = openSync(tmp, 'wx', mode);
  try {
    try {
      writeSync(fd, text);
      if ((fstatSync(fd).mode & 0o7777) !== mode) fchmodSync(fd, mode); // the umask narrowed it
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Replaces several files as one edit: every new text is first written to a temporary file beside
 * its target (created exclusively), then all are renamed into place. When a step fails, the files
 * already replaced get their previous text back (a file that did not exist is removed), so the edit
 * is all or nothing. Missing folders are created; a new file gets mode 0644.
 */
export function replaceFiles(files: readonly { path: string; text: string }[]): void {
  const temps: { tmp: string; path: string; before?: string; mode: number }[] = [];
  const clean = () => temps.forEach((t) => rmSync(t.tmp, { force: true }));
  try {
    for (const f of files) {
      let before: string | undefined;
      let mode = 0o644;
      try {
        const st = lstatSync(f.path);
        if (!st.isFile())
          throw new EditConflict(
            `${f.path} is ${st.isDirectory() ? 'a folder' : st.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'} where a rendered file goes`,
            'remove it, then run the command again',
          );
        before = readFileSync(f.path, 'utf8');
        mode = st.mode & 0o7777;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      mkdirSync(dirname(f.path), { recursive: true });
      const tmp = join(
        dirname(f.path),
        `.${basename(f.path)}.${randomBytes(8).toString('hex')}.flink-cutover-tmp`,
      );
      const fd = openSync(tmp, 'wx', mode);
      temps.push({ tmp, path: f.path, before, mode });
      try {
        writeSync(fd, f.text);
        if ((fstatSync(fd).mode & 0o7777) !== mode) fchmodSync(fd, mode);
      } finally {
        closeSync(fd);
      }
    }
  } catch (err) {
    clean();
    throw err;
  }
  const done: (typeof temps)[number][] = [];
  try {
    for (const t of temps) {
      renameSync(t.tmp, t.path);
      done.push(t);
    }
  } catch (err) {
    for (const t of done.reverse()) {
      try {
        if (t.before === undefined) rmSync(t.path, { force: true });
        else writeFileSync(t.path, t.before, { mode: t.mode });
      } catch {
        // best effort: the first error is the one reported
      }
    }
    clean();
    throw err;
  }
}
