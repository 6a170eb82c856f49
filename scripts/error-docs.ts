import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorCodes, httpStatusOf, type ErrorCodeInfo, type ErrorKind } from '@outband/errors';
import { generatedNote, table } from './markdown';
import { sourceFiles } from './source-files';

// Outside parties answer their own codes, not Outband's: `packages/demo-shop` is a merchant, `packages/network-simulator` the
// operator's network APIs (CAMARA's codes).
const outsideParties = new Set(['packages/demo-shop', 'packages/network-simulator']);

const kinds: ErrorKind[] = [
  'invalid_input',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'unprocessable',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'unavailable',
  'internal',
];

const code = String.raw`'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)'`;
// Outside `new AppError(…)`, a code has an underscore: 'POST', 'EX' or an errno ('ENOTFOUND') are no codes.
const snakeCode = String.raw`'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)'`;
const kindAlt = kinds.join('|');
/** Where a code is thrown or answered, each with the code literal as its capture groups. */
const patterns: RegExp[] = [
  // A helper that takes the code first and a message next: unauthorized('TOKEN_EXPIRED', '…'), refused(…).
  new RegExp(String.raw`\b[a-zA-Z_]\w*\(\s*${snakeCode}\s*,\s*['"\`]`, 'g'),
  // A [kind, code, message] table (body-parser's errors).
  new RegExp(String.raw`\[\s*'(?:${kindAlt})'\s*,\s*${code}`, 'g'),
  // A check's cause: { code: 'CODE_MISMATCH', detail }.
  new RegExp(String.raw`\bcode:\s*${snakeCode}`, 'g'),
  // Twilio's mapping of our codes: CODE: [status, twilioCode].
  new RegExp(String.raw`^\s*([A-Z][A-Z0-9_]+):\s*\[\d{3},\s*\d+\]`, 'gm'),
  // A payment's reason: transition(…, 'state', 'REASON', …) and release(…, 'state', 'REASON').
  new RegExp(String.raw`\b(?:transition|release)\([^;]*?'(?:failed|declined|expired|voided)',\s*${code}`, 'g'),
];

/** Every code thrown or answered by the code base (tests aside), with the files it appears in. */
export function thrownErrorCodes(root: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const add = (c: string, file: string) => found.set(c, [...new Set([...(found.get(c) ?? []), file])]);
  for (const file of sourceFiles(root, outsideParties)) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const args of appErrorArguments(text)) {
      // new AppError(kind, code, …): every code literal of the second argument (a ternary names two).
      for (const m of (args[1] ?? '').matchAll(new RegExp(code, 'g'))) {
        add(m[1] ?? '', file);
      }
    }
    for (const pattern of patterns) {
      for (const m of text.matchAll(pattern)) {
        add(m[1] ?? '', file);
      }
    }
    for (const m of text.matchAll(/params:\s*\{\s*code:\s*([A-Z][A-Z0-9_]+)\s*\}/g)) {
      // A zod issue naming its own code through a constant (UNSAFE_TEXT).
      const value = new RegExp(String.raw`\b${m[1] ?? ''}\s*=\s*${code}`).exec(text);
      add(value?.[1] ?? m[1] ?? '', file);
    }
  }
  return found;
}

/** The top-level arguments of each `new AppError(…)`, as source text. */
function appErrorArguments(text: string): string[][] {
  const calls: string[][] = [];
  let at = text.indexOf('new AppError(');
  while (at >= 0) {
    const args: string[] = [];
    let depth = 0;
    let quote: string | undefined;
    let start = at + 'new AppError('.length;
    let i = start;
    for (; i < text.length; i++) {
      const ch = text[i];
      if (quote) {
        if (ch === '\\') {
          i++;
        } else if (ch === quote) {
          quote = undefined;
        }
      } else if (ch === "'" || ch === '"' || ch === '`') {
        quote = ch;
      } else if (ch === '(' || ch === '[' || ch === '{') {
        depth++;
      } else if (ch === ')' || ch === ']' || ch === '}') {
        if (depth === 0) {
          break;
        }
        depth--;
      } else if (ch === ',' && depth === 0) {
        args.push(text.slice(start, i));
        start = i + 1;
      }
    }
    args.push(text.slice(start, i));
    calls.push(args);
    at = text.indexOf('new AppError(', i);
  }
  return calls;
}

const surfaces: Record<NonNullable<ErrorCodeInfo['surface']>, string> = {
  problem: 'error answer',
  'check-cause': 'check `cause.code` (HTTP 200)',
  'payment-cause': 'payment `cause`',
  sdk: 'thrown by `@outband/sdk`',
};

/** `docs/errors.md`, before prettier. */
export function renderErrorDocs(): string {
  const entries = Object.entries(errorCodes) as Array<[string, ErrorCodeInfo]>;
  const parts = [
    '# Errors',
    '',
    generatedNote('`errorCodes` in `packages/errors/src/error-codes.ts`'),
    '',
    'Every error has a stable machine `code` (never renamed: handle codes, not messages), a `kind` that the',
    'HTTP layer maps to a status, and says whether a retry helps (`retryable`). The information server answers',
    'errors as `application/problem+json` (RFC 9457):',
    '',
    '```json',
    '{',
    '  "type": "https://outband.dev/problems/token-expired",',
    '  "title": "Unauthorized",',
    '  "status": 401,',
    '  "code": "TOKEN_EXPIRED",',
    '  "detail": "the token has expired"',
    '}',
    '```',
    '',
    '`type` is the code in lower case with dashes; `detail` is for people; invalid input lists every bad field in',
    '`errors: [{field, message}]`; 429 and 503 answers carry `Retry-After` (and `retryAfterSeconds`) when the',
    'wait is known. An unexpected error becomes a generic 500 `INTERNAL` with no internals disclosed. The',
    "Twilio-compatible API (`/v2`) answers the same codes in Twilio's shape (`{code, message, more_info, status}`,",
    "with Twilio's numeric codes); see [api.md](api.md). The same errors cross the bus between the servers.",
    '',
    '## Status per kind',
    '',
    table(
      ['kind', 'HTTP status', 'codes'],
      kinds.map((k) => [
        `\`${k}\``,
        String(httpStatusOf(k)),
        String(entries.filter(([, e]) => e.kind === k && (e.surface ?? 'problem') === 'problem').length),
      ]),
    ),
    '',
    '## Codes',
    '',
    table(
      ['code', 'status', 'kind', 'retryable', 'seen as', 'meaning'],
      entries.map(([c, e]) => [
        `\`${c}\``,
        (e.surface ?? 'problem') === 'problem' ? String(httpStatusOf(e.kind)) : '—',
        `\`${e.kind}\``,
        e.retryable ? 'yes' : 'no',
        surfaces[e.surface ?? 'problem'],
        e.description,
      ]),
    ),
    '',
  ];
  return parts.join('\n');
}
