import { z } from 'zod';
import {
  paymentView,
  registeredView,
  sessionView,
  enrolmentView,
  factorList,
  factorView,
  settlementView,
  statementView,
  verificationView,
  webhookActionResult,
  webhookEndpointView,
} from '@outband/contracts';
import { paymentBodies } from '../payment.router';
import { registeredBodies } from '../registered-message.router';
import { sessionBodies } from '../session.router';
import { enrolmentBodies } from '../enrolment.router';
import { factorBodies } from '../factor.router';
import { verificationBodies } from '../verification.router';
import { webhookBodies } from '../webhook.router';
import { routeExamples } from './openapi-examples';
import { authGuide, checkCauseCodes, introduction, problemSchema } from './openapi-guide';

/** What a check answers: the verification, why a code was refused, the payment it secures. */
const checkAnswer = verificationView.extend({
  cause: z
    .object({ code: z.enum(checkCauseCodes), detail: z.string() })
    .optional()
    .describe('Only when the check did not approve: why (the verification stays pending while attempts are left).'),
  payment: paymentView.optional().describe('When the verification secures a payment: the payment after this check.'),
});

/** One route of the merchant API, as the document describes it. */
export interface Operation {
  method: 'get' | 'post' | 'delete';
  /** Express form: `/v1/verifications/:id/check`. */
  path: string;
  summary: string;
  body?: z.ZodType;
  response: z.ZodType;
  status?: number;
  query?: string[];
}

// The same zod schemas validate the requests (routers) and describe them here.
export const operations: Operation[] = [
  {
    method: 'post',
    path: '/v1/verifications',
    summary: 'Start a verification',
    body: verificationBodies.start,
    response: verificationView,
    status: 201,
  },
  { method: 'get', path: '/v1/verifications/:id', summary: 'Read a verification', response: verificationView },
  {
    method: 'post',
    path: '/v1/verifications/:id/check',
    summary: 'Check the code the user typed',
    body: verificationBodies.check,
    response: checkAnswer,
  },
  {
    method: 'post',
    path: '/v1/verifications/:id/resend',
    summary: 'Send a new code',
    body: verificationBodies.resend,
    response: verificationView,
  },
  { method: 'post', path: '/v1/verifications/:id/cancel', summary: 'Cancel a verification', response: verificationView },
  { method: 'post', path: '/v1/payments', summary: 'Start a payment', body: paymentBodies.start, response: paymentView, status: 201 },
  { method: 'get', path: '/v1/payments/:id', summary: 'Read a payment', response: paymentView },
  {
    method: 'post',
    path: '/v1/sessions',
    summary: 'Open a first-network session',
    body: sessionBodies.open,
    response: sessionView,
    status: 201,
  },
  { method: 'get', path: '/v1/sessions/:id', summary: 'Read a session', response: sessionView },
  { method: 'post', path: '/v1/sessions/:id/heartbeat', summary: 'Keep a session open', response: sessionView },
  { method: 'delete', path: '/v1/sessions/:id', summary: 'End a session', response: sessionView },
  {
    method: 'post',
    path: '/v1/enrolments',
    summary: 'Send a code to a number, to certify it for an identifier',
    body: enrolmentBodies.start,
    response: enrolmentView,
    status: 201,
  },
  { method: 'get', path: '/v1/enrolments/:id', summary: 'Read an enrolment', response: enrolmentView },
  {
    method: 'post',
    path: '/v1/enrolments/:id/confirm',
    summary: 'Certify the number with the code it received',
    body: enrolmentBodies.confirm,
    response: enrolmentView,
  },
  {
    method: 'post',
    path: '/v1/factors',
    summary: 'Enrol an authenticator: its secret, once, as an otpauth:// URI and a QR code',
    body: factorBodies.create,
    response: factorView,
    status: 201,
  },
  { method: 'get', path: '/v1/factors', summary: "List an identifier's factors (?identifier=)", response: factorList },
  { method: 'get', path: '/v1/factors/:id', summary: 'Read a factor', response: factorView },
  {
    method: 'post',
    path: '/v1/factors/:id/confirm',
    summary: 'Verify a factor with the first code its authenticator shows',
    body: factorBodies.confirm,
    response: factorView,
  },
  { method: 'delete', path: '/v1/factors/:id', summary: 'Delete a factor: its codes approve nothing more', response: factorView },
  {
    method: 'post',
    path: '/v1/registered-messages',
    summary: 'Deposit a registered message',
    body: registeredBodies.send,
    response: registeredView,
    status: 201,
  },
  { method: 'get', path: '/v1/registered-messages/:id', summary: 'Read a registered message', response: registeredView },
  {
    method: 'post',
    path: '/v1/registered-messages/:id/confirm',
    summary: "Confirm the deposit with the sender's code",
    body: registeredBodies.code,
    response: registeredView,
  },
  { method: 'post', path: '/v1/registered-messages/:id/retrieve', summary: "Send the addressee's code", response: registeredView },
  {
    method: 'post',
    path: '/v1/registered-messages/:id/open',
    summary: "Open it with the addressee's code",
    body: registeredBodies.code,
    response: registeredView,
  },
  {
    method: 'post',
    path: '/v1/webhooks',
    summary: 'Register a webhook endpoint',
    body: webhookBodies.register,
    response: webhookEndpointView,
    status: 201,
  },
  { method: 'get', path: '/v1/webhooks', summary: 'List webhook endpoints', response: webhookActionResult },
  { method: 'delete', path: '/v1/webhooks/:id', summary: 'Remove a webhook endpoint', response: webhookActionResult },
  { method: 'post', path: '/v1/webhooks/:id/rotate', summary: 'Rotate the signing secret', response: webhookActionResult },
  { method: 'get', path: '/v1/webhooks/:id/deliveries', summary: 'List deliveries', response: webhookActionResult },
  { method: 'post', path: '/v1/webhooks/deliveries/:deliveryId/replay', summary: 'Replay a delivery', response: webhookActionResult },
  {
    method: 'get',
    path: '/v1/subscribers/:identifier/statement',
    summary: "A subscriber's statement (JSON or text/csv)",
    response: statementView,
    query: ['period'],
  },
  { method: 'get', path: '/v1/settlements', summary: "The merchant's settlement", response: settlementView, query: ['period'] },
];

function schemaOf(s: z.ZodType, io: 'input' | 'output'): object {
  // The document states its own dialect: each schema drops its `$schema`.
  const schema = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete schema.$schema;
  return schema;
}

/** One operation of the document: its summary, and the rest as OpenAPI says. */
export interface DocumentedOperation {
  summary: string;
  [key: string]: unknown;
}

/** The OpenAPI document; typed only where its readers (the `/docs` page, tests) look. */
export interface OpenApiDocument {
  openapi: '3.1.0';
  paths: Record<string, Record<string, DocumentedOperation>>;
  [key: string]: unknown;
}

/** The OpenAPI 3.1 document of the merchant API, from the schemas the routes validate with. */
export function openApiDocument(): OpenApiDocument {
  const paths: Record<string, Record<string, DocumentedOperation>> = {};
  for (const op of operations) {
    const path = op.path.replace(/:(\w+)/g, '{$1}');
    const params = [
      ...[...op.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } })),
      ...(op.query ?? []).map((name) => ({ name, in: 'query', required: true, schema: { type: 'string' } })),
    ];
    const example = routeExamples[`${op.method} ${op.path}`];
    const named = (value: object | undefined) => (example && value ? { examples: { example: { summary: example.summary, value } } } : {});
    (paths[path] ??= {})[op.method] = {
      summary: op.summary,
      operationId: `${op.method}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
      ...(params.length > 0 ? { parameters: params } : {}),
      ...(op.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: schemaOf(op.body, 'input'), ...named(example?.request) } },
            },
          }
        : {}),
      responses: {
        [String(op.status ?? 200)]: {
          description: 'OK',
          content: { 'application/json': { schema: schemaOf(op.response, 'output'), ...named(example?.response) } },
        },
        '401': { $ref: '#/components/responses/Unauthorized' },
        default: { $ref: '#/components/responses/Problem' },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Outband merchant API', version: '1.0.0', description: introduction },
    security: [{ merchantJwt: [] }],
    components: {
      securitySchemes: { merchantJwt: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: authGuide } },
      schemas: { Problem: problemSchema },
      responses: {
        Unauthorized: problemResponse('The merchant JWT is missing or refused (see Authentication)', {
          code: 'TOKEN_EXPIRED',
          status: 401,
          title: 'Unauthorized',
          detail: 'the token has expired',
        }),
        Problem: problemResponse('Any other refusal: a problem (RFC 9457) with a stable `code` (see Errors)', {
          code: 'INVALID_INPUT',
          status: 400,
          title: 'Bad Request',
          detail: 'the body is invalid: identifier: Too small: expected string to have >=1 characters',
          errors: [{ field: 'identifier', message: 'Too small: expected string to have >=1 characters' }],
        }),
      },
    },
    paths,
  };
}

function problemResponse(description: string, example: { code: string; status: number; title: string; detail: string; errors?: object[] }) {
  const type = `https://outband.dev/problems/${example.code.toLowerCase().replace(/_/g, '-')}`;
  return {
    description,
    content: {
      'application/problem+json': {
        schema: { $ref: '#/components/schemas/Problem' },
        examples: { [example.code]: { summary: example.code, value: { type, ...example } } },
      },
    },
  };
}
