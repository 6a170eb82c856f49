import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Writable } from 'node:stream';
import jwt from 'jsonwebtoken';
import { AppError } from '@outband/errors';
import { createLogger, createMetricsRegistry } from '@outband/observability';
import type { VerificationView } from '@outband/contracts';
import { createApp } from './app';
import { MerchantAuthenticator } from './auth/merchant-auth';
import { MerchantKeyCache } from './auth/merchant-key-cache';
import type { DataClient } from './rpc/data-client';

const secret = Buffer.alloc(32, 1).toString('base64');
const view: VerificationView = {
  id: `ve_${'a'.repeat(32)}`,
  status: 'pending',
  purpose: 'login',
  to: '+33•••••••78',
  createdAt: new Date().toISOString(),
  expiresAt: new Date().toISOString(),
  attemptsLeft: 5,
};

let behaviour: () => Promise<VerificationView>;
const data: DataClient = {
  startVerification: () => behaviour(),
  getVerification: () => behaviour(),
  cancelVerification: () => behaviour(),
  resendVerification: () => behaviour(),
  checkVerification: async () => ({ outcome: 'approved', verification: await behaviour() }),
  merchantKeys: async (merchantId) => {
    if (merchantId !== 'm1') {
      throw new AppError('not_found', 'MERCHANT_UNKNOWN', 'unknown merchant');
    }
    return { merchantId, active: true, keys: [{ kid: 'k1', alg: 'HS256', key: secret }] };
  },
  openSession: () => Promise.reject(new AppError('not_found', 'SUBSCRIBER_UNKNOWN', 'unknown')),
  sessionAction: () => Promise.reject(new AppError('not_found', 'SESSION_NOT_FOUND', 'no such session')),
  startEnrolment: () => Promise.reject(new AppError('not_found', 'ENROLMENT_NOT_FOUND', 'no such enrolment')),
  enrolmentAction: () => Promise.reject(new AppError('not_found', 'ENROLMENT_NOT_FOUND', 'no such enrolment')),
  createFactor: () => Promise.reject(new AppError('unavailable', 'FACTORS_DISABLED', 'off')),
  listFactors: () => Promise.resolve({ factors: [] }),
  factorAction: () => Promise.reject(new AppError('not_found', 'FACTOR_NOT_FOUND', 'no such factor')),
  completeSilent: () => Promise.reject(new AppError('not_found', 'SILENT_STATE_UNKNOWN', 'unknown')),
  sendRegistered: () => Promise.reject(new AppError('unavailable', 'REGISTERED_MESSAGES_DISABLED', 'off')),
  registeredAction: () => Promise.reject(new AppError('not_found', 'REGISTERED_MESSAGE_NOT_FOUND', 'none')),
  registerWebhook: () => Promise.reject(new AppError('unavailable', 'WEBHOOKS_DISABLED', 'off')),
  webhookAction: () => Promise.reject(new AppError('unavailable', 'WEBHOOKS_DISABLED', 'off')),
  adminAction: () => Promise.reject(new AppError('not_found', 'MERCHANT_UNKNOWN', 'none')),
  startPayment: () => Promise.reject(new AppError('unavailable', 'PAYMENTS_DISABLED', 'no bank')),
  getPayment: () => Promise.reject(new AppError('not_found', 'PAYMENT_NOT_FOUND', 'no such payment')),
  statement: () => Promise.reject(new AppError('not_found', 'SUBSCRIBER_UNKNOWN', 'unknown')),
  settlement: () => Promise.reject(new AppError('unavailable', 'PAYMENTS_DISABLED', 'no bank')),
  findVerification: () => Promise.resolve({ id: null }),
  twilioAuth: () => Promise.reject(new AppError('unauthorized', 'TWILIO_AUTH_INVALID', 'no')),
  twilioServices: () => Promise.reject(new AppError('not_found', 'SERVICE_NOT_FOUND', 'none')),
  twilioEntity: () => Promise.reject(new AppError('not_found', 'ENTITY_NOT_FOUND', 'none')),
  twilioChallenges: () => Promise.resolve({ verifications: [] }),
  twilioAttempts: () => Promise.resolve({ attempts: [], more: false }),
  twilioService: () => Promise.reject(new AppError('not_found', 'SERVICE_NOT_FOUND', 'none')),
};
const logLines: string[] = [];
let server: Server;
let base: string;
let ready = true;
const metrics = createMetricsRegistry('test');

beforeAll(async () => {
  const logger = createLogger({
    service: 'test',
    destination: new Writable({
      write(c: Buffer, _e, cb) {
        logLines.push(c.toString());
        cb();
      },
    }),
  });
  const auth = new MerchantAuthenticator(new MerchantKeyCache((id) => data.merchantKeys(id), 1000), {
    audience: 'outband',
    maxLifetimeSeconds: 300,
    clockSkewSeconds: 5,
  });
  const app = createApp({
    data,
    auth,
    logger,
    metrics,
    readiness: { broker: () => Promise.resolve(ready ? null : 'broker disconnected') },
    bodyLimitBytes: 1024,
    trustProxyHops: 0,
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function token(claims: object = {}, options: jwt.SignOptions = {}): string {
  return jwt.sign(claims, Buffer.from(secret, 'base64'), {
    algorithm: 'HS256',
    issuer: 'm1',
    audience: 'outband',
    expiresIn: 60,
    keyid: 'k1',
    ...options,
  });
}

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token()}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

describe('information server app', () => {
  it('answers 503 with Retry-After when the data server does not answer in time', async () => {
    behaviour = () => Promise.reject(new AppError('unavailable', 'UPSTREAM_TIMEOUT', 'no reply', { retryable: true }));
    const res = await post('/v1/verifications', { identifier: 'alice' });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.body.code).toBe('UPSTREAM_TIMEOUT');
  });

  it('turns an unexpected error into a generic 500 that leaks nothing, and logs it', async () => {
    behaviour = () => Promise.reject(new Error('connection to 10.0.0.7 refused (password=hunter2)'));
    const res = await post('/v1/verifications', { identifier: 'alice' });
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ code: 'INTERNAL', detail: 'an internal error occurred' });
    expect(JSON.stringify(res.body)).not.toContain('10.0.0.7');
    expect(logLines.join('')).toContain('unhandled error');
  });

  it('echoes a sane X-Correlation-Id and replaces an unsafe one', async () => {
    behaviour = () => Promise.resolve(view);
    const given = await post('/v1/verifications', { identifier: 'alice' }, { 'x-correlation-id': 'req-12345678' });
    expect(given.status).toBe(201);
    expect(given.headers.get('x-correlation-id')).toBe('req-12345678');
    const unsafe = await post('/v1/verifications', { identifier: 'alice' }, { 'x-correlation-id': 'bad id; drop' });
    expect(unsafe.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends security headers and no CORS headers, even to a cross-origin caller', async () => {
    const res = await fetch(`${base}/healthz`, { headers: { origin: 'https://evil.example' } });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('strict-transport-security')).toContain('max-age');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('answers a malformed percent-encoded path with 400 problem+json', async () => {
    const res = await fetch(`${base}/v1/verifications/%E0%A4%A`, { headers: { authorization: `Bearer ${token()}` } });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });

  it('refuses a token that is not yet valid (nbf)', async () => {
    const res = await fetch(`${base}/v1/verifications/${view.id}`, {
      headers: { authorization: `Bearer ${token({}, { notBefore: 120 })}` },
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('TOKEN_NOT_YET_VALID');
  });

  it('serves /healthz and /readyz with reasons, and keeps /metrics off the API port', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    ready = false;
    const notReady = await fetch(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ status: 'not_ready', reasons: { broker: 'broker disconnected' } });
    ready = true;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    // Prometheus reads them on the ops port (OPS_PORT), from the same registry.
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
    const text = await metrics.metrics();
    expect(text).toContain('outband_http_request_duration_seconds_bucket');
    expect(text).toContain('route="/v1/verifications"');
    expect(text).not.toContain(view.id);
  });
});
