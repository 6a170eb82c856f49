/** A problem+json answer of the API (RFC 9457), with its stable `code`. */
export interface Problem {
  type?: string;
  title?: string;
  status: number;
  code: string;
  detail?: string;
  /** Per field, for `INVALID_INPUT`. */
  errors?: Array<{ field: string; message: string }>;
  [extension: string]: unknown;
}

/** Thrown for every answer that is not a success; `code` is stable, `detail` is for people. */
export class OutbandError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problem: Problem;
  /** From `Retry-After`, when the server sent one (429, 503). */
  readonly retryAfterSeconds: number | undefined;

  constructor(problem: Problem, retryAfterSeconds?: number) {
    super(`${problem.code}: ${problem.detail ?? problem.title ?? `HTTP ${problem.status}`}`);
    this.name = 'OutbandError';
    this.status = problem.status;
    this.code = problem.code;
    this.problem = problem;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The request never got an answer (network error or timeout), after every retry. */
export class OutbandNetworkError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OutbandNetworkError';
  }
}
