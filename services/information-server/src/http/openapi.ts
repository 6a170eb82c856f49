import { z } from 'zod';
import {
  paymentView,
  registeredView,
  sessionView,
  settlementView,
  statementView,
  verificationView,
  webhookActionResult,
  webhookEndpointView,
} from '@outband/contracts';
import { paymentBodies } from './payment.router';
import { registeredBodies } from './registered-message.router';
import { sessionBodies } from './session.router';
import { verificationBodies } from './verification.router';
import { webhookBodies } from './webhook.router';

interface Operation {
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
const operations: Operation[] = [
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
    response: verificationView,
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

const problem = {
  type: 'object',
  required: ['type', 'title', 'status', 'code', 'detail'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: { type: 'string', description: 'Stable error code' },
    detail: { type: 'string' },
  },
};

function schemaOf(s: z.ZodType, io: 'input' | 'output'): object {
  // The document states its own dialect: each schema drops its `$schema`.
  const schema = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete schema.$schema;
  return schema;
}

/** The OpenAPI 3.1 document of the merchant API, from the schemas the routes validate with. */
export function openApiDocument(): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const op of operations) {
    const path = op.path.replace(/:(\w+)/g, '{$1}');
    const params = [
      ...[...op.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } })),
      ...(op.query ?? []).map((name) => ({ name, in: 'query', required: true, schema: { type: 'string' } })),
    ];
    (paths[path] ??= {})[op.method] = {
      summary: op.summary,
      operationId: `${op.method}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
      ...(params.length > 0 ? { parameters: params } : {}),
      ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(op.body, 'input') } } } } : {}),
      responses: {
        [String(op.status ?? 200)]: { description: 'OK', content: { 'application/json': { schema: schemaOf(op.response, 'output') } } },
        default: {
          description: 'A problem (RFC 9457)',
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Outband merchant API', version: '1.0.0', description: 'Out-of-band verification and transaction signing.' },
    security: [{ merchantJwt: [] }],
    components: {
      securitySchemes: { merchantJwt: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Problem: problem },
    },
    paths,
  };
}

/** A plain reference page rendered from the document (no scripts, nothing fetched elsewhere). */
export function docsPage(doc: object): string {
  const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
  const paths = (doc as { paths: Record<string, Record<string, { summary: string; requestBody?: unknown; responses: unknown }>> }).paths;
  const sections = Object.entries(paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(
      ([method, op]) =>
        `<section><h2><code>${method.toUpperCase()} ${escape(path)}</code></h2><p>${escape(op.summary)}</p>` +
        (op.requestBody ? `<h3>Request</h3><pre>${escape(JSON.stringify(op.requestBody, null, 2))}</pre>` : '') +
        `<h3>Responses</h3><pre>${escape(JSON.stringify(op.responses, null, 2))}</pre></section>`,
    ),
  );
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Outband merchant API</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}pre{background:#f4f4f4;padding:.5rem;overflow:auto;font-size:.8rem}</style>
</head><body><h1>Outband merchant API</h1><p>The machine-readable document: <a href="/openapi.json">/openapi.json</a>.</p>${sections.join('\n')}</body></html>`;
}
