const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The longest duration accepted: 100 years (36500d). Longer ones are mistakes and overflow times. */
export const MAX_DURATION_MS = 36_500 * 86_400_000;
const PART = /([0-9]+)(ms|s|m|h|d)/gy;

/**
 * Parses a duration such as `90s`, `15m` or `1h30m` into milliseconds.
 * Throws an Error naming the accepted form when the text is not a duration.
 */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (trimmed === '') throw new Error(`"${text}" is not a duration: use e.g. 90s, 15m, 1h30m`);
  PART.lastIndex = 0;
  let total = 0;
  let pos = 0;
  while (pos < trimmed.length) {
    PART.lastIndex = pos;
    const m = PART.exec(trimmed);
    if (!m) throw new Error(`"${text}" is not a duration: use e.g. 90s, 15m, 1h30m (units ms, s, m, h, d)`);
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    pos = PART.lastIndex;
  }
  if (!(total <= MAX_DURATION_MS))
    throw new Error(`"${text}" is longer than the longest duration accepted, 36500d (100 years)`);
  return total;
}

/** Formats milliseconds as the shortest exact duration string (`1h30m`, `250ms`, `0s`). */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(Math.round(ms));
  if (rest === 0) return '0s';
  let out = '';
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
    ['ms', 1],
  ] as const) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return sign + out;
}

/**
 * A duration for people to read: exact below 10s, where milliseconds matter (`250ms`,
 * `2s368ms`); whole seconds from 10s on (`19m52s`, not `19m52s368ms`; `18h`). Rounds to the
 * nearest second; `floor` for an elapsed time compared with a minimum, `ceil` for time to go.
 */
export function humanDuration(ms: number, mode: 'round' | 'floor' | 'ceil' = 'round'): string {
  if (!Number.isFinite(ms)) return String(ms);
  return formatDuration(Math.abs(ms) >= 10_000 ? Math[mode](ms / 1000) * 1000 : ms);
}
