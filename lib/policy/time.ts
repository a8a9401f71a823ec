/** ISO-8601 without milliseconds when they are zero: `2026-12-01T12:00:00Z`. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}
