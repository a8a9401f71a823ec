/** The largest instant a JavaScript Date holds: 8.64e15 ms either side of 1970. */
export const MAX_EPOCH_MS = 8.64e15;

/** Whether `ms` is an instant a Date can show (finite and within ±8.64e15 ms). */
export function isEpochInRange(ms: number): boolean {
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_EPOCH_MS;
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?(Z|z|[+-]\d{2}:?\d{2})?$/;

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Parses an ISO-8601 date or date-time strictly: every field in range (no `2027-02-30` moved to
 * March 2, no hour 25, zone offset at most ±23:59). Returns epoch millis, or undefined when the
 * text is not such a date-time. A text without a zone is read as the runtime's `Date.parse` does.
 */
export function parseIsoStrict(text: string): number | undefined {
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (
    m[4] !== undefined &&
    (Number(m[4]) > 23 || Number(m[5]) > 59 || (m[6] !== undefined && Number(m[6]) > 59))
  )
    return undefined;
  const zone = m[8];
  if (zone && zone.length > 1) {
    const digits = zone.replace(':', '');
    if (Number(digits.slice(1, 3)) > 23 || Number(digits.slice(3, 5)) > 59) return undefined;
  }
  const t = Date.parse(text.trim());
  return Number.isNaN(t) || !isEpochInRange(t) ? undefined : t;
}

/** ISO-8601 of an epoch-millis instant, or `<n> ms since 1970 (out of range)` when no Date holds it. */
export function showInstant(ms: number): string {
  return isEpochInRange(ms) ? new Date(ms).toISOString() : `${ms} ms since 1970 (out of range)`;
}
