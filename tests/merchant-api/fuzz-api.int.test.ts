import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { api } from '../support/http';
import { startSuite, type Suite } from '../support/suite';

const adminToken = randomBytes(32).toString('base64url');
let suite: Suite;
/** Basic credentials and a service of the Twilio-compatible surface. */
let twilio: { basic: string; service: string };
beforeAll(async () => {
  suite = await startSuite({ env: { SEND_LIMIT_PER_ADDRESS: '100000', ADMIN_TOKENS: `ops:${adminToken}` } });
  const issued = await api(suite, 'POST', `/admin/v1/merchants/${suite.merchant.id}/twilio-credentials`, { token: adminToken, body: {} });
  const c = issued.body.credentials as { sid: string; secret: string };
  const basic = `Basic ${Buffer.from(`${c.sid}:${c.secret}`).toString('base64')}`;
  const created = await fetch(`${suite.baseUrl}/v2/Services`, {
    method: 'POST',
    headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'FriendlyName=Fuzz',
  });
  twilio = { basic, service: ((await created.json()) as { sid: string }).sid };
});
afterAll(async () => {
  await suite?.stop();
});

const jsonish = fc.oneof(
  fc.json(),
  fc.string(),
  fc.constantFrom('', '{', '[]', 'null', '{"identifier":', '\u0000', '{"code":"123456"}', '{"identifier":"alice"}'),
  fc
    .record(
      {
        identifier: fc.oneof(fc.constantFrom('alice', 'bob', 'carol', 'nobody'), fc.string(), fc.integer()),
        purpose: fc.oneof(fc.constantFrom('login', 'transaction', 'message'), fc.string()),
        transaction: fc.anything(),
        message: fc.anything(),
        code: fc.oneof(fc.stringMatching(/^\d{6}$/), fc.string(), fc.integer()),
        type: fc.oneof(fc.constant('totp'), fc.string()),
        channel: fc.oneof(fc.constantFrom('sms', 'totp', 'reverse-sms'), fc.string()),
        label: fc.string(),
      },
      { requiredKeys: [] },
    )
    .map((o) => JSON.stringify(o)),
);

const path = fc.oneof(
  fc.constant('/v1/verifications'),
  fc.stringMatching(/^[0-9a-f]{32}$/).map((h) => `/v1/verifications/ve_${h}`),
  fc.string().map((s) => `/v1/verifications/${encodeURIComponent(s)}`),
  fc.string().map((s) => `/v1/verifications/${encodeURIComponent(s)}/check`),
  fc.string().map((s) => `/v1/verifications/${encodeURIComponent(s)}/cancel`),
  fc.string().map((s) => `/v1/verifications/${encodeURIComponent(s)}/resend`),
  fc.constant('/v1/payments'),
  fc.constant('/v1/factors'),
  fc.string().map((s) => `/v1/factors?identifier=${encodeURIComponent(s)}`),
  fc.stringMatching(/^[0-9a-f]{32}$/).map((h) => `/v1/factors/fa_${h}`),
  fc.string().map((s) => `/v1/factors/${encodeURIComponent(s)}/confirm`),
  fc.constant('/v1/sessions'),
  fc.constant('/v1/registered-messages'),
  fc.constant('/v1/webhooks'),
  fc.string().map((s) => `/v1/webhooks/${encodeURIComponent(s)}/deliveries`),
  fc.string().map((s) => `/v1/registered-messages/${encodeURIComponent(s)}/open`),
  fc.string().map((s) => `/v1/sessions/${encodeURIComponent(s)}`),
  fc.string().map((s) => `/v1/sessions/${encodeURIComponent(s)}/heartbeat`),
  fc.stringMatching(/^[0-9a-f]{32}$/).map((h) => `/v1/payments/pa_${h}`),
  fc.string().map((s) => `/v1/payments/${encodeURIComponent(s)}`),
  fc
    .tuple(fc.string(), fc.string())
    .map(([who, p]) => `/v1/subscribers/${encodeURIComponent(who)}/statement?period=${encodeURIComponent(p)}`),
  fc.constantFrom('alice', 'bob').map((who) => `/v1/subscribers/${who}/statement?period=2026-11`),
  fc.string().map((p) => `/v1/settlements?period=${encodeURIComponent(p)}`),
  fc.constantFrom(
    '/',
    '/v1',
    '/v1/verifications/',
    '/healthz',
    '/metrics',
    '/v1/verifications/%E0%A4%A',
    '/v1/../etc/passwd',
    '/v1/settlements?period=2026-11',
  ),
);

const headers = fc.record(
  {
    authorization: fc.oneof(
      fc.constant('GOOD'),
      fc.string().map((s) => `Bearer ${s}`),
      fc.constant('Bearer a.b.c'),
      fc.constant(''),
    ),
    'content-type': fc.constantFrom(
      'application/json',
      'text/plain',
      'application/json; charset=latin-7',
      'application/x-www-form-urlencoded',
      '',
    ),
  },
  { requiredKeys: [] },
);

/** Requests go out in batches this large, all at once: the server meets concurrency too, and the run takes less time. */
const inFlight = 8;

describe('fuzzed requests to every route', () => {
  it('never answer 5xx, and every error is problem+json', async () => {
    const seen = new Map<number, number>();
    const request = fc.tuple(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'), path, headers, jsonish);
    const send = async ([method, p, h, body]: [string, string, Partial<Record<string, string>>, string]) => {
      const sent: Record<string, string> = {};
      for (const [k, v] of Object.entries(h)) {
        if (v) {
          sent[k] = v === 'GOOD' ? `Bearer ${suite.token()}` : v.replace(/[^\x20-\x7e]/g, '');
        }
      }
      const res = await fetch(`${suite.baseUrl}${p}`, { method, headers: sent, ...(method === 'GET' ? {} : { body }) });
      const text = await res.text();
      seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
      if (res.status >= 500) {
        throw new Error(`${method} ${p} → ${res.status}: ${text}`);
      }
      if (res.status >= 400 && !(res.headers.get('content-type') ?? '').includes('application/problem+json')) {
        throw new Error(`${method} ${p} → ${res.status} without problem+json`);
      }
    };
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: inFlight, maxLength: inFlight }), async (batch) => {
        await Promise.all(batch.map(send));
      }),
      { numRuns: 5000 / inFlight },
    );
    // The run reached the routes behind authentication, not only the 401 wall.
    expect([...seen.keys()].some((s) => s === 200 || s === 201)).toBe(true);
    expect(seen.get(400)).toBeGreaterThan(0);
  }, 300_000);
});

const form = fc.oneof(
  fc.string(),
  fc.constantFrom('', '=', '&&', 'To=%', 'To=%2B33612345678&Channel=sms', 'Code=123456&To=%2B33612345678', 'Status=canceled'),
  fc
    .dictionary(
      fc.constantFrom(
        'To',
        'Channel',
        'Code',
        'Amount',
        'Payee',
        'Locale',
        'CustomCode',
        'Status',
        'VerificationSid',
        'FriendlyName',
        'CodeLength',
        'Identity',
        'FactorType',
        'FactorSid',
        'AuthPayload',
        'Config.CodeLength',
        'Details.Message',
      ),
      fc.oneof(fc.string(), fc.constantFrom('+33612345678', 'sms', 'call', '€1.00', '123456', 'canceled', 'approved', 'alice', 'totp')),
    )
    .map((o) => new URLSearchParams(o).toString()),
);
const twilioPath = fc.oneof(
  fc.constant('/v2/Services'),
  fc.constant('SERVICE'),
  fc.constant('SERVICE/Verifications'),
  fc.constant('SERVICE/VerificationCheck'),
  fc.stringMatching(/^[0-9a-f]{32}$/).map((h) => `SERVICE/Verifications/VE${h}`),
  fc.string().map((s) => `/v2/Services/${encodeURIComponent(s)}`),
  fc.string().map((s) => `SERVICE/Verifications/${encodeURIComponent(s)}`),
  fc.constantFrom('SERVICE/Entities', 'SERVICE/Entities/alice', 'SERVICE/Entities/alice/Factors', 'SERVICE/Entities/alice/Challenges'),
  fc.string().map((s) => `SERVICE/Entities/${encodeURIComponent(s)}/Factors`),
  fc.stringMatching(/^[0-9a-f]{32}$/).map((h) => `SERVICE/Entities/alice/Factors/YF${h}`),
  fc.stringMatching(/^[0-9a-f]{32}$/).map((h) => `SERVICE/Entities/alice/Challenges/YC${h}`),
  fc.string().map((s) => `SERVICE/Entities/alice/Challenges/${encodeURIComponent(s)}`),
  fc.constantFrom('/v2/Attempts', '/v2/Attempts/Summary', '/v2/Attempts?Status=converted&PageSize=2'),
  fc.stringMatching(/^[0-9a-f]{32}$/).map((h) => `/v2/Attempts/VL${h}`),
  fc
    .tuple(fc.constantFrom('ChannelData.To', 'DateCreatedAfter', 'Country', 'Page', 'PageSize', 'VerificationSid'), fc.string())
    .map(([k, v]) => `/v2/Attempts?${new URLSearchParams({ [k]: v }).toString()}`),
  fc.constantFrom('/v2', '/v2/', '/v2/Accounts', '/v2/Services/%E0%A4%A'),
);

describe('fuzzed requests to the Twilio-compatible surface', () => {
  it("never answer 5xx, and every error has Twilio's shape", async () => {
    const seen = new Map<number, number>();
    const request = fc.tuple(
      fc.constantFrom('GET', 'POST', 'DELETE'),
      twilioPath,
      fc.oneof(
        fc.constant('GOOD'),
        fc.string().map((s) => `Basic ${Buffer.from(s).toString('base64')}`),
        fc.constant(''),
      ),
      fc.constantFrom('application/x-www-form-urlencoded', 'application/json', ''),
      form,
    );
    const send = async ([method, p, auth, type, body]: [string, string, string, string, string]) => {
      // Deleting the service every other request uses would leave the rest answering 404.
      const service = method === 'DELETE' && p === 'SERVICE' ? `VA${'0'.repeat(32)}` : twilio.service;
      const url = `${suite.baseUrl}${p.replace('SERVICE', `/v2/Services/${service}`)}`;
      const headers: Record<string, string> = {};
      if (auth) {
        headers.authorization = auth === 'GOOD' ? twilio.basic : auth;
      }
      if (type) {
        headers['content-type'] = type;
      }
      const res = await fetch(url, { method, headers, ...(method === 'GET' ? {} : { body }) });
      const text = await res.text();
      seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
      if (res.status >= 500) {
        throw new Error(`${method} ${p} → ${res.status}: ${text}`);
      }
      if (res.status >= 400 && typeof (JSON.parse(text) as { code?: unknown }).code !== 'number') {
        throw new Error(`${method} ${p} → ${res.status} without a Twilio error code: ${text}`);
      }
    };
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: inFlight, maxLength: inFlight }), async (batch) => {
        await Promise.all(batch.map(send));
      }),
      { numRuns: 2000 / inFlight },
    );
    expect([...seen.keys()].some((s) => s === 200 || s === 201)).toBe(true);
    expect(seen.get(401)).toBeGreaterThan(0);
  }, 300_000);
});
