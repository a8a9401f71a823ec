import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import type { Stats } from 'node:fs';

/** The largest input file read (a spec, a status or approval ConfigMap, an init source): 16 MiB. */
export const MAX_INPUT_BYTES = 16 * 1024 * 1024;

/** A file that cannot be an input: not a regular file, too large, or unreadable. `code` as fs gives it, or ENOTREG / EFBIG. */
export class InputFileError extends Error {
  constructor(
    readonly path: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'InputFileError';
  }
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Reads a regular file as UTF-8. A FIFO, a device (`/dev/zero`), a socket or a folder is refused
 * without reading (opened non-blocking, so a FIFO without a writer cannot hang), as is a file
 * larger than `maxBytes`. Throws InputFileError whose message names the problem (not the path).
 */
export function readRegularFile(path: string, maxBytes = MAX_INPUT_BYTES): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const code = e.code ?? 'EIO';
    const text: Record<string, string> = { ELOOP: ': a symbolic link loop' };
    throw new InputFileError(path, code, `cannot read it (${code}${text[code] ?? ''})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new InputFileError(path, 'ENOTREG', `${kindOf(st)}, not a regular file`);
    if (st.size > maxBytes)
      throw new InputFileError(path, 'EFBIG', `${st.size} bytes, more than the ${maxBytes} bytes accepted`);
    const buf = Buffer.alloc(st.size);
    let off = 0;
    while (off < st.size) {
      const n = readSync(fd, buf, off, st.size - off, off);
      if (n === 0) break;
      off += n;
    }
    return buf.subarray(0, off).toString('utf8');
  } catch (err) {
    if (err instanceof InputFileError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    throw new InputFileError(path, code, `cannot read it (${code})`);
  } finally {
    closeSync(fd);
  }
}
