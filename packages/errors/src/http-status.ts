import type { ErrorKind } from './app-error';

const statusByKind: Record<ErrorKind, number> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

/** The HTTP status for an error kind. */
export function httpStatusOf(kind: ErrorKind): number {
  return statusByKind[kind];
}
