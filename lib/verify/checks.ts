import { formatRestFailure } from '../flink/errors.js';
import { withoutCredentials } from '../flink/http.js';
import { showInstant } from '../spec/time.js';
import { formatDuration, parseDuration } from '../spec/duration.js';
import type {
  CheckResult,
  JobObservation,
  Observation,
  Observed,
  SoakState,
  VerifySettings,
} from './types.js';

/**
 * A duration for people: whole seconds from 1s on (`1h2s`), else milliseconds. `floor` for an
 * observed time compared with a minimum (never shows 10m for 9m59.6s), `ceil` for time to go.
 */
export function roughDuration(ms: number, mode: 'round' | 'floor' | 'ceil' = 'round'): string {
  return formatDuration(Math.abs(ms) >= 1000 ? Math[mode](ms / 1000) * 1000 : ms);
}

/** The soak state before the first poll. */
export const INITIAL_SOAK: SoakState = { carriedRestarts: 0, resets: 0 };

/**
 * Advances the soak bookkeeping with one poll (pure). The soak starts over when the job id
 * changes, when `numRestarts` grows, when it shrinks (a JobManager failover recovers the same job
 * id with a fresh counter), or when the job is seen not RUNNING; otherwise it runs from the job's
 * last RUNNING transition. A new job id or a JobManager failover counts as one more restart.
 */
export function advanceSoak(prev: SoakState, obs: Observation): SoakState {
  if (!obs.job.ok) return prev;
  const job = obs.job.value;
  const jmFailover = prev.jid === job.jid && prev.restarts !== undefined && job.restarts < prev.restarts;
  const newJob = (prev.jid !== undefined && prev.jid !== job.jid) || jmFailover;
  const restarted = !newJob && prev.restarts !== undefined && job.restarts > prev.restarts;
  const carriedRestarts = newJob ? prev.carriedRestarts + (prev.restarts ?? 0) + 1 : prev.carriedRestarts;
  let since: number | undefined;
  if (job.state !== 'RUNNING') since = undefined;
  else if (newJob || restarted) {
    // Trust the RUNNING transition when it moved; a stale one starts the soak at this poll.
    since = prev.since === undefined || job.runningSince > prev.since ? job.runningSince : obs.now;
  } else since = Math.max(job.runningSince, prev.since ?? job.runningSince);
  const resets = prev.resets + (newJob || restarted ? 1 : 0);
  return { jid: job.jid, restarts: job.restarts, carriedRestarts, since, resets };
}

/** Restarts counted over the verification: the current job's plus the earlier job ids'. */
export function totalRestarts(soak: SoakState, job: JobObservation): number {
  return soak.carriedRestarts + job.restarts;
}

const NO_DATA = /^no data from the (blue|green) JobManager$/;

function noData(name: string, expected: string, why: string): CheckResult {
  return { name, passed: false, observed: null, expected, message: why };
}

function restMessage<T>(o: Observed<T>): string {
  return o.ok ? '' : formatRestFailure(o.error);
}

function finalIfShape<T>(o: Observed<T>): boolean {
  return !o.ok && (o.error.problem === 'wrong-shape' || o.error.problem === 'bad-json');
}

/** Shows an epoch-millis watermark as ISO-8601. */
export function showWatermark(w: number | null): string {
  return w === null ? 'none yet' : showInstant(w);
}

/**
 * Evaluates every check of `settings.validation` against one poll's observation (pure).
 * Checks: jobmanager, running, checkpoints, restarts, watermark-lag (with an active color),
 * prometheus:<name>, http:<name>, approval (when required).
 */
export function evaluate(settings: VerifySettings, obs: Observation, soak: SoakState): CheckResult[] {
  const v = settings.validation;
  const out: CheckResult[] = [];
  const minRunning = parseDuration(v.minRunning);
  const job = obs.job;

  if (!job.ok) {
    out.push({
      name: 'jobmanager',
      passed: false,
      observed: job.error.problem,
      expected: `the ${settings.color} JobManager answers`,
      message: restMessage(job),
      final: finalIfShape(job),
    });
    const why = `no data from the ${settings.color} JobManager`;
    out.push(noData('running', `RUNNING for >= ${formatDuration(minRunning)}`, why));
    out.push(noData('checkpoints', `>= ${v.minCompletedCheckpoints} completed, none failing`, why));
    out.push(noData('restarts', `<= ${v.maxRestarts}`, why));
  } else {
    const j = job.value;
    // running
    const runningFor =
      j.state === 'RUNNING' && soak.since !== undefined ? Math.max(0, obs.now - soak.since) : 0;
    const pending = j.state === 'RUNNING' ? (j.pendingVertices ?? []) : [];
    const runningOk = j.state === 'RUNNING' && runningFor >= minRunning && pending.length === 0;
    out.push({
      name: 'running',
      passed: runningOk,
      observed:
        j.state === 'RUNNING'
          ? `RUNNING for ${roughDuration(runningFor, 'floor')}${pending.length > 0 ? `, ${pending.length} vertex(es) not RUNNING` : ''}${soak.resets > 0 ? ` (soak restarted ${soak.resets}x)` : ''}`
          : j.state,
      expected: `RUNNING for >= ${formatDuration(minRunning)}`,
      message: runningOk
        ? `job ${j.jid} has run ${roughDuration(runningFor)} without a restart`
        : pending.length > 0
          ? `job ${j.jid} is RUNNING but not all its tasks are: ${pending.join(', ')}`
          : j.state === 'RUNNING'
            ? `soaking: ${roughDuration(minRunning - runningFor, 'ceil')} to go${soak.resets > 0 ? ` (the soak started over after a restart, ${soak.resets}x)` : ''}`
            : `job ${j.jid} is ${j.state}, not RUNNING`,
      ...(['FAILED', 'CANCELED', 'FINISHED'].includes(j.state) ? { final: true } : {}),
    });
    // checkpoints
    const enough = j.completedCheckpoints >= v.minCompletedCheckpoints;
    const failing = j.failingCheckpoint;
    out.push({
      name: 'checkpoints',
      passed: enough && !failing,
      observed: `${j.completedCheckpoints} completed${failing ? `, checkpoint ${failing.id} failed` : ''}`,
      expected: `>= ${v.minCompletedCheckpoints} completed, none failing`,
      message: failing
        ? `the latest checkpoint attempt (${failing.id}) failed${failing.message ? `: ${failing.message}` : ''}`
        : enough
          ? `${j.completedCheckpoints} checkpoints completed`
          : `waiting for ${v.minCompletedCheckpoints - j.completedCheckpoints} more completed checkpoint(s)`,
    });
    // restarts
    const restarts = totalRestarts(soak, j);
    const restartsOk = restarts <= v.maxRestarts;
    out.push({
      name: 'restarts',
      passed: restartsOk,
      observed: String(restarts),
      expected: `<= ${v.maxRestarts}`,
      message: restartsOk
        ? `${restarts} restart(s)`
        : `the job restarted ${restarts} time(s), more than the ${v.maxRestarts} allowed${j.lastException ? `; last exception: ${j.lastException}` : ''}`,
      ...(restartsOk ? {} : { final: true }),
    });
  }

  // watermark lag
  if (settings.activeColor && settings.activeColor !== settings.color) {
    const maxLag = parseDuration(v.maxWatermarkLag);
    const expected = `lag behind ${settings.activeColor} <= ${formatDuration(maxLag)}`;
    const a = obs.active;
    if (!a)
      out.push(
        noData(
          'watermark-lag',
          expected,
          `no REST URL for the active color ${settings.activeColor}: pass --active-rest`,
        ),
      );
    else if (!job.ok)
      out.push(noData('watermark-lag', expected, `no data from the ${settings.color} JobManager`));
    else if (!a.ok)
      out.push({
        name: 'watermark-lag',
        passed: false,
        observed: null,
        expected,
        message: `no data from the ${settings.activeColor} JobManager: ${restMessage(a)}`,
        final: finalIfShape(a),
      });
    else if (job.value.onlySources || a.value.onlySources) {
      const who = job.value.onlySources ? settings.color : settings.activeColor;
      out.push({
        name: 'watermark-lag',
        passed: false,
        observed: `${who}: no measurable watermark`,
        expected,
        final: true,
        message: `every vertex of ${who}'s job is a source, and sources report no input watermark (GET /jobs/{id}/vertices/{vid}/watermarks): break the operator chain before the gate (e.g. disableChaining()) so a vertex with inputs carries the watermark`,
      });
    } else if (job.value.watermark === null || a.value.watermark === null) {
      const who = job.value.watermark === null ? settings.color : settings.activeColor;
      const vertex =
        (job.value.watermark === null ? job.value.slowestVertex : a.value.slowestVertex) ?? 'a vertex';
      out.push({
        name: 'watermark-lag',
        passed: false,
        observed: `${who}: no watermark yet`,
        expected,
        message: `waiting for ${who}'s first watermark (${vertex})`,
      });
    } else {
      const lag = a.value.watermark - job.value.watermark;
      const ok = lag <= maxLag;
      out.push({
        name: 'watermark-lag',
        passed: ok,
        observed: lag >= 0 ? roughDuration(lag) : `${roughDuration(-lag)} ahead`,
        expected,
        message: `${settings.color} ${showWatermark(job.value.watermark)}, ${settings.activeColor} ${showWatermark(a.value.watermark)}${ok ? '' : `: ${settings.color} is ${roughDuration(lag - maxLag)} too far behind`}`,
      });
    }
  }

  // prometheus
  for (const q of v.prometheus) {
    const name = `prometheus:${q.name}`;
    const bounds =
      [q.min !== undefined ? `>= ${q.min}` : '', q.max !== undefined ? `<= ${q.max}` : '']
        .filter(Boolean)
        .join(' and ') || 'a value';
    const o = obs.prometheus[q.name];
    if (!o) {
      out.push(noData(name, bounds, "no Prometheus URL: set the check's url or pass --prometheus"));
      continue;
    }
    if (!o.ok) {
      out.push({
        name,
        passed: false,
        observed: null,
        expected: bounds,
        message: restMessage(o),
        final: finalIfShape(o),
      });
      continue;
    }
    const values = o.value.values;
    const bad = values.filter(
      (x) => Number.isNaN(x) || (q.min !== undefined && x < q.min) || (q.max !== undefined && x > q.max),
    );
    const ok = values.length > 0 && bad.length === 0;
    out.push({
      name,
      passed: ok,
      observed: values.length === 0 ? 'no data' : values.join(', '),
      expected: bounds,
      message:
        values.length === 0
          ? `the query returned no series: ${q.query}`
          : ok
            ? 'within bounds'
            : `${bad.join(', ')} out of bounds for ${q.query}`,
    });
  }

  // http
  for (const h of v.http) {
    const name = `http:${h.name}`;
    const expected = `HTTP ${h.expectStatus}${h.jsonPath ? `, ${h.jsonPath} == ${JSON.stringify(h.equals)}` : ''}`;
    const o = obs.http[h.name];
    if (!o || !o.ok) {
      out.push({ name, passed: false, observed: null, expected, message: o ? restMessage(o) : 'not polled' });
      continue;
    }
    const shown = withoutCredentials(h.url).url;
    const statusOk = o.value.status === h.expectStatus;
    const fieldOk =
      !h.jsonPath || h.equals === undefined
        ? !h.jsonPath || o.value.fieldFound === true
        : o.value.field === h.equals;
    const ok = statusOk && fieldOk;
    out.push({
      name,
      passed: ok,
      observed: `HTTP ${o.value.status}${h.jsonPath ? `, ${h.jsonPath} = ${o.value.fieldFound ? JSON.stringify(o.value.field) : 'absent'}` : ''}`,
      expected,
      message: ok
        ? `GET ${shown} ok`
        : !statusOk
          ? `GET ${shown} answered HTTP ${o.value.status}`
          : `GET ${shown}: ${h.jsonPath} is ${o.value.fieldFound ? JSON.stringify(o.value.field) : 'absent'}`,
    });
  }

  // approval
  if (v.approval) {
    const expected =
      settings.generation !== undefined
        ? `approved generation ${settings.generation}`
        : 'an approval once a cutover is scheduled';
    const a = obs.approval;
    if (settings.generation === undefined) {
      out.push({
        name: 'approval',
        passed: true,
        observed: null,
        expected,
        message: 'no cutover scheduled: the approval is checked on the sync that carries the cutover',
      });
    } else if (!a) {
      out.push(noData('approval', expected, 'approval not read'));
    } else if ('missingSource' in a) {
      // Polling cannot make a source appear: fail now, not at the timeout.
      out.push({ ...noData('approval', expected, a.missingSource), final: true });
    } else if (!a.ok) {
      out.push({ name: 'approval', passed: false, observed: null, expected, message: restMessage(a) });
    } else {
      const g = a.value.approvedGeneration;
      const ok = g === settings.generation;
      out.push({
        name: 'approval',
        passed: ok,
        observed: g === undefined ? 'none' : `generation ${g}`,
        expected,
        message: ok
          ? `approved by ${a.value.from === 'status' ? 'the status ConfigMap' : 'the annotation'} on ${a.value.source}`
          : `waiting for ${a.value.source}: annotate it with flink-cutover.dev/approved-generation=${settings.generation}`,
      });
    }
  }
  return out;
}

/**
 * One progress line for text mode: what still waits, and for what. While the JobManager cannot
 * be read, that is the line (with the URL and the problem), not every check that lacks its data.
 */
export function progressLine(elapsedMs: number, checks: readonly CheckResult[]): string {
  const waiting = checks.filter((c) => !c.passed);
  const head = `[${formatDuration(Math.round(elapsedMs / 1000) * 1000)}]`;
  if (waiting.length === 0) return `${head} all ${checks.length} checks pass`;
  const jm = waiting.find((c) => c.name === 'jobmanager');
  const shown = jm ? waiting.filter((c) => !(c.observed === null && NO_DATA.test(c.message))) : waiting;
  return `${head} waiting for ${shown.map((c) => (c === jm ? `the JobManager (${c.message})` : `${c.name} (${c.observed ?? 'no data'}; want ${c.expected})`)).join(', ')}`;
}
