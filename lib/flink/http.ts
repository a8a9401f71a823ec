import { FlinkRestError, ShapeError } from './errors.js';
import type { RestProblem } from './errors.js';

/** How a client talks HTTP: timeouts and bounded retries with exponential backoff. */
export interface HttpOptions {
  /** Per-attempt timeout in milliseconds. @default 5000 */
  readonly timeoutMs?: number;
  /** Retries after the first attempt on connection errors, timeouts and 5xx. @default 2 */
  readonly retries?: number;
  /** First backoff in milliseconds, doubled per retry (capped at 5s). @default 250 */
  readonly backoffMs?: number;
  /** Extra request headers (e.g. Authorization for the Kubernetes API). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Injected for tests. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Injected for tests. @default a timer */
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * Wall-clock deadline (epoch millis) after which no retry starts (`verify --timeout` bounds the
   * whole run through it); each attempt, body included, is bounded by `timeoutMs`. @default none
   */
  readonly deadline?: number;
  /** Largest response body read, in bytes; a longer one is a failed request. @default 16 MiB */
  readonly maxBodyBytes?: number;
}

export const DEFAULT_HTTP: Required<
  Pick<HttpOptions, 'timeoutMs' | 'retries' | 'backoffMs' | 'maxBodyBytes'>
> = { timeoutMs: 5000, retries: 2, backoffMs: 250, maxBodyBytes: 16 * 1024 * 1024 };

/** Same-origin redirects followed before a request fails. */
export const MAX_REDIRECTS = 5;

/** A failure that retrying cannot fix (a cross-origin redirect, a body over the cap). */
class FinalHttpProblem extends Error {
  constructor(
    readonly problem: RestProblem,
    readonly detail: string,
    readonly status?: number,
  ) {
    super(detail);
  }
}

/** The origin of a URL (`scheme://host:port`), or the text itself when it does not parse. */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

/** A URL for messages: without userinfo and without the query string (it may carry a token). */
export function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    if (u.search) u.search = '?…';
    return u.toString();
  } catch {
    return url;
  }
}

/**
 * Reads a response body up to `max` bytes; a longer body cancels the stream and is a failed request
 * (a hostile or broken server must not exhaust the memory).
 */
export async function readCapped(res: Response, max: number, url: string): Promise<string> {
  const length = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(length) && length > max) {
    await res.body?.cancel().catch(() => undefined);
    throw new FinalHttpProblem(
      'http-status',
      `the response body of ${shownUrl(url)} is ${length} bytes, more than the ${max} bytes read`,
      res.status,
    );
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      throw new FinalHttpProblem(
        'http-status',
        `the response body of ${shownUrl(url)} is longer than the ${max} bytes read`,
        res.status,
      );
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A raw response: status and body text. */
export interface RawResponse {
  readonly url: string;
  readonly status: number;
  readonly body: string;
  readonly attempts: number;
}

/** Backoff before retry `n` (1-based): base * 2^(n-1), at most 5s. */
export function backoffDelay(base: number, n: number): number {
  return Math.min(5000, base * 2 ** (n - 1));
}

/** What a failed request's error means, in words (fetch errors carry the code in `cause`). */
export function connectionProblem(err: unknown): { problem: RestProblem; detail: string } {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError')
    return { problem: 'timeout', detail: 'no response within the timeout' };
  const code = e?.cause?.code;
  const text: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host name lookup failed',
    ECONNRESET: 'connection reset',
    EHOSTUNREACH: 'host unreachable',
    UND_ERR_SOCKET: 'connection closed',
  };
  if (code && text[code]) return { problem: 'unreachable', detail: text[code] };
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG') {
    return {
      problem: 'unreachable',
      detail: 'TLS handshake failed: the server does not speak https here (use an http:// URL?)',
    };
  }
  if (code && /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/.test(code)) {
    return {
      problem: 'unreachable',
      detail: `TLS certificate not trusted (${code}): give Node the CA with NODE_EXTRA_CA_CERTS=/path/ca.pem`,
    };
  }
  if (code?.startsWith('ERR_SSL_'))
    return { problem: 'unreachable', detail: `TLS handshake failed (${code})` };
  if (e?.cause?.message === 'bad port')
    return {
      problem: 'unreachable',
      detail:
        'the port is one fetch refuses to connect to (a "bad port" of the Fetch standard, e.g. 1, 9, 6000); serve it on another port',
    };
  return { problem: 'unreachable', detail: e?.cause?.message ?? e?.message ?? String(err) };
}

/**
 * Splits `user:password@` out of a URL: fetch refuses URLs with credentials, and messages must
 * not print them. Returns the URL without them and, if there were any, a Basic Authorization header.
 */
export function withoutCredentials(url: string): { url: string; authorization?: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { url };
  }
  if (!u.username && !u.password) return { url };
  const authorization =
    'Basic ' +
    Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64');
  u.username = '';
  u.password = '';
  return { url: u.toString(), authorization };
}

/**
 * GETs `url`; retries connection errors, timeouts and 5xx up to `retries` times with backoff.
 * Credentials in the URL (`http://user:pass@host/`) are sent as Basic auth and never shown.
 * Resolves with any final status (the caller decides what a 404 means); throws FlinkRestError
 * when no response came or every attempt answered 5xx.
 */
export async function getRaw(
  rawUrl: string,
  expected: string,
  options: HttpOptions = {},
): Promise<RawResponse> {
  const { url, authorization } = withoutCredentials(rawUrl);
  const timeoutMs = options.timeoutMs ?? DEFAULT_HTTP.timeoutMs;
  const retries = options.retries ?? DEFAULT_HTTP.retries;
  const backoff = options.backoffMs ?? DEFAULT_HTTP.backoffMs;
  const doFetch = options.fetch ?? globalThis.fetch;
  const sleep = options.sleep ?? realSleep;
  const maxBody = options.maxBodyBytes ?? DEFAULT_HTTP.maxBodyBytes;
  const deadline = options.deadline;
  const left = () => (deadline === undefined ? Infinity : deadline - Date.now());
  let last: { problem: RestProblem; detail: string; status?: number } = {
    problem: 'timeout',
    detail: 'the deadline had passed before the request',
  };
  let attempts = 0;
  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    if (attempt > 1) {
      // A retry starts only before the deadline; the first attempt of a request always runs.
      const pause = backoffDelay(backoff, attempt - 1);
      if (pause >= left()) break;
      await sleep(pause);
    }
    const budget = timeoutMs;
    attempts = attempt;
    try {
      const headers = {
        accept: 'application/json',
        ...(authorization ? { authorization } : {}),
        ...(options.headers ?? {}),
      };
      // One wall-clock signal for the request, every redirect and the whole body.
      const signal = AbortSignal.timeout(budget);
      let current = url;
      let res: Response;
      for (let hops = 0; ; hops++) {
        res = await doFetch(current, { headers, signal, redirect: 'manual' });
        const location = res.status >= 300 && res.status < 400 ? res.headers.get('location') : null;
        if (location === null) break;
        await res.body?.cancel().catch(() => undefined);
        const next = new URL(location, current).toString();
        if (originOf(next) !== originOf(url)) {
          throw new FinalHttpProblem(
            'http-status',
            `HTTP ${res.status} redirects from ${shownUrl(current)} to ${shownUrl(next)}, another origin: not followed`,
            res.status,
          );
        }
        if (hops >= MAX_REDIRECTS)
          throw new FinalHttpProblem(
            'http-status',
            `more than ${MAX_REDIRECTS} redirects from ${shownUrl(url)} (last to ${shownUrl(next)})`,
            res.status,
          );
        current = next;
      }
      const body = await readCapped(res, maxBody, current);
      if (res.status >= 500) {
        last = { problem: 'http-status', status: res.status, detail: `HTTP ${res.status}${errorText(body)}` };
        continue;
      }
      return { url, status: res.status, body, attempts: attempt };
    } catch (err) {
      if (err instanceof FinalHttpProblem) {
        throw new FlinkRestError({
          url,
          expected,
          attempts: attempt,
          problem: err.problem,
          detail: err.detail,
          ...(err.status !== undefined ? { status: err.status } : {}),
        });
      }
      last = connectionProblem(err);
    }
  }
  throw new FlinkRestError({ url, expected, attempts: Math.max(1, attempts), ...last });
}

/** Flink's error body is `{"errors": ["..."]}` (Prometheus's `{"error": "..."}`); shows its first line. */
function errorText(body: string): string {
  try {
    const parsed = JSON.parse(body) as { errors?: unknown; error?: unknown };
    if (Array.isArray(parsed.errors) && typeof parsed.errors[0] === 'string')
      return ` (${parsed.errors[0].split('\n')[0]})`;
    if (typeof parsed.error === 'string') return ` (${parsed.error.split('\n')[0]})`;
  } catch {
    /* not JSON */
  }
  return '';
}

/**
 * GETs JSON from `url` and reads it with `parse`: a 404 is `not-found`, another non-2xx status is
 * `http-status`, a body that is not JSON is `bad-json`, and a ShapeError from `parse` is
 * `wrong-shape`; each names the URL and `expected`.
 */
export async function getJson<T>(
  url: string,
  expected: string,
  parse: (body: unknown) => T,
  options: HttpOptions = {},
): Promise<T> {
  const res = await getRaw(url, expected, options);
  const fail = (problem: RestProblem, detail: string): never => {
    throw new FlinkRestError({
      url: res.url,
      expected,
      problem,
      detail,
      status: res.status,
      attempts: res.attempts,
    });
  };
  if (res.status === 404) fail('not-found', `HTTP 404${errorText(res.body)}`);
  if (res.status < 200 || res.status >= 300) fail('http-status', `HTTP ${res.status}${errorText(res.body)}`);
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    fail('bad-json', `the body is not JSON (starts with ${JSON.stringify(res.body.slice(0, 40))})`);
  }
  try {
    return parse(body);
  } catch (err) {
    if (err instanceof ShapeError) fail('wrong-shape', `unexpected response shape at ${err.message}`);
    throw err;
  }
}

/** Joins a base URL and a path without doubling slashes. */
export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, '') + '/' + path.replace(/^\/+/, '');
}
