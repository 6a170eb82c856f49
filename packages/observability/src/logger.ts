import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Field names whose values must never reach a log line, at the top level and one level down.
 * Codes, keys, tokens and card numbers are logged as "[redacted]"; code should not pass them anyway.
 */
const secretFields = [
  'submittedCode',
  'sealedCode',
  'otp',
  'secret',
  'password',
  'key',
  'keys',
  'token',
  'authorization',
  'Authorization',
  // Card numbers read by terminals (PCI DSS: never in logs).
  'pan',
  // An authenticator's enrolment (its secret and otpauth:// URI) and the codes typed from it.
  'binding',
  'AuthPayload',
];

// `code` is redacted at the top level only: one level down, `err.code` is an error's stable name.
const redactPaths = ['code', ...secretFields, ...secretFields.map((f) => `*.${f}`), 'req.headers.authorization', 'req.headers.cookie'];

export interface LoggerOptions {
  /** Service name, on every line. */
  service: string;
  /** pino level. @defaultValue 'info' */
  level?: string;
  /** Where lines go (tests capture them). @defaultValue stdout */
  destination?: DestinationStream;
}

/** JSON logger with secrets redacted. */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: options.service },
      redact: { paths: redactPaths, censor: '[redacted]' },
      // An AppError's `code` is a stable error name, not a secret: log errors under `err`.
      serializers: { err: pino.stdSerializers.err },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}
