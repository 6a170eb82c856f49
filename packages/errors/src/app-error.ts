/** What went wrong, in terms a caller can act on; the HTTP layer maps each kind to a status. */
export type ErrorKind =
  | 'invalid_input'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  /** Well-formed, but it contradicts what was sent before (an idempotency key reused …). */
  | 'unprocessable'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

/** One invalid field of a request, as RFC 9457 extension members list them. */
export interface FieldError {
  field: string;
  message: string;
}

export interface AppErrorOptions {
  /** Whether the same call may succeed later without any change. @defaultValue false */
  retryable?: boolean;
  /** Machine-readable extras returned to the caller (never secrets). */
  details?: Record<string, unknown>;
  fieldErrors?: FieldError[];
  cause?: unknown;
}

/** The one error class of the project: a stable `code`, a `kind`, and whether a retry helps. */
export class AppError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;
  readonly fieldErrors: FieldError[] | undefined;

  constructor(kind: ErrorKind, code: string, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.kind = kind;
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details;
    this.fieldErrors = options.fieldErrors;
  }

  /** The shape that crosses the bus and that the HTTP layer turns into problem+json. */
  toJSON(): SerializedError {
    return {
      kind: this.kind,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...(this.details ? { details: this.details } : {}),
      ...(this.fieldErrors ? { fieldErrors: this.fieldErrors } : {}),
    };
  }

  static fromJSON(e: SerializedError): AppError {
    return new AppError(e.kind, e.code, e.message, {
      retryable: e.retryable,
      ...(e.details ? { details: e.details } : {}),
      ...(e.fieldErrors ? { fieldErrors: e.fieldErrors } : {}),
    });
  }
}

export interface SerializedError {
  kind: ErrorKind;
  code: string;
  message: string;
  retryable: boolean;
  details?: Record<string, unknown>;
  fieldErrors?: FieldError[];
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
