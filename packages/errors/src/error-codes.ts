import type { ErrorKind } from './app-error';

/**
 * Where a caller meets a code:
 * - `problem`: an error answer (`application/problem+json` over HTTP, or the error of a bus reply);
 * - `check-cause`: the `cause.code` of a check that did not approve (HTTP 200, the verification stays or ends);
 * - `payment-cause`: the `cause` of a payment that ended without being captured;
 * - `sdk`: thrown by `@outband/sdk` in the merchant's own process (e.g. verifying a webhook).
 */
export type ErrorSurface = 'problem' | 'check-cause' | 'payment-cause' | 'sdk';

/** One stable error code: what it means and whether trying again helps. */
export interface ErrorCodeInfo {
  /** The kind, which the HTTP layer maps to a status (`httpStatusOf`). */
  kind: ErrorKind;
  /** Whether the same call may succeed later without any change. @defaultValue false */
  retryable?: boolean;
  /** What happened and what the caller can do, in a sentence or two. */
  description: string;
  /** @defaultValue 'problem' */
  surface?: ErrorSurface;
}

/**
 * Every stable code the suite answers with (the one list `docs/errors.md` and the `/docs` page
 * are generated from). A test scans the source for codes that are thrown and fails on any
 * missing here. Codes are never renamed: a client's handling depends on them.
 */
export const errorCodes = {
  // ── Requests: shape, size, media type ───────────────────────────────────────────────
  INVALID_INPUT: {
    kind: 'invalid_input',
    description: 'The request (body, query or path) fails its schema; `errors` lists every bad field.',
  },
  INVALID_JSON: { kind: 'invalid_input', description: 'The body is not valid JSON.' },
  BAD_REQUEST: { kind: 'invalid_input', description: 'The request is malformed (e.g. a bad percent-encoding in the path).' },
  REQUEST_ABORTED: { kind: 'invalid_input', description: 'The client aborted the request before its body arrived.' },
  INVALID_BODY_SIZE: { kind: 'invalid_input', description: 'The body length does not match `Content-Length`.' },
  PAYLOAD_TOO_LARGE: { kind: 'payload_too_large', description: 'The body is larger than the server accepts.' },
  UNSUPPORTED_MEDIA_TYPE: { kind: 'unsupported_media_type', description: 'The body is not sent as `application/json`.' },
  UNSUPPORTED_ENCODING: { kind: 'unsupported_media_type', description: 'The `Content-Encoding` of the body is not supported.' },
  UNSUPPORTED_CHARSET: { kind: 'unsupported_media_type', description: 'The charset of the body is not supported.' },
  UNSAFE_TEXT: {
    kind: 'invalid_input',
    description:
      'A text shown on the phone (payee, items, message, sender, template) is refused: more than one line, control, bidi or invisible characters, or a run of digits that could pass for a code or an amount.',
  },
  ROUTE_NOT_FOUND: { kind: 'not_found', description: 'No route has this method and path.' },
  TRANSACTION_REQUIRED: {
    kind: 'invalid_input',
    description: 'Purpose `payment` needs a `transaction`, at start and at check.',
  },
  MESSAGE_REQUIRED: { kind: 'invalid_input', description: 'Purpose `message` needs a `message`, at start and at check.' },
  ENDPOINT_REQUIRED: { kind: 'invalid_input', description: 'This webhook action names an endpoint, and none was given.' },
  TO_OR_SID_REQUIRED: {
    kind: 'invalid_input',
    description: 'Twilio-compatible API: a VerificationCheck names either `To` or `VerificationSid`.',
  },
  CODE_LENGTH_TOO_SHORT: {
    kind: 'invalid_input',
    description: "Twilio-compatible API: `CodeLength` is below the operator's minimum.",
  },

  // ── Idempotency ─────────────────────────────────────────────────────────────────────
  IDEMPOTENCY_KEY_INVALID: { kind: 'invalid_input', description: '`Idempotency-Key` must be 1 to 255 visible ASCII characters.' },
  IDEMPOTENCY_KEY_REUSED: {
    kind: 'unprocessable',
    description: 'This `Idempotency-Key` was already used for a different request: use a new key.',
  },
  IDEMPOTENCY_IN_PROGRESS: {
    kind: 'conflict',
    description: 'A request with this `Idempotency-Key` is still running: retry later to get its answer.',
  },

  // ── Merchant and operator authentication ────────────────────────────────────────────
  AUTH_MISSING: {
    kind: 'unauthorized',
    description: 'No credentials: send a merchant JWT as `Authorization: Bearer <token>` (Basic for the Twilio API).',
  },
  TOKEN_INVALID: {
    kind: 'unauthorized',
    description: 'The token is not a valid merchant JWT: bad signature, algorithm, `iss`, `kid`, `exp`, `iat` or `jti`.',
  },
  TOKEN_EXPIRED: { kind: 'unauthorized', description: 'The token has expired (`exp`): sign a new one.' },
  TOKEN_NOT_YET_VALID: { kind: 'unauthorized', description: 'The token is not valid yet (`nbf`).' },
  TOKEN_AUDIENCE_INVALID: {
    kind: 'unauthorized',
    description: 'The token is not meant for this server (`aud` differs from `JWT_AUDIENCE`).',
  },
  TOKEN_ISSUED_IN_FUTURE: { kind: 'unauthorized', description: "`iat` is ahead of the server's clock by more than the allowed skew." },
  TOKEN_LIFETIME_TOO_LONG: { kind: 'unauthorized', description: '`exp` is further ahead than `JWT_MAX_LIFETIME_SECONDS`.' },
  TOKEN_JTI_REQUIRED: { kind: 'unauthorized', description: 'The token carries no `jti`: each token is accepted once, so it needs one.' },
  TOKEN_REPLAYED: { kind: 'unauthorized', description: 'This token (`jti`) was already used: sign a new token for each request.' },
  TWILIO_AUTH_INVALID: { kind: 'unauthorized', description: 'Twilio-compatible API: the account or key SID and its secret do not match.' },
  MERCHANT_UNKNOWN: { kind: 'not_found', description: 'No merchant has this id.' },
  MERCHANT_SUSPENDED: { kind: 'forbidden', description: 'The merchant is suspended by the operator.' },
  MERCHANT_KEY_INVALID: { kind: 'internal', description: "A merchant's stored public key cannot be parsed (operator side)." },
  KEY_INVALID: { kind: 'invalid_input', description: 'Admin API: the key is not a PEM public key this algorithm can use.' },
  KEY_UNKNOWN: { kind: 'not_found', description: 'Admin API: this merchant has no active key with this `kid`.' },
  OPERATOR_AUTH_INVALID: { kind: 'unauthorized', description: 'Admin API: send an operator token as `Authorization: Bearer <token>`.' },
  OPERATOR_AUTH_RATE_LIMITED: {
    kind: 'rate_limited',
    description: 'Admin API: too many failed operator logins from this address; wait `Retry-After` seconds.',
  },

  // ── Rate limits and abuse guards ────────────────────────────────────────────────────
  RATE_LIMITED: { kind: 'rate_limited', description: 'Too many requests: wait `Retry-After` seconds.' },
  MERCHANT_RATE_LIMITED: { kind: 'rate_limited', description: 'This merchant starts too many verifications: slow down (`Retry-After`).' },
  TOO_MANY_SENDS: {
    kind: 'rate_limited',
    description: 'Too many codes were sent to this subscriber recently: try again later (`Retry-After`).',
  },
  SUBSCRIBER_LOCKED: {
    kind: 'rate_limited',
    description: 'Too many failed checks for this subscriber: temporarily blocked (`Retry-After`).',
  },
  COUNTRY_RATE_LIMITED: { kind: 'rate_limited', description: 'Too many codes to numbers of this country recently (`Retry-After`).' },
  RANGE_BLOCKED: {
    kind: 'rate_limited',
    description: 'Too many codes to numbers close to this one (toll-fraud guard): the range is blocked for a while.',
  },
  COUNTRY_NOT_ALLOWED: { kind: 'forbidden', description: 'This merchant may not send codes to numbers of this country.' },
  ADDRESS_PREMIUM_RATE: { kind: 'forbidden', description: "The subscriber's number is a premium-rate or shared-cost number." },
  ADDRESS_INVALID: { kind: 'invalid_input', description: "The subscriber's number is not a valid phone number." },

  // ── Subscribers, verifications, codes ───────────────────────────────────────────────
  SUBSCRIBER_UNKNOWN: {
    kind: 'not_found',
    description: 'No subscriber has this identifier (admin and payment APIs; a login start never tells).',
  },
  SUBSCRIBER_SUSPENDED: { kind: 'forbidden', description: 'The subscriber is suspended.' },
  VERIFICATION_NOT_FOUND: { kind: 'not_found', description: 'No such verification (or it belongs to another merchant).' },
  VERIFICATION_EXPIRED: { kind: 'conflict', description: 'Too much time elapsed: the code has expired. Start a new verification.' },
  LAPTOP_STORE_RESET: {
    kind: 'conflict',
    description:
      'Embedded default (`pnpm start` without `REDIS_URL`) only: Outband restarted after the code was sent, and its in-memory store of pending codes started empty. Start a new verification.',
  },
  VERIFICATION_FAILED: { kind: 'conflict', description: 'The code could not be sent: start a new verification.' },
  ALREADY_USED: { kind: 'conflict', description: 'This code was already used: a code is accepted once.' },
  CANCELED: { kind: 'conflict', description: 'The verification was canceled.' },
  TOO_MANY_ATTEMPTS: {
    kind: 'conflict',
    description: 'Too many wrong codes: the verification is over, start a new one. Also a check `cause` and a payment `cause`.',
  },
  CODE_MISMATCH: {
    kind: 'invalid_input',
    surface: 'check-cause',
    description: 'Wrong code; the verification stays pending while attempts are left (`attemptsLeft`).',
  },
  TRANSACTION_MISMATCH: {
    kind: 'invalid_input',
    description: 'The transaction differs from the one the code approves (at check: a `cause`; at resend: an error).',
  },
  MESSAGE_MISMATCH: {
    kind: 'invalid_input',
    description: 'The message differs from the one the code certifies (at check: a `cause`; at resend: an error).',
  },
  CODE_REQUIRED: { kind: 'invalid_input', description: 'A transaction or a message is approved only by checking its code.' },
  CHANNEL_UNSUPPORTED: {
    kind: 'invalid_input',
    description:
      "The channel is not supported here (a reverse-channel code is texted back, not resent; an enrolment's code is not resent; an authenticator's code is read from the app, and approves logins only; the Twilio API sends by SMS only).",
  },
  FACTOR_NOT_FOUND: { kind: 'not_found', description: 'No such factor (or it belongs to another merchant).' },
  FACTOR_EXISTS: {
    kind: 'conflict',
    description: 'The identifier already has a verified factor of this type: delete it before enrolling another.',
  },
  FACTORS_DISABLED: {
    kind: 'unavailable',
    description: 'Authenticator factors need the content keys that seal their secrets at rest (CONTENT_KEYS), and none is configured here.',
  },
  FACTOR_NOT_VERIFIED: {
    kind: 'conflict',
    description: 'The factor is not verified yet: confirm it with the first code its authenticator shows, then challenge it.',
  },
  ENTITY_NOT_FOUND: { kind: 'not_found', description: 'No such entity in this Twilio-compatible service.' },
  ENTITY_EXISTS: { kind: 'conflict', description: 'An entity with this Identity already exists in this service.' },
  CHALLENGE_NOT_FOUND: { kind: 'not_found', description: 'No such challenge for this entity.' },
  ATTEMPT_NOT_FOUND: { kind: 'not_found', description: "No such verification attempt among the merchant's services." },
  ENROLMENT_NOT_FOUND: { kind: 'not_found', description: 'No such enrolment (or it belongs to another merchant).' },
  ENROLMENT_REFUSED: {
    kind: 'conflict',
    description:
      "The identifier's number was certified by the operator or another merchant: a merchant's enrolment does not change it (the enrolment fails).",
  },
  ADDRESS_RECENTLY_CHANGED: {
    kind: 'forbidden',
    description:
      "The subscriber's number changed less than `ADDRESS_CHANGE_COOLDOWN_HOURS` ago (`details.retryAfterSeconds`): transactions are not signed with it until then, unless the merchant's policy takes a second factor (`details.secondFactorAccepted`) and the start names the one the merchant checked (`secondFactor`).",
  },
  ADDRESS_NOT_PROVEN: {
    kind: 'forbidden',
    description:
      "The operator changed the subscriber's number and no code sent to it has been typed back yet: a login with the new number proves its holder asked for the change, then transactions follow the cool-down.",
  },
  ADDRESS_CLAIM_INVALID: {
    kind: 'invalid_input',
    description:
      'The address claim is not signed by a key the operator trusts for this merchant, is expired, lives longer than `ADDRESS_CLAIM_MAX_LIFETIME_SECONDS`, is for another merchant (`aud`) or has no E.164 `phone_number`: `detail` says which.',
  },
  SIM_RECENTLY_SWAPPED: {
    kind: 'forbidden',
    description:
      "The operator's network says this number's SIM card changed within the merchant's window (`details.withinHours`): no code is sent to it, as someone else may hold the number now.",
  },
  NUMBER_RECENTLY_PORTED: {
    kind: 'forbidden',
    description: "The number moved to another operator within the merchant's window (`details.withinHours`): no code is sent to it.",
  },
  REVERSE_CHANNEL_REQUIRED: {
    kind: 'forbidden',
    description:
      'The number\'s SIM changed or it was ported recently (`details.reason`), and the merchant\'s policy then takes only the reverse channel: start again with `channel: "reverse-sms"`.',
  },
  SILENT_UNAVAILABLE: {
    kind: 'invalid_input',
    description:
      "Silent verification needs the operator's network APIs (`NETWORK_API_URL`) and is for logins only: a transaction or a message is approved by a code the person reads.",
  },
  SILENT_STATE_UNKNOWN: {
    kind: 'not_found',
    description: "The operator's network sent back a silent verification that is unknown, already completed or expired: start again.",
  },
  TOO_MANY_RESENDS: { kind: 'conflict', description: 'The verification has sent its maximum number of codes: start a new one.' },
  RESEND_TOO_SOON: { kind: 'rate_limited', description: 'Wait `Retry-After` seconds before sending another code.' },
  REVERSE_CODES_EXHAUSTED: {
    kind: 'unavailable',
    retryable: true,
    description: 'No free reverse-channel code right now: retry.',
  },
  KEY_MISSING: { kind: 'internal', description: 'No active code key is configured on the data server (operator side).' },
  SERVICE_NOT_FOUND: { kind: 'not_found', description: 'Twilio-compatible API: no such Verify service.' },

  // ── Sessions ────────────────────────────────────────────────────────────────────────
  SESSION_NOT_FOUND: { kind: 'not_found', description: 'No such session.' },
  SESSION_MISMATCH: { kind: 'invalid_input', description: 'The session belongs to another subscriber.' },
  SESSION_CLOSED: {
    kind: 'conflict',
    description: 'The session has ended: its codes are no longer valid. Also a payment `cause`.',
  },

  // ── Payments ────────────────────────────────────────────────────────────────────────
  PAYMENT_NOT_FOUND: { kind: 'not_found', description: 'No such payment.' },
  PAYMENT_ABANDONED: {
    kind: 'unavailable',
    retryable: true,
    description:
      'The payment was given up (a store stalled past the grace) while its code was being sent; the code approves nothing. Start the payment again.',
  },
  PAYMENTS_DISABLED: { kind: 'unavailable', description: 'No bank is configured on this installation (`BANK_URL`).' },
  CARDHOLDER_UNKNOWN: { kind: 'not_found', description: 'The bank does not know this card, or its holder is no subscriber.' },
  NO_CARD_ON_FILE: { kind: 'invalid_input', description: "The subscriber's contract has no card on file." },
  BANK_CONFLICT: {
    kind: 'conflict',
    description: 'The bank refused the call (e.g. a capture or void of an authorization it no longer holds).',
  },
  BANK_UNAVAILABLE: {
    kind: 'unavailable',
    retryable: true,
    description: 'The bank did not answer, or calls to it are paused by the circuit breaker: retry shortly.',
  },
  BANK_DECLINED: { kind: 'conflict', surface: 'payment-cause', description: 'The bank declined the authorization.' },
  CAPTURE_REFUSED: { kind: 'conflict', surface: 'payment-cause', description: 'The bank refused to capture an approved payment.' },
  VOID_REFUSED: { kind: 'conflict', surface: 'payment-cause', description: 'The bank refused to void the authorization.' },
  ABANDONED: {
    kind: 'conflict',
    surface: 'payment-cause',
    description: 'The payment was left unfinished (its request never completed) and released by the recovery sweep.',
  },
  EXPIRED: { kind: 'conflict', surface: 'payment-cause', description: "The payment's code expired before it was checked." },
  VERIFICATION_NOT_STARTED: {
    kind: 'conflict',
    surface: 'payment-cause',
    description: 'The verification of the payment could not be started; the authorization was released.',
  },

  // ── Registered messages ─────────────────────────────────────────────────────────────
  REGISTERED_MESSAGES_DISABLED: { kind: 'unavailable', description: 'No content key is configured on this installation (`CONTENT_KEYS`).' },
  REGISTERED_MESSAGE_NOT_FOUND: { kind: 'not_found', description: 'No such registered message.' },
  REGISTERED_MESSAGE_STATE: { kind: 'conflict', description: 'The registered message is not in the state this action needs.' },
  RETRIEVAL_NOT_STARTED: { kind: 'conflict', description: 'Ask for the retrieval code first (retrieve).' },
  CONTENT_DELETED: { kind: 'conflict', description: 'The content was deleted after the retention period.' },
  CONTENT_TOO_LARGE: { kind: 'invalid_input', description: 'A registered message is larger than the configured maximum.' },
  ADDRESSEE_UNKNOWN: { kind: 'not_found', description: 'No subscriber has the addressee identifier or address.' },

  // ── Webhooks ────────────────────────────────────────────────────────────────────────
  WEBHOOKS_DISABLED: { kind: 'unavailable', description: 'No content key is configured on this installation (`CONTENT_KEYS`).' },
  WEBHOOK_NOT_FOUND: { kind: 'not_found', description: 'No such webhook endpoint.' },
  WEBHOOK_DELIVERY_NOT_FOUND: { kind: 'not_found', description: 'No such webhook delivery.' },
  WEBHOOK_URL_FORBIDDEN: {
    kind: 'invalid_input',
    description: 'The webhook URL is refused: not a valid URL, not https (unless http is allowed), or not a public address.',
  },
  WEBHOOK_ENDPOINT_LIMIT_REACHED: {
    kind: 'conflict',
    description: 'The merchant has the maximum number of webhook endpoints: remove one first.',
  },
  WEBHOOK_SIGNATURE_INVALID: {
    kind: 'unauthorized',
    surface: 'sdk',
    description: 'The `Outband-Signature` header is missing or malformed, or no secret of this endpoint signed the body.',
  },
  WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE: {
    kind: 'unauthorized',
    surface: 'sdk',
    description: 'The delivery was signed too long ago (or in the future): a replay is refused.',
  },

  // ── Stores, bus, SMPP (outages: retry) ──────────────────────────────────────────────
  DATABASE_UNAVAILABLE: { kind: 'unavailable', retryable: true, description: 'The database is unavailable: retry shortly.' },
  DATABASE_BUSY: {
    kind: 'unavailable',
    retryable: true,
    description: 'The database is too busy for this request (lock wait, deadlock): retry shortly.',
  },
  REDIS_UNAVAILABLE: { kind: 'unavailable', retryable: true, description: 'Redis is unavailable: retry shortly.' },
  BROKER_UNAVAILABLE: {
    kind: 'unavailable',
    retryable: true,
    description: 'RabbitMQ could not take or confirm the message: retry shortly.',
  },
  BROKER_UNREACHABLE: { kind: 'unavailable', description: 'The service cannot connect to RabbitMQ at start.' },
  UPSTREAM_TIMEOUT: { kind: 'unavailable', retryable: true, description: 'The service behind the bus did not reply in time.' },
  BAD_UPSTREAM_REPLY: { kind: 'internal', description: 'The data server answered with an unexpected shape.' },
  INVALID_MESSAGE: {
    kind: 'invalid_input',
    description: 'A bus message fails its schema; it is never retried and goes to the dead-letter queue with the reason.',
  },
  RECEIPT_SUBMIT_UNKNOWN: {
    kind: 'unavailable',
    retryable: true,
    description:
      'A delivery receipt named an SMSC message id no message server has stored within the wait: answered with an error so the SMSC sends it again.',
  },
  RECEIPT_NOT_APPLIED: {
    kind: 'unavailable',
    retryable: true,
    description: 'A delivery receipt arrived while the message server was stopping: answered with an error so the SMSC sends it again.',
  },
  BUS_MESSAGE_INVALID: {
    kind: 'internal',
    description:
      'A service refused to send a bus message its topic does not accept (a bad body, or a routing key that is no event): a bug of the sender, never retried.',
  },
  CALLER_FORBIDDEN: { kind: 'forbidden', description: 'This broker user may not make this bus request.' },
  SMPP_NOT_BOUND: { kind: 'unavailable', retryable: true, description: 'No SMPP bind to the SMSC is up.' },
  SMPP_STOPPING: { kind: 'unavailable', retryable: true, description: 'The message server is stopping.' },
  SMPP_BUSY: { kind: 'unavailable', retryable: true, description: 'No room in the SMSC connection window in time.' },
  SMPP_LINK_LOST: { kind: 'unavailable', retryable: true, description: 'The SMPP link closed before the response.' },
  SMPP_TIMEOUT: { kind: 'unavailable', retryable: true, description: 'The SMSC did not respond in time.' },
  SMPP_NOT_WRITABLE: { kind: 'unavailable', retryable: true, description: 'The SMPP socket is not writable.' },
  SMPP_SUBMIT_REFUSED: {
    kind: 'invalid_input',
    description:
      'The SMSC refused the submit. Transient statuses (throttled, queue full …) are kind `unavailable` and retryable; the others are final.',
  },

  // ── Configuration, keys, internals ──────────────────────────────────────────────────
  CONFIG_INVALID: {
    kind: 'invalid_input',
    description: 'The environment fails its schema at start; the message lists every bad variable.',
  },
  SEAL_KEY_MISSING: { kind: 'internal', description: 'No seal key is configured for sealed fields.' },
  SEALED_FIELD_INVALID: {
    kind: 'invalid_input',
    description: 'A sealed field has an unknown key id, a bad format, or fails authentication.',
  },
  INTERNAL: { kind: 'internal', description: 'An unexpected error; nothing internal is disclosed. The server log has the details.' },
} as const satisfies Record<string, ErrorCodeInfo>;

/** A stable error code of the suite. */
export type ErrorCode = keyof typeof errorCodes;
