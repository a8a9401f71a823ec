import { advanceSoak, evaluate, INITIAL_SOAK } from './checks.js';
import type { CheckResult, Observation, SoakState, VerifyResult, VerifySettings } from './types.js';

export interface PollOptions {
  /** Give up after this long (ms); the last poll's failing checks are the verdict. */
  readonly timeoutMs: number;
  /** Pause between polls (ms). */
  readonly intervalMs: number;
  /** Reads one poll's observation (I/O). */
  readonly observe: (settings: VerifySettings) => Promise<Observation>;
  /** Called after every poll that does not end the verification. */
  readonly onPoll?: (poll: {
    readonly n: number;
    readonly elapsedMs: number;
    readonly checks: readonly CheckResult[];
    readonly soak: SoakState;
  }) => void;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface PollOutcome extends VerifyResult {
  readonly polls: number;
  readonly elapsedMs: number;
  /** Why polling stopped. */
  readonly reason: 'passed' | 'timeout' | 'final-failure';
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Polls until every check passes, a check fails for good (too many restarts, a job that ended,
 * a response of the wrong shape), or `timeoutMs` elapses. The soak restarts whenever the job does.
 */
export async function pollUntilVerified(settings: VerifySettings, o: PollOptions): Promise<PollOutcome> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? realSleep;
  const start = now();
  let soak: SoakState = INITIAL_SOAK;
  for (let n = 1; ; n++) {
    const obs = await o.observe(settings);
    soak = advanceSoak(soak, obs);
    const checks = evaluate(settings, obs, soak);
    const elapsedMs = now() - start;
    const passed = checks.every((c) => c.passed);
    if (passed) return { passed, checks, polls: n, elapsedMs, reason: 'passed' };
    if (checks.some((c) => !c.passed && c.final))
      return { passed, checks, polls: n, elapsedMs, reason: 'final-failure' };
    if (elapsedMs + o.intervalMs > o.timeoutMs)
      return { passed, checks, polls: n, elapsedMs, reason: 'timeout' };
    o.onPoll?.({ n, elapsedMs, checks, soak });
    await sleep(Math.max(0, Math.min(o.intervalMs, o.timeoutMs - (now() - start))));
  }
}
