/** What went wrong talking to a JobManager (or any HTTP endpoint verify reads). */
export type RestProblem =
  'unreachable' | 'timeout' | 'http-status' | 'not-found' | 'bad-json' | 'wrong-shape';

/** A REST failure as data: the URL, what was expected, what happened, and after how many attempts. */
export interface RestFailure {
  readonly url: string;
  readonly problem: RestProblem;
  /** What the caller expected, e.g. "a JSON object with a jobs array (GET /jobs/overview)". */
  readonly expected: string;
  /** What happened, e.g. "connection refused", "HTTP 503", "jobs[0].state is missing". */
  readonly detail: string;
  readonly status?: number;
  readonly attempts: number;
}

/** Thrown by the REST client; `failure` holds the data, `message` names the URL and the problem. */
export class FlinkRestError extends Error {
  readonly failure: RestFailure;
  constructor(failure: RestFailure) {
    super(formatRestFailure(failure));
    this.name = 'FlinkRestError';
    this.failure = failure;
  }
  /** Whether polling again may help (a wrong shape will not fix itself). */
  get retryable(): boolean {
    return this.failure.problem !== 'wrong-shape' && this.failure.problem !== 'bad-json';
  }
}

export function formatRestFailure(f: RestFailure): string {
  const tries = f.attempts > 1 ? ` after ${f.attempts} attempts` : '';
  const what = /^https?:/.test(f.url) ? `GET ${f.url}` : f.url;
  return `${what}: ${f.detail}${tries}; expected ${f.expected}`;
}

/** A response that does not have the expected shape: `path` is a JSON pointer into the body. */
export class ShapeError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(`${path || '(body)'}: ${message}`);
    this.name = 'ShapeError';
    this.path = path;
  }
}
