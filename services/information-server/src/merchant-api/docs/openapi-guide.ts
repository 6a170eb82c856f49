import { errorCodes, httpStatusOf, type ErrorCodeInfo, type ErrorSurface } from '@outband/errors';

/**
 * The prose of the OpenAPI document, in CommonMark as OpenAPI descriptions are: how to
 * authenticate, how errors look, and every stable error code (from `@outband/errors`).
 */

const registry: Record<string, ErrorCodeInfo> = errorCodes;

/** Codes a `/v1` caller can receive as `code` of an `application/problem+json` answer. */
export const problemCodes: string[] = Object.entries(registry)
  .filter(([, info]) => (info.surface ?? 'problem') === 'problem')
  .map(([code]) => code);

/** The causes of a check that did not approve (200, see verification.router.ts `checkAnswer`). */
export const checkCauseCodes = ['CODE_MISMATCH', 'TRANSACTION_MISMATCH', 'MESSAGE_MISMATCH', 'TOO_MANY_ATTEMPTS'] as const;

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function errorTable(surface: ErrorSurface, withStatus: boolean): string {
  const rows = Object.entries(registry)
    .filter(([, info]) => (info.surface ?? 'problem') === surface)
    .map(([code, info]) =>
      withStatus
        ? `| \`${code}\` | ${httpStatusOf(info.kind)}${info.retryable ? ', retry' : ''} | ${cell(info.description)} |`
        : `| \`${code}\` | ${cell(info.description)} |`,
    );
  const head = withStatus ? '| code | status | meaning |\n|---|---|---|' : '| code | meaning |\n|---|---|';
  return `${head}\n${rows.join('\n')}`;
}

/** Where a merchant meets the codes of each surface: a heading and a line of introduction. */
const surfaceSections: Record<ErrorSurface, { title: string; intro: string }> = {
  problem: {
    title: 'Error codes',
    intro: 'The `code` of an error answer and its HTTP status; _retry_: the same call may succeed later, after `Retry-After`.',
  },
  'check-cause': {
    title: 'Causes of a check that did not approve',
    intro:
      'A wrong code is an answer, not an error: `POST /v1/verifications/{id}/check` answers 200 with the verification and a ' +
      '`cause` such as `{ "code": "CODE_MISMATCH", "detail": "wrong code, 2 attempts left" }`. ' +
      '`TRANSACTION_MISMATCH`, `MESSAGE_MISMATCH` and `TOO_MANY_ATTEMPTS` (above) are check causes too.',
  },
  'payment-cause': { title: 'Causes of a payment that ended', intro: 'The `cause` of a payment that ended without being captured.' },
  sdk: { title: 'Raised by @outband/sdk', intro: 'Thrown in your own process, e.g. when a webhook delivery does not verify.' },
};
const surfaces = Object.keys(surfaceSections) as ErrorSurface[];

function errorSection(surface: ErrorSurface): string {
  const { title, intro } = surfaceSections[surface];
  return `## ${title}\n\n${intro}\n\n${errorTable(surface, surface === 'problem')}`;
}

/** How to sign a merchant JWT: the description of the `merchantJwt` security scheme. */
export const authGuide = `Every \`/v1\` request carries a merchant JWT that **your backend signs for that one request**,
in the \`Authorization\` header:

    Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.eyJpc3MiOiJjb2ZmZWUtY29ybmVyIiwiYXVkIjoib3V0YmFuZCIsImV4cCI6MTc3MjQ0NjUwMCwianRpIjoiMGQ2YzFkM2UtM2IwZi00YTM5LTlkNWUtMmY2ZjFmMGI4YzdhIn0.MpnDnXw-F9q3MBEws6QKbE_mbrHcnSMCuc_jrIOkpPo

| where | claim | value |
|---|---|---|
| header | \`alg\` | \`HS256\`, signed with **your merchant key**: the shared secret you were given, decoded from base64 (a merchant registered with an RS256 or ES256 key signs with its private key) |
| header | \`kid\` | the id of that key, as registered (e.g. \`k1\`); it picks the key when you have several |
| payload | \`iss\` | your merchant id |
| payload | \`aud\` | this installation's audience: \`outband\` unless the operator set \`JWT_AUDIENCE\` |
| payload | \`exp\` | **at most 5 minutes ahead** (\`JWT_MAX_LIFETIME_SECONDS\`, 300 s by default; 30 s of clock skew are tolerated) |
| payload | \`jti\` | **a fresh random id for every request**: each token is accepted once, a second use is \`TOKEN_REPLAYED\` |
| payload | \`iat\` | optional; refused when ahead of the server's clock |

Decoded, such a token reads:

\`\`\`json
{ "alg": "HS256", "typ": "JWT", "kid": "k1" }
{ "iss": "coffee-corner", "aud": "outband", "exp": 1772446500, "jti": "0d6c1d3e-3b0f-4a39-9d5e-2f6f1f0b8c7a" }
\`\`\`

In Node.js with [jsonwebtoken](https://www.npmjs.com/package/jsonwebtoken):

\`\`\`js
import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';

// The HS256 secret as registered (base64), kept on your server: never in a browser or an app.
const key = Buffer.from(process.env.OUTBAND_KEY, 'base64');

/** A new token for each request: one minute of life, a fresh jti. */
function merchantToken() {
  return jwt.sign({}, key, {
    algorithm: 'HS256',
    keyid: 'k1', // header kid
    issuer: 'coffee-corner', // iss: your merchant id
    audience: 'outband', // aud
    expiresIn: 60, // exp, at most 300 s ahead
    jwtid: randomUUID(), // jti, never reused
  });
}

const answer = await fetch(\`\${process.env.OUTBAND_URL}/v1/verifications\`, {
  method: 'POST',
  headers: { authorization: \`Bearer \${merchantToken()}\`, 'content-type': 'application/json' },
  body: JSON.stringify({ identifier: 'alice', purpose: 'login' }),
});
\`\`\`

The \`Outband\` client of \`@outband/sdk\` signs such a token for every call. A refused token answers
401 \`application/problem+json\` with its reason in \`code\`: \`AUTH_MISSING\`, \`TOKEN_INVALID\`,
\`TOKEN_EXPIRED\`, \`TOKEN_LIFETIME_TOO_LONG\`, \`TOKEN_AUDIENCE_INVALID\`, \`TOKEN_JTI_REQUIRED\`,
\`TOKEN_REPLAYED\` … (see [Errors](#section/Errors)).`;

/** The document's introduction: what the API does, how calls and errors look, every error code. */
export const introduction = `Out-of-band verification and transaction signing: Outband texts a one-time code to your
customer's phone, and your backend checks the code the customer types (or, for \`reverse-sms\`,
the customer texts a code back). Codes can approve a login, a transaction (amount and payee shown
in clear on the phone), a certified message or a card payment.

Bodies are JSON (\`content-type: application/json\`), amounts are integer minor units (\`amount: 10600\`
in \`EUR\` is 106.00 €), times are ISO 8601 in UTC. A POST may carry an \`Idempotency-Key\` header: the same
key with the same request within 24 h replays the first answer instead of acting twice.

# Authentication

Your backend signs a short-lived JWT for each request with your merchant key (the \`merchantJwt\`
scheme below says how, with an example in Node.js).

<!-- ReDoc-Inject: <security-definitions> -->

# Errors

Every refusal is an \`application/problem+json\` answer (RFC 9457) with a stable \`code\` to act on;
\`detail\` is for people and may change. Invalid input lists every bad field in \`errors\`.

\`\`\`json
{
  "type": "https://outband.dev/problems/token-expired",
  "title": "Unauthorized",
  "status": 401,
  "code": "TOKEN_EXPIRED",
  "detail": "the token has expired"
}
\`\`\`

A 429 carries \`Retry-After\` (seconds); a 503 whose code is retryable carries \`Retry-After: 1\`.
Codes are never renamed, but new ones may be added: handle an unknown code by its status.

${surfaces.map(errorSection).join('\n\n')}`;

/** RFC 9457 problem details as the information server writes them (problem.ts `sendProblem`). */
export const problemSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'code', 'detail'],
  properties: {
    type: { type: 'string', description: 'A URI naming the problem, derived from `code`.' },
    title: { type: 'string', description: 'The HTTP status in words.' },
    status: { type: 'integer' },
    code: {
      type: 'string',
      description: 'Stable error code: act on this (see [Errors](#section/Errors)). New codes may be added.',
      enum: problemCodes,
    },
    detail: { type: 'string', description: 'What went wrong, for people.' },
    errors: {
      type: 'array',
      description: 'For invalid input: every bad field.',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: { field: { type: 'string' }, message: { type: 'string' } },
      },
    },
    retryAfterSeconds: { type: 'integer', description: 'For some 429 answers: as the `Retry-After` header.' },
  },
};
