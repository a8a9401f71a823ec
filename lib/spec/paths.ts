import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | undefined;

/**
 * The flink-cutover package root (the folder with its package.json and `schemas/`), found by
 * walking up from this module: works from `lib/` (tsx, vitest) and from `build/lib/` (npm pack).
 */
export function packageRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'flink-cutover') {
          cachedRoot = dir;
          return dir;
        }
      } catch {
        // not ours; keep walking
      }
    }
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error('flink-cutover: cannot find the package root (package.json named flink-cutover)');
    dir = parent;
  }
}

/** Absolute path of a file in `schemas/`. */
export function schemaPath(name: string): string {
  return join(packageRoot(), 'schemas', name);
}

let cachedVersion: string | undefined;

/** The flink-cutover version, from its package.json. */
export function packageVersion(): string {
  cachedVersion ??= (
    JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }
  ).version;
  return cachedVersion;
}
