import { describe, it } from 'vitest';
import { kubeBinaries } from './kube-apiserver.js';
import { referenceAvailable, referenceRequired, REFERENCE_DIR } from './reference.js';

/**
 * `describe` for tests against a real API server: skipped with a visible reason when the binaries
 * (or the reference CRDs) are missing, failing instead when REFERENCE_REQUIRED=1 (CI).
 */
export function describeWithKubeApiServer(name: string, fn: () => void): void {
  const bins = kubeBinaries();
  const reason = !bins.ok
    ? bins.reason
    : !referenceAvailable
      ? `${REFERENCE_DIR} not found (the operator CRDs come from ../shared/reference)`
      : undefined;
  if (reason === undefined) {
    describe(name, fn);
  } else if (referenceRequired) {
    describe(name, () => {
      throw new Error(`REFERENCE_REQUIRED=1 but ${reason}`);
    });
  } else {
    process.stderr.write(`[flink-cutover] skipping "${name}": ${reason}\n`);
    describe(name, () => {
      it.skip(`skipped: ${reason} (CI sets REFERENCE_REQUIRED=1 and builds them)`, () => {});
    });
  }
}
