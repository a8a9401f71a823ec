import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';

/** `../shared/reference` beside the checkout (the upstream artifacts; never copied into the project). */
export const REFERENCE_DIR = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'shared',
  'reference',
);

/** Whether the reference artifacts are present. */
export const referenceAvailable = existsSync(REFERENCE_DIR);

/** Set by `.ci/run`: a missing reference folder is then a failure, not a skip. */
export const referenceRequired = process.env.REFERENCE_REQUIRED === '1';

/** Absolute path of a reference file, e.g. `crds/flinkdeployments.flink.apache.org-v1.yml`. */
export function referencePath(rel: string): string {
  return join(REFERENCE_DIR, rel);
}

/** Reads a reference file as text. */
export function readReference(rel: string): string {
  return readFileSync(referencePath(rel), 'utf8');
}

/**
 * `describe` for tests that read `../shared/reference`: skipped with a visible reason when the
 * folder is absent (a user's fresh clone), failing when REFERENCE_REQUIRED=1 (CI).
 */
export function describeWithReference(name: string, fn: () => void): void {
  if (referenceAvailable) {
    describe(name, fn);
  } else if (referenceRequired) {
    describe(name, () => {
      throw new Error(
        `REFERENCE_REQUIRED=1 but ${REFERENCE_DIR} does not exist: check out shared/ beside the project`,
      );
    });
  } else {
    // Not `describe.skip(name, fn)`: vitest still runs a skipped suite's body to collect its
    // tests, and these bodies read the reference files at collection time.
    process.stderr.write(
      `[flink-cutover] skipping "${name}": ${REFERENCE_DIR} not found (needs ../shared/reference)\n`,
    );
    describe(name, () => {
      it.skip(`skipped: ${REFERENCE_DIR} not found (these tests need ../shared/reference; CI sets REFERENCE_REQUIRED=1)`, () => {});
    });
  }
}
