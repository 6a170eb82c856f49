import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { AppError, httpStatusOf, isAppError } from '@outband/errors';
import type { Logger } from '@outband/observability';

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Writes an AppError as RFC 9457 problem details with a stable `code`. */
export function sendProblem(res: Response, e: AppError): void {
  const status = httpStatusOf(e.kind);
  if (status === 401 && !res.hasHeader('WWW-Authenticate')) {
    res.setHeader('WWW-Authenticate', 'Bearer');
  }
  if (status === 503 && e.retryable) {
    res.setHeader('Retry-After', '1');
  }
  const retryAfter = e.details?.retryAfterSeconds;
  if (status === 429 && typeof retryAfter === 'number') {
    res.setHeader('Retry-After', String(retryAfter));
  }
  res
    .status(status)
    .type('application/problem+json')
    .json({
      type: `https://outband.dev/problems/${e.code.toLowerCase().replace(/_/g, '-')}`,
      title: titles[status] ?? 'Error',
      status,
      code: e.code,
      detail: e.message,
      ...(e.fieldErrors ? { errors: e.fieldErrors } : {}),
      ...(e.details ?? {}),
    });
}

// body-parser's error types, mapped to our codes.
const parserErrors: Record<string, [AppError['kind'], string, string]> = {
  'entity.parse.failed': ['invalid_input', 'INVALID_JSON', 'the body is not valid JSON'],
  'entity.too.large': ['payload_too_large', 'PAYLOAD_TOO_LARGE', 'the body is too large'],
  'encoding.unsupported': ['unsupported_media_type', 'UNSUPPORTED_ENCODING', 'the content encoding is not supported'],
  'charset.unsupported': ['unsupported_media_type', 'UNSUPPORTED_CHARSET', 'the charset is not supported'],
  'request.aborted': ['invalid_input', 'REQUEST_ABORTED', 'the request was aborted'],
  'request.size.invalid': ['invalid_input', 'INVALID_BODY_SIZE', 'the body length does not match Content-Length'],
};

/** The last middleware: every error becomes problem+json; unknown ones a generic 500. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    sendProblem(res, asAppError(err, logger, req.path));
  };
}

/** Any error as the AppError the client is told about; an unexpected one is logged and stays vague. */
export function asAppError(err: unknown, logger: Logger, path: string): AppError {
  if (isAppError(err)) {
    return err;
  }
  const type = typeof err === 'object' && err !== null && 'type' in err ? String(err.type) : '';
  const mapped = parserErrors[type];
  if (mapped) {
    return new AppError(mapped[0], mapped[1], mapped[2]);
  }
  // Other client errors raised by express itself (a malformed percent-encoded path …).
  const status = typeof err === 'object' && err !== null && 'status' in err ? Number(err.status) : NaN;
  if (status >= 400 && status < 500) {
    return new AppError('invalid_input', 'BAD_REQUEST', 'the request is malformed');
  }
  logger.error({ err, path }, 'unhandled error');
  return new AppError('internal', 'INTERNAL', 'an internal error occurred');
}

/** Unknown routes. */
export const notFound: RequestHandler = (_req, res) => {
  sendProblem(res, new AppError('not_found', 'ROUTE_NOT_FOUND', 'no such route'));
};

/** A POST with a body must be JSON. */
export const requireJson: RequestHandler = (req, _res, next) => {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (hasBody && !req.is('application/json')) {
    next(new AppError('unsupported_media_type', 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json'));
    return;
  }
  next();
};
