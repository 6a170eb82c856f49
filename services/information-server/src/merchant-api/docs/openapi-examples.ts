/**
 * One example request and answer per route of the OpenAPI document, keyed `method path` as the
 * routers write paths. openapi.test.ts parses each with the route's own zod schemas, so an
 * example that drifts from the API fails a test.
 */
export interface RouteExample {
  /** What the example shows, as the reference page titles it. */
  summary: string;
  request?: object;
  response: object;
}

const ids = {
  verification: 've_3f9c2a7e41b84d0c9a6e5b1f2d7c8e90',
  retrieval: 've_7a2d9c4e1b8f43a6d0e5c2b9f1a7d3e6',
  payment: 'pa_8b1e4c2d9f7a40e6b3c5d1a2e9f08c47',
  session: 'se_5d2f8a1c7e3b49d0a6c4e2f1b8d7a953',
  registered: 'rm_1a7c3e9b5d2f48a6c0e4b8d2f6a1c3e5',
  webhook: 'we_9e4b2d7f1c8a43e5b6d0a2c4e8f1b7d3',
  enrolment: 'en_2c8f1a6d3e9b47c0a5d2e8f4b1c7a396',
  enrolmentCode: 've_6e1b9d4a2c7f48e3b0d5a1c8e2f7b4d9',
  factor: 'fa_4d7e2a9c1b6f43e8a0c5d2b7e9f1a3c6',
};
const at = (minute: number) => `2026-03-02T10:${String(minute).padStart(2, '0')}:00.000Z`;
const alicePhone = '+33 6 •• •• •• 78';
const bobPhone = '+49 1••• •••••78';
const enrolment = {
  id: ids.enrolment,
  status: 'pending',
  identifier: 'dave',
  to: '+33 6 •• •• •• 33',
  createdAt: at(15),
  expiresAt: at(20),
  attemptsLeft: 5,
  verificationId: ids.enrolmentCode,
};
const factor = {
  id: ids.factor,
  identifier: 'alice',
  type: 'totp',
  status: 'unverified',
  label: 'alice',
  config: { algorithm: 'SHA1', digits: 6, periodSeconds: 30 },
  createdAt: at(15),
  updatedAt: at(15),
};
const pending = {
  id: ids.verification,
  status: 'pending',
  purpose: 'login',
  to: alicePhone,
  createdAt: at(15),
  expiresAt: at(20),
  attemptsLeft: 3,
  channel: 'sms',
  delivery: { state: 'delivered', updatedAt: at(15) },
};
const purchase = { amount: 10_600, currency: 'EUR', payee: 'Coffee Corner' };
const payment = {
  id: ids.payment,
  state: 'code_sent',
  securing: 'secured',
  source: 'card',
  ...purchase,
  verificationId: ids.verification,
  to: alicePhone,
  history: [
    { state: 'created', at: at(15) },
    { state: 'authorized', at: at(15) },
    { state: 'code_sent', at: at(15) },
  ],
  createdAt: at(15),
  updatedAt: at(15),
};
const session = { id: ids.session, status: 'open', openedAt: at(10), lastSeenAt: at(15), idleTimeoutSeconds: 900 };
const registered = {
  id: ids.registered,
  state: 'awaiting_confirmation',
  from: 'alice',
  to: bobPhone,
  digest: 'b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9',
  sizeBytes: 68,
  senderVerificationId: ids.verification,
  createdAt: at(15),
};
const endpoint = {
  id: ids.webhook,
  url: 'https://shop.example/outband/webhooks',
  events: ['verification.approved', 'payment.*'],
  createdAt: at(15),
};
const secret = 'whsec_q9Xw2b7Jm4Lk0Rt6Yp1Zs8Hc3Vd5Nf7Gu2Ea9Ki4Ob0';

export const routeExamples: Record<string, RouteExample> = {
  'post /v1/verifications': {
    summary: 'Send a login code to alice',
    request: { identifier: 'alice', purpose: 'login', locale: 'en' },
    response: pending,
  },
  'get /v1/verifications/:id': { summary: 'An approved verification', response: { ...pending, status: 'approved', attemptsLeft: 0 } },
  'post /v1/verifications/:id/check': {
    summary: 'The right code: approved (a wrong one answers 200 with `cause`)',
    request: { code: '482913' },
    response: { ...pending, status: 'approved', attemptsLeft: 0 },
  },
  'post /v1/verifications/:id/resend': {
    summary: 'A new code, in French',
    request: { locale: 'fr' },
    response: { ...pending, expiresAt: at(22), delivery: { state: 'submitted', updatedAt: at(17) } },
  },
  'post /v1/verifications/:id/cancel': { summary: 'Canceled', response: { ...pending, status: 'canceled', attemptsLeft: 0 } },
  'post /v1/payments': {
    summary: 'Charge 106.00 € to alice’s card, approved with a code',
    request: { source: { kind: 'card', identifier: 'alice', cardToken: 'tok_alice' }, transaction: purchase, locale: 'en' },
    response: payment,
  },
  'get /v1/payments/:id': {
    summary: 'A captured payment',
    response: {
      ...payment,
      state: 'captured',
      history: [...payment.history, { state: 'verified', at: at(16) }, { state: 'captured', at: at(16) }],
      updatedAt: at(16),
    },
  },
  'post /v1/sessions': {
    summary: 'Open a session for alice',
    request: { identifier: 'alice' },
    response: { ...session, lastSeenAt: at(10) },
  },
  'get /v1/sessions/:id': { summary: 'An open session', response: session },
  'post /v1/sessions/:id/heartbeat': { summary: 'Still there', response: { ...session, lastSeenAt: at(16) } },
  'delete /v1/sessions/:id': {
    summary: 'Ended by the merchant',
    response: { ...session, status: 'closed', closeReason: 'ended', closedAt: at(16), durationSeconds: 360 },
  },
  'post /v1/enrolments': {
    summary: 'dave proves he holds his new number',
    request: { identifier: 'dave', address: '+33611122233' },
    response: enrolment,
  },
  'get /v1/enrolments/:id': { summary: 'A pending enrolment', response: enrolment },
  'post /v1/enrolments/:id/confirm': {
    summary: 'dave types the code his phone received',
    request: { code: '482913' },
    response: { ...enrolment, status: 'confirmed', attemptsLeft: 0, confirmedAt: at(16) },
  },
  'post /v1/factors': {
    summary: 'alice adds her authenticator app',
    request: { identifier: 'alice', type: 'totp' },
    response: {
      ...factor,
      binding: {
        uri: 'otpauth://totp/Outband:alice?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Outband&algorithm=SHA1&digits=6&period=30',
        secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
        qr: { svg: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 37 37">…</svg>', png: 'data:image/png;base64,iVBORw0KGgo…' },
      },
    },
  },
  'get /v1/factors': { summary: "alice's factors", response: { factors: [{ ...factor, status: 'verified', verifiedAt: at(16) }] } },
  'get /v1/factors/:id': { summary: 'A factor not yet confirmed', response: factor },
  'post /v1/factors/:id/confirm': {
    summary: 'alice types the code her app shows',
    request: { code: '482913' },
    response: { ...factor, status: 'verified', verifiedAt: at(16) },
  },
  'delete /v1/factors/:id': { summary: 'alice removes her app', response: { ...factor, status: 'deleted', verifiedAt: at(16) } },
  'post /v1/registered-messages': {
    summary: 'alice deposits a notice for bob',
    request: {
      from: 'alice',
      to: { identifier: 'bob' },
      content: { subject: 'Notice of termination', text: 'I terminate the lease of the flat as of the end of June.' },
    },
    response: registered,
  },
  'get /v1/registered-messages/:id': {
    summary: 'A deposited message',
    response: { ...registered, state: 'deposited', depositedAt: at(16) },
  },
  'post /v1/registered-messages/:id/confirm': {
    summary: 'alice confirms with her code',
    request: { code: '482913' },
    response: { ...registered, state: 'deposited', depositedAt: at(16) },
  },
  'post /v1/registered-messages/:id/retrieve': {
    summary: 'A code is sent to bob',
    response: { ...registered, state: 'deposited', depositedAt: at(16), retrievalVerificationId: ids.retrieval },
  },
  'post /v1/registered-messages/:id/open': {
    summary: 'bob opens it with his code',
    request: { code: '731640' },
    response: {
      ...registered,
      state: 'retrieved',
      depositedAt: at(16),
      retrievalVerificationId: ids.retrieval,
      retrievedAt: at(18),
      content: { subject: 'Notice of termination', text: 'I terminate the lease of the flat as of the end of June.' },
    },
  },
  'post /v1/webhooks': {
    summary: 'Register an endpoint (the secret is shown once)',
    request: { url: endpoint.url, events: endpoint.events },
    response: { ...endpoint, secret },
  },
  'get /v1/webhooks': { summary: 'One endpoint', response: { endpoints: [endpoint] } },
  'delete /v1/webhooks/:id': { summary: 'The endpoints left', response: { endpoints: [] } },
  'post /v1/webhooks/:id/rotate': { summary: 'A new secret, shown once', response: { endpoints: [{ ...endpoint, secret }] } },
  'get /v1/webhooks/:id/deliveries': {
    summary: 'One delivery, delivered on the second try',
    response: {
      deliveries: [
        {
          id: 17,
          endpointId: ids.webhook,
          eventId: 'evt_0c4e8a2f6b1d9e3a7c5f0b2d4e6a8c1f',
          eventType: 'verification.approved',
          status: 'delivered',
          attempts: 2,
          lastStatusCode: 200,
          createdAt: at(16),
          deliveredAt: at(17),
        },
      ],
    },
  },
  'post /v1/webhooks/deliveries/:deliveryId/replay': { summary: 'Queued again', response: { deliveries: [] } },
  'get /v1/subscribers/:identifier/statement': {
    summary: 'alice’s February',
    response: {
      identifier: 'alice',
      period: '2026-02',
      entries: [{ bookedAt: '2026-02-14T09:30:00.000Z', kind: 'amount', amount: 10_600, currency: 'EUR', paymentId: ids.payment }],
      totals: [{ currency: 'EUR', amount: 10_600 }],
    },
  },
  'get /v1/settlements': {
    summary: 'February, 1.5 % service charge',
    response: {
      merchantId: 'coffee-corner',
      period: '2026-02',
      serviceChargeBasisPoints: 150,
      lines: [{ currency: 'EUR', payments: 42, gross: 250_000, serviceCharge: 3_750, net: 246_250 }],
      verificationFees: [{ currency: 'EUR', verifications: 1_200, amount: 6_000 }],
    },
  },
};
