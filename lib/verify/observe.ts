import { parseAllDocuments } from 'yaml';
import { FlinkRestClient } from '../flink/client.js';
import { FlinkRestError, ShapeError } from '../flink/errors.js';
import type { HttpOptions } from '../flink/http.js';
import { getJson, getRaw, joinUrl } from '../flink/http.js';
import { arr, obj, str } from '../flink/shape.js';
import { NO_WATERMARK } from '../flink/types.js';
import type { ConfigMapView, KubeAccess } from './kube.js';
import { configMapView, readConfigMap } from './kube.js';
import type {
  ApprovalObservation,
  HttpObservation,
  JobObservation,
  Observation,
  Observed,
  PrometheusObservation,
  VerifySettings,
} from './types.js';
import { InputFileError, readRegularFile } from '../spec/read-file.js';

export const APPROVAL_ANNOTATION = 'flink-cutover.dev/approved-generation';
/** Key of the status ConfigMap that approves a generation (alternative to the annotation). */
export const APPROVAL_STATUS_KEY = 'approvedGeneration';

/** Where the approval is read from. */
export type ApprovalSource =
  | { readonly kind: 'file'; readonly path: string }
  | {
      readonly kind: 'cluster';
      readonly access: KubeAccess;
      readonly namespace: string;
      readonly configMap: string;
      readonly statusConfigMap: string;
    };

export interface ObserveOptions {
  readonly http?: HttpOptions;
  readonly approval?: ApprovalSource;
  readonly now?: () => number;
}

async function observed<T>(p: Promise<T>): Promise<Observed<T>> {
  try {
    return { ok: true, value: await p };
  } catch (err) {
    if (err instanceof FlinkRestError) return { ok: false, error: err.failure };
    throw err;
  }
}

function watermarkValue(value: string): number | null {
  if (value === NO_WATERMARK) return null;
  const n = Number(value);
  return Number.isFinite(n) && n > -9.2e18 ? n : null;
}

/**
 * Reads one color's job: rediscovered on every call (a restart can change the job id), with its
 * state, RUNNING transition, restarts, checkpoints and watermark (min over the non-source
 * vertices of the min subtask input watermark; sources have no input watermark).
 */
export async function observeJob(restUrl: string, http: HttpOptions = {}): Promise<JobObservation> {
  const client = new FlinkRestClient(restUrl, http);
  const overview = await client.currentJob();
  const [details, checkpoints, restarts] = await Promise.all([
    client.jobDetails(overview.jid),
    client.checkpoints(overview.jid),
    client.restarts(overview.jid),
  ]);
  // Why it restarted, for the message (best effort: the verdict does not depend on it).
  const lastException =
    restarts > 0
      ? await client.exceptions(overview.jid).then(
          (e) => {
            // exceptionName is only the class; the stack trace's first line has class and message.
            const newest = e.exceptionHistory?.entries[0];
            return (
              (newest?.stacktrace ?? e['root-exception'])?.split('\n')[0]?.trim() || newest?.exceptionName
            );
          },
          () => undefined,
        )
      : undefined;
  const nodes = details.plan?.nodes;
  const sources = new Set(
    nodes
      ? nodes.filter((n) => !n.inputs || n.inputs.length === 0).map((n) => n.id)
      : [details.vertices[0]?.id],
  );
  const measured = details.vertices.filter((v) => !sources.has(v.id));
  const marks = await Promise.all(measured.map((v) => client.vertexWatermarks(overview.jid, v.id)));
  let watermark: number | undefined;
  let noneYet = false;
  let slowestVertex: string | undefined;
  measured.forEach((v, i) => {
    if (noneYet) return;
    const values = marks[i]!.map((m) => watermarkValue(m.value));
    if (values.length < v.parallelism || values.includes(null)) {
      noneYet = true;
      slowestVertex = v.name;
      return;
    }
    const vertexMin = Math.min(...(values as number[]));
    if (watermark === undefined || vertexMin < watermark) {
      watermark = vertexMin;
      slowestVertex = v.name;
    }
  });
  const completed = checkpoints.latest?.completed;
  const failed = checkpoints.latest?.failed;
  // Checkpoint ids grow monotonically within a job (savepoints share them), so the newest attempt
  // is the one with the larger id. A timestamp comparison would flag an older attempt that
  // expired after a newer one completed (concurrent checkpoints).
  const failedAt = failed ? (failed.failure_timestamp ?? failed.trigger_timestamp ?? 0) : -Infinity;
  const failing =
    failed && (completed === undefined || failed.id > completed.id)
      ? {
          id: failed.id,
          at: failedAt,
          ...(failed.failure_message ? { message: failed.failure_message } : {}),
        }
      : undefined;
  const pending = details.vertices
    .filter((v) => v.status !== undefined && v.status !== 'RUNNING' && v.status !== 'FINISHED')
    .map((v) => `${v.name} ${v.status}`);
  return {
    jid: details.jid,
    state: details.state,
    ...(pending.length > 0 ? { pendingVertices: pending } : {}),
    startTime: details['start-time'],
    runningSince:
      details.timestamps?.RUNNING && details.timestamps.RUNNING > 0
        ? details.timestamps.RUNNING
        : details['start-time'],
    restarts,
    ...(lastException ? { lastException } : {}),
    completedCheckpoints: checkpoints.counts.completed,
    ...(failing ? { failingCheckpoint: failing } : {}),
    watermark: noneYet || watermark === undefined ? null : watermark,
    ...(slowestVertex ? { slowestVertex } : {}),
    ...(measured.length === 0 ? { onlySources: true } : {}),
  };
}

/** A Prometheus sample value: a number as a string, or `+Inf`, `-Inf`, `NaN`. */
function sampleValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

/**
 * Prometheus instant query (`GET <url>/api/v1/query?query=`): one number per series. A query
 * Prometheus refuses (HTTP 400/422, e.g. a parse error) or one that does not yield an instant
 * vector or scalar (a range vector `x[5m]`) is `wrong-shape`: polling again cannot help.
 */
export async function prometheusQuery(
  baseUrl: string,
  query: string,
  http: HttpOptions = {},
): Promise<PrometheusObservation> {
  const url = joinUrl(baseUrl, `/api/v1/query?query=${encodeURIComponent(query)}`);
  const expected = 'a Prometheus query response {"status":"success","data":{...}}';
  try {
    return await getJson(
      url,
      expected,
      (body) => {
        const o = obj(body, '');
        if (o.status !== 'success')
          throw new ShapeError('/status', `expected "success", got ${JSON.stringify(o.status)}`);
        const data = obj(o.data, '/data');
        const type = str(data.resultType, '/data/resultType');
        const sample = (v: unknown, p: string) => sampleValue(str(arr(v, p)[1], `${p}/1`));
        if (type === 'scalar') return { values: [sample(data.result, '/data/result')] };
        if (type !== 'vector')
          throw new ShapeError(
            '/data/resultType',
            `the query yields ${JSON.stringify(type)}, not an instant vector or scalar (wrap a range like x[5m] in rate() or max_over_time())`,
          );
        return {
          values: arr(data.result, '/data/result').map((r, i) =>
            sample(obj(r, `/data/result/${i}`).value, `/data/result/${i}/value`),
          ),
        };
      },
      http,
    );
  } catch (err) {
    if (err instanceof FlinkRestError && (err.failure.status === 400 || err.failure.status === 422)) {
      throw new FlinkRestError({
        ...err.failure,
        problem: 'wrong-shape',
        detail: `Prometheus refused the query ${JSON.stringify(query)}: ${err.failure.detail}`,
      });
    }
    throw err;
  }
}

/** Reads a dotted path (`a.b.0.c`, optional leading `$.`) from a JSON value. */
export function fieldAt(value: unknown, path: string): { found: boolean; value?: unknown } {
  let v: unknown = value;
  for (const seg of path
    .replace(/^\$\.?/, '')
    .split('.')
    .filter(Boolean)) {
    if (v === null || typeof v !== 'object') return { found: false };
    if (!(seg in (v as object))) return { found: false };
    v = (v as Record<string, unknown>)[seg];
  }
  return { found: true, value: v };
}

/** An HTTP check: the status, and the field at `jsonPath` when given. */
export async function httpCheck(
  url: string,
  jsonPath: string | undefined,
  http: HttpOptions = {},
): Promise<HttpObservation> {
  let res: { status: number; body: string };
  try {
    res = await getRaw(url, 'an HTTP response', http);
  } catch (err) {
    // A 5xx that persisted through the retries is an answer: the check reports its status.
    if (err instanceof FlinkRestError && err.failure.status !== undefined)
      return { status: err.failure.status, ...(jsonPath ? { fieldFound: false } : {}) };
    throw err;
  }
  if (!jsonPath) return { status: res.status };
  try {
    const f = fieldAt(JSON.parse(res.body), jsonPath);
    return { status: res.status, fieldFound: f.found, ...(f.found ? { field: f.value } : {}) };
  } catch {
    return { status: res.status, fieldFound: false };
  }
}

/**
 * The approval found in a cutover ConfigMap (annotation) or a status ConfigMap (key) (pure).
 * With `wanted`, a source approving that generation wins over one still naming an older one
 * (an annotation left from the last cutover must not hide the status key's approval).
 */
export function approvalFrom(
  configMaps: readonly ConfigMapView[],
  source: string,
  wanted?: number,
): ApprovalObservation {
  const found: ApprovalObservation[] = [];
  for (const cm of configMaps) {
    const a = cm.annotations[APPROVAL_ANNOTATION];
    if (a !== undefined && /^[0-9]+$/.test(a.trim()))
      found.push({ source, approvedGeneration: Number(a), from: 'annotation' });
  }
  for (const cm of configMaps) {
    const k = cm.data[APPROVAL_STATUS_KEY];
    if (k !== undefined && /^[0-9]+$/.test(k.trim()))
      found.push({ source, approvedGeneration: Number(k), from: 'status' });
  }
  return found.find((f) => f.approvedGeneration === wanted) ?? found[0] ?? { source };
}

/** Reads ConfigMaps from a YAML or JSON file (one document, several, or a `kind: List`). */
export function readApprovalFile(path: string): ConfigMapView[] {
  let text: string;
  try {
    text = readRegularFile(path);
  } catch (err) {
    if (err instanceof InputFileError)
      throw Object.assign(new Error(`${path}: ${err.message}`), { code: err.code });
    throw err;
  }
  const out: ConfigMapView[] = [];
  let docs;
  try {
    docs = parseAllDocuments(text);
  } catch (err) {
    throw new Error(
      `${path}: cannot read it: ${err instanceof RangeError ? 'it is nested too deeply' : (err as Error).message}`,
      { cause: err },
    );
  }
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(`${path}: not YAML or JSON: ${doc.errors[0]!.message}`);
    let v: unknown;
    try {
      v = doc.toJS({ maxAliasCount: 100 }) as unknown;
    } catch (err) {
      throw new Error(
        `${path}: cannot read it: ${err instanceof RangeError ? 'it is nested too deeply' : (err as Error).message}`,
        { cause: err },
      );
    }
    if (v === null || v === undefined) continue;
    const items =
      typeof v === 'object' && !Array.isArray(v) && (v as { kind?: unknown }).kind === 'List'
        ? arr((v as { items?: unknown }).items, '/items')
        : [v];
    for (const item of items) out.push(configMapView(item));
  }
  return out;
}

async function observeApproval(src: ApprovalSource, wanted: number): Promise<ApprovalObservation> {
  if (src.kind === 'file') {
    try {
      return approvalFrom(readApprovalFile(src.path), src.path, wanted);
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      throw new FlinkRestError({
        url: src.path,
        expected: 'a ConfigMap as YAML or JSON',
        problem: 'wrong-shape',
        detail,
        attempts: 1,
      });
    }
  }
  const found = (
    await Promise.all(
      [src.configMap, src.statusConfigMap].map((n) => readConfigMap(src.access, src.namespace, n)),
    )
  ).filter((c): c is ConfigMapView => c !== undefined);
  return approvalFrom(found, `ConfigMap ${src.namespace}/${src.configMap}`, wanted);
}

/** One poll: reads everything the settings' checks need. Errors become data. */
export async function observe(settings: VerifySettings, options: ObserveOptions = {}): Promise<Observation> {
  const http = options.http ?? {};
  const v = settings.validation;
  const compare = settings.activeColor && settings.activeColor !== settings.color && settings.activeRestUrl;
  const [job, active] = await Promise.all([
    observed(observeJob(settings.restUrl, http)),
    compare ? observed(observeJob(settings.activeRestUrl!, http)) : Promise.resolve(undefined),
  ]);
  const prometheus: Record<string, Observed<PrometheusObservation>> = {};
  const httpResults: Record<string, Observed<HttpObservation>> = {};
  await Promise.all([
    ...v.prometheus.map(async (q) => {
      const base = q.url ?? settings.prometheusUrl;
      if (base) prometheus[q.name] = await observed(prometheusQuery(base, q.query, http));
    }),
    ...v.http.map(async (h) => {
      httpResults[h.name] = await observed(httpCheck(h.url, h.jsonPath, http));
    }),
  ]);
  let approval: Observation['approval'];
  if (v.approval && settings.generation !== undefined) {
    approval = options.approval
      ? await observed(observeApproval(options.approval, settings.generation))
      : {
          ok: false,
          missingSource:
            'no approval source: pass --approval-file FILE, or run in the cluster with --configmap NAME',
        };
  }
  return {
    now: (options.now ?? Date.now)(),
    job,
    ...(active ? { active } : {}),
    prometheus,
    http: httpResults,
    ...(approval ? { approval } : {}),
  };
}
