import { isEpochInRange } from '../spec/time.js';

/** ISO-8601 without milliseconds when they are zero: `2026-12-01T12:00:00Z`. */
export function isoSeconds(ms: number): string {
  if (!isEpochInRange(ms)) return `${ms} ms since 1970 (out of range)`;
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}
