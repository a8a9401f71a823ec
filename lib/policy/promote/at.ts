import { parseDuration } from '../../spec/duration.js';
import { isEpochInRange, parseIsoStrict } from '../../spec/time.js';

/** A problem with a promotion argument (usage error). */
export class PromotionArgError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PromotionArgError';
  }
}

export { isoSeconds } from '../time.js';

/** Parses `--at`: an ISO-8601 date-time with zone, or `+DURATION` after `now` (rounded up to the second). */
export function parseAt(text: string, now: number): number {
  const t = text.trim();
  if (t.startsWith('+')) {
    let d: number;
    try {
      d = parseDuration(t.slice(1));
    } catch (err) {
      throw new PromotionArgError(`--at ${text}: ${(err as Error).message}`);
    }
    const at = Math.ceil((now + d) / 1000) * 1000;
    if (!isEpochInRange(at)) throw new PromotionArgError(`--at ${text}: lands outside the range of dates`);
    return at;
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(t)) {
    throw new PromotionArgError(
      `--at ${text}: use an ISO-8601 date-time with a zone (2026-12-01T12:00:00Z) or +DURATION (+30m, +2h)`,
    );
  }
  const ms = parseIsoStrict(t);
  if (ms === undefined) throw new PromotionArgError(`--at ${text}: not a valid date-time`);
  return ms;
}
