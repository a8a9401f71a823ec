import { describe, expect, it } from 'vitest';
import { advanceSoak, evaluate, INITIAL_SOAK, progressLine } from '../../lib/verify/checks.js';
import { pollUntilVerified } from '../../lib/verify/run.js';
import type { JobObservation, Observation, SoakState, VerifySettings } from '../../lib/verify/types.js';

const MIN = 60_000;
const T0 = Date.parse('2026-12-01T10:00:00Z');

const settings: VerifySettings = {
  pipeline: 'orders',
  color: 'green',
  activeColor: 'blue',
  restUrl: 'http://green:8081',
  activeRestUrl: 'http://blue:8081',
  validation: {
    minRunning: '10m',
    minCompletedCheckpoints: 3,
    maxWatermarkLag: '1m',
    maxRestarts: 0,
    prometheus: [],
    http: [],
    approval: false,
  },
};

function job(patch: Partial<JobObservation> = {}): JobObservation {
  return {
    jid: 'a'.repeat(32),
    state: 'RUNNING',
    startTime: T0 - 20 * MIN,
    runningSince: T0 - 20 * MIN,
    restarts: 0,
    completedCheckpoints: 5,
    watermark: T0 - 5_000,
    ...patch,
  };
}

function obs(
  now: number,
  j: Partial<JobObservation> = {},
  active: Partial<JobObservation> = {},
  extra: Partial<Observation> = {},
): Observation {
  return {
    now,
    job: { ok: true, value: job(j) },
    active: { ok: true, value: job({ jid: 'b'.repeat(32), ...active }) },
    prometheus: {},
    http: {},
    ...extra,
  };
}

function run(o: Observation, soak: SoakState = INITIAL_SOAK, s: VerifySettings = settings) {
  const next = advanceSoak(soak, o);
  return { soak: next, checks: Object.fromEntries(evaluate(s, o, next).map((c) => [c.name, c])) };
}

describe('evaluate', () => {
  it('passes a healthy standby with every check', () => {
    const { checks } = run(obs(T0));
    expect(Object.keys(checks)).toEqual(['running', 'checkpoints', 'restarts', 'watermark-lag']);
    expect(Object.values(checks).every((c) => c.passed)).toBe(true);
    expect(checks.running!.observed).toBe('RUNNING for 20m');
    expect(checks['watermark-lag']!.observed).toBe('0s');
  });

  it('fails running while the soak is short, and when the job is not RUNNING', () => {
    expect(run(obs(T0, { runningSince: T0 - 4 * MIN })).checks.running).toMatchObject({
      passed: false,
      observed: 'RUNNING for 4m',
      expected: 'RUNNING for >= 10m',
      message: 'soaking: 6m to go',
    });
    expect(run(obs(T0, { state: 'RESTARTING' })).checks.running).toMatchObject({
      passed: false,
      observed: 'RESTARTING',
    });
    expect(run(obs(T0, { state: 'FAILED' })).checks.running).toMatchObject({ passed: false, final: true });
  });

  it('fails checkpoints when too few completed or the latest attempt failed', () => {
    expect(run(obs(T0, { completedCheckpoints: 2 })).checks.checkpoints).toMatchObject({
      passed: false,
      observed: '2 completed',
      message: 'waiting for 1 more completed checkpoint(s)',
    });
    const failing = run(
      obs(T0, { failingCheckpoint: { id: 9, at: T0, message: 'Checkpoint expired before completing.' } }),
    ).checks.checkpoints;
    expect(failing).toMatchObject({ passed: false, observed: '5 completed, checkpoint 9 failed' });
    expect(failing!.message).toContain('Checkpoint expired');
  });

  it('fails restarts above maxRestarts for good', () => {
    expect(run(obs(T0, { restarts: 1 })).checks.restarts).toMatchObject({
      passed: false,
      observed: '1',
      expected: '<= 0',
      final: true,
    });
    const lenient = { ...settings, validation: { ...settings.validation, maxRestarts: 1 } };
    expect(run(obs(T0, { restarts: 1 }), INITIAL_SOAK, lenient).checks.restarts!.passed).toBe(true);
  });

  it('measures the watermark lag behind the active color', () => {
    const behind = run(obs(T0, { watermark: T0 - 2 * MIN }, { watermark: T0 })).checks['watermark-lag'];
    expect(behind).toMatchObject({ passed: false, observed: '2m', expected: 'lag behind blue <= 1m' });
    expect(behind!.message).toContain('green is 1m too far behind');
    expect(run(obs(T0, { watermark: T0 + 1000 }, { watermark: T0 })).checks['watermark-lag']).toMatchObject({
      passed: true,
      observed: '1s ahead',
    });
    expect(run(obs(T0, { watermark: null, slowestVertex: 'Map' })).checks['watermark-lag']).toMatchObject({
      passed: false,
      observed: 'green: no watermark yet',
      message: "waiting for green's first watermark (Map)",
    });
  });

  it('fails the watermark lag when the active color cannot be read at all', () => {
    const { active: _active, ...noActive } = obs(T0);
    expect(run(noActive).checks['watermark-lag']).toMatchObject({
      passed: false,
      message: 'no REST URL for the active color blue: pass --active-rest',
    });
    const alone = run(obs(T0), INITIAL_SOAK, { ...settings, activeColor: undefined }).checks;
    expect(alone['watermark-lag']).toBeUndefined();
  });

  it('reports an unreachable JobManager with its URL and marks a wrong shape final', () => {
    const error = {
      url: 'http://green:8081/jobs/overview',
      problem: 'unreachable' as const,
      expected: 'a JSON object',
      detail: 'connection refused',
      attempts: 3,
    };
    const o: Observation = { now: T0, job: { ok: false, error }, prometheus: {}, http: {} };
    const { checks } = run(o);
    expect(checks.jobmanager).toMatchObject({
      passed: false,
      final: false,
      message:
        'GET http://green:8081/jobs/overview: connection refused after 3 attempts; expected a JSON object',
    });
    expect(checks.running).toMatchObject({ passed: false, observed: null });
    const shape: Observation = { ...o, job: { ok: false, error: { ...error, problem: 'wrong-shape' } } };
    expect(run(shape).checks.jobmanager!.final).toBe(true);
    // The progress line names the JobManager's problem once, not every check lacking its data.
    expect(progressLine(1000, evaluate(settings, o, advanceSoak(INITIAL_SOAK, o)))).toBe(
      '[1s] waiting for the JobManager (GET http://green:8081/jobs/overview: connection refused after 3 attempts; expected a JSON object), watermark-lag (no data; want lag behind blue <= 1m)',
    );
  });

  it('checks prometheus bounds, http status and field, and approval by generation', () => {
    const s: VerifySettings = {
      ...settings,
      generation: 2,
      validation: {
        ...settings.validation,
        prometheus: [
          { name: 'errors', query: 'sum(rate(errors[5m]))', max: 1 },
          { name: 'nourl', query: 'up' },
        ],
        http: [
          {
            name: 'health',
            url: 'http://ops:hunter2@svc/health',
            expectStatus: 200,
            jsonPath: 'status',
            equals: 'UP',
          },
        ],
        approval: true,
      },
    };
    const o = obs(
      T0,
      {},
      {},
      {
        prometheus: { errors: { ok: true, value: { values: [0.5, 2] } } },
        http: { health: { ok: true, value: { status: 200, field: 'DOWN', fieldFound: true } } },
        approval: { ok: true, value: { source: 'cm.yaml', approvedGeneration: 1, from: 'annotation' } },
      },
    );
    const { checks } = run(o, INITIAL_SOAK, s);
    expect(checks['prometheus:errors']).toMatchObject({
      passed: false,
      observed: '0.5, 2',
      expected: '<= 1',
    });
    expect(checks['prometheus:nourl']).toMatchObject({
      passed: false,
      message: "no Prometheus URL: set the check's url or pass --prometheus",
    });
    expect(checks['http:health']).toMatchObject({
      passed: false,
      observed: 'HTTP 200, status = "DOWN"',
      expected: 'HTTP 200, status == "UP"',
    });
    expect(checks['http:health']!.message).toBe('GET http://svc/health: status is "DOWN"'); // no credentials shown
    expect(checks.approval).toMatchObject({
      passed: false,
      observed: 'generation 1',
      expected: 'approved generation 2',
    });
    const ok = run(
      { ...o, approval: { ok: true, value: { source: 'cm', approvedGeneration: 2, from: 'status' } } },
      INITIAL_SOAK,
      s,
    ).checks.approval;
    expect(ok!.passed).toBe(true);
    // No source to read the approval from: polling cannot fix that, so the failure is final.
    const unsourced = run(
      { ...o, approval: { ok: false, missingSource: 'no approval source: pass --approval-file FILE' } },
      INITIAL_SOAK,
      s,
    ).checks.approval;
    expect(unsourced).toMatchObject({ passed: false, final: true });
    const staged = run(o, INITIAL_SOAK, { ...s, generation: undefined }).checks.approval;
    expect(staged).toMatchObject({ passed: true, observed: null });
  });
});

describe('advanceSoak', () => {
  it('starts the soak over when numRestarts grows, even if timestamps.RUNNING is stale', () => {
    let s = advanceSoak(INITIAL_SOAK, obs(T0, { runningSince: T0 - 20 * MIN }));
    expect(s.since).toBe(T0 - 20 * MIN);
    s = advanceSoak(s, obs(T0 + MIN, { runningSince: T0 - 20 * MIN, restarts: 1 }));
    expect(s).toMatchObject({ since: T0 + MIN, resets: 1 });
    s = advanceSoak(s, obs(T0 + 2 * MIN, { runningSince: T0 + 90_000, restarts: 2 }));
    expect(s).toMatchObject({ since: T0 + 90_000, resets: 2 });
  });

  it("counts a new job id as a restart and carries the old job's restarts", () => {
    let s = advanceSoak(INITIAL_SOAK, obs(T0, { restarts: 1 }));
    s = advanceSoak(
      s,
      obs(T0 + MIN, { jid: 'c'.repeat(32), startTime: T0 + 30_000, runningSince: T0 + 30_000, restarts: 0 }),
    );
    expect(s).toMatchObject({ jid: 'c'.repeat(32), carriedRestarts: 2, since: T0 + 30_000, resets: 1 });
  });

  it('counts a JobManager failover (same job id, numRestarts back to 0) as a restart and starts the soak over', () => {
    let s = advanceSoak(INITIAL_SOAK, obs(T0, { restarts: 1, runningSince: T0 - 20 * MIN }));
    s = advanceSoak(s, obs(T0 + MIN, { restarts: 0, runningSince: T0 + 30_000 }));
    expect(s).toMatchObject({ carriedRestarts: 2, since: T0 + 30_000, resets: 1 });
    const { checks } = run(obs(T0 + 2 * MIN, { restarts: 0, runningSince: T0 + 30_000 }), s, {
      ...settings,
      validation: { ...settings.validation, maxRestarts: 1 },
    });
    expect(checks.restarts).toMatchObject({ passed: false, observed: '2', final: true });
  });

  it('has no soak while the job is not RUNNING', () => {
    const s = advanceSoak(INITIAL_SOAK, obs(T0, { state: 'RESTARTING' }));
    expect(s.since).toBeUndefined();
  });
});

describe('pollUntilVerified', () => {
  it('polls until the soak is long enough, with a fake clock', async () => {
    let now = T0;
    const lines: string[] = [];
    const outcome = await pollUntilVerified(settings, {
      timeoutMs: 30 * MIN,
      intervalMs: MIN,
      now: () => now,
      sleep: async (ms) => void (now += ms),
      observe: async () => obs(now, { runningSince: T0 - 7 * MIN }),
      onPoll: (p) => lines.push(progressLine(p.elapsedMs, p.checks)),
    });
    expect(outcome).toMatchObject({ passed: true, polls: 4, reason: 'passed', elapsedMs: 3 * MIN });
    expect(lines[0]).toBe('[0s] waiting for running (RUNNING for 7m; want RUNNING for >= 10m)');
  });

  it('times out with the last failing checks, and stops early on a final failure', async () => {
    let now = T0;
    const clock = { now: () => now, sleep: async (ms: number) => void (now += ms) };
    const timeout = await pollUntilVerified(settings, {
      ...clock,
      timeoutMs: 5 * MIN,
      intervalMs: MIN,
      observe: async () => obs(now, { completedCheckpoints: 0 }),
    });
    expect(timeout).toMatchObject({ passed: false, reason: 'timeout', polls: 6 });
    const final = await pollUntilVerified(settings, {
      ...clock,
      timeoutMs: 5 * MIN,
      intervalMs: MIN,
      observe: async () => obs(now, { restarts: 3 }),
    });
    expect(final).toMatchObject({ passed: false, reason: 'final-failure', polls: 1 });
  });
});
