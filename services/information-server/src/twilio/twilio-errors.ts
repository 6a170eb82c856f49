import type { ErrorRequestHandler, Response } from 'express';
import { httpStatusOf, type AppError } from '@outband/errors';
import type { Logger } from '@outband/observability';
import { asAppError } from '../http/problem';

/**
 * Our stable codes as Twilio's error codes (https://www.twilio.com/docs/api/errors), so an
 * application's handling of `RestException.code` keeps working.
 */
const byCode: Record<string, [status: number, twilioCode: number]> = {
  AUTH_MISSING: [401, 20003],
  TWILIO_AUTH_INVALID: [401, 20003],
  MERCHANT_SUSPENDED: [401, 20005],
  TOO_MANY_ATTEMPTS: [429, 60202],
  TOO_MANY_RESENDS: [429, 60203],
  RESEND_TOO_SOON: [429, 60203],
  COUNTRY_NOT_ALLOWED: [403, 60605],
  ADDRESS_PREMIUM_RATE: [403, 60410],
  RANGE_BLOCKED: [403, 60410],
  ADDRESS_INVALID: [400, 60200],
  CHANNEL_UNSUPPORTED: [400, 60200],
  CODE_REQUIRED: [400, 60200],
  // A verification that is no longer pending cannot be checked: Twilio says it is not found.
  VERIFICATION_EXPIRED: [404, 20404],
  ALREADY_USED: [404, 20404],
  CANCELED: [404, 20404],
  VERIFICATION_FAILED: [404, 20404],
  SESSION_CLOSED: [404, 20404],
};

const byKind: Record<AppError['kind'], number> = {
  invalid_input: 60200,
  unauthorized: 20003,
  forbidden: 20403,
  not_found: 20404,
  conflict: 20409,
  unprocessable: 60200,
  payload_too_large: 20413,
  unsupported_media_type: 20415,
  rate_limited: 20429,
  unavailable: 20503,
  internal: 20500,
};

/** Sends an error as Twilio does: `{ code, message, more_info, status }`. */
export function sendTwilioError(res: Response, e: AppError): void {
  const [status, code] = byCode[e.code] ?? [httpStatusOf(e.kind), byKind[e.kind]];
  const retryAfter = (e.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
  if (retryAfter !== undefined) {
    res.setHeader('Retry-After', String(retryAfter));
  }
  if (status === 401) {
    res.setHeader('WWW-Authenticate', 'Basic realm="Twilio API"');
  }
  res.status(status).json({
    code,
    message: e.fieldErrors?.length
      ? `Invalid parameter \`${e.fieldErrors[0]?.field ?? ''}\`: ${e.fieldErrors[0]?.message ?? ''}`
      : e.message,
    more_info: `https://www.twilio.com/docs/errors/${code}`,
    status,
    // Our own stable code, for people reading logs.
    outband_code: e.code,
  });
}

export function twilioErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    sendTwilioError(res, asAppError(err, logger, req.path));
  };
}
