import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { api, eventually, readCode } from '../support/http';
import { setPolicy, startPayment } from '../support/payments';
import { startSuite, subscribers, type Suite } from '../support/suite';

interface Received {
  path: string;
  body: string;
  signature: string;
  type: string;
}

/** The merchant's webhook receiver: records every call, answers `status()`. */
let received: Received[] = [];
let status = () => 200;
let receiver: Server;
let url = '';
let suite: Suite;
beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({
        path: String(req.url),
        body,
        signature: String(req.headers['outband-signature']),
        type: String(req.headers['outband-event-type']),
      });
      res.writeHead(status()).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  suite = await startSuite({ env: { WEBHOOK_RETRY_BASE_MS: '200', WEBHOOK_POLL_MS: '100', WEBHOOK_GIVE_UP_SECONDS: '2' } });
});
afterAll(async () => {
  await suite?.stop();
  await new Promise((r) => receiver.close(r));
});
beforeEach(() => {
  received = [];
  status = () => 200;
  suite.sim.inbox.clear();
});

const register = async (events: string[]) => {
  const created = await api(suite, 'POST', '/v1/webhooks', { body: { url, events } });
  expect(created.status).toBe(201);
  return created.body as { id: string; secret: string };
};
const approveLogin = async () => {
  const v = (await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'alice' } })).body;
  const code = await readCode(suite, subscribers.alice.address, 1);
  await api(suite, 'POST', `/v1/verifications/${v.id as string}/check`, { body: { code } });
  return v.id as string;
};
const verifies = (r: Received, secret: string) => {
  const [t, v1] = r.signature.split(',').map((part) => part.split('=')[1]);
  return v1 === createHmac('sha256', secret).update(`${t}.${r.body}`).digest('hex');
};
const arrived = (type: string) => eventually(async () => Promise.resolve(received.find((r) => r.type === type)), 10_000);

describe('webhooks', () => {
  it('sends a signed event the merchant can verify with its secret', async () => {
    const endpoint = await register(['verification.approved']);
    expect(endpoint.secret).toMatch(/^whsec_/);
    const id = await approveLogin();
    const event = await arrived('verification.approved');
    expect(verifies(event, endpoint.secret)).toBe(true);
    expect(verifies(event, 'whsec_other')).toBe(false);
    expect(JSON.parse(event.body)).toMatchObject({ type: 'verification.approved', data: { id, status: 'approved' } });
    await api(suite, 'DELETE', `/v1/webhooks/${endpoint.id}`);
  });

  it('retries with backoff until the endpoint answers, and records every attempt', async () => {
    const endpoint = await register(['verification.approved']);
    let calls = 0;
    status = () => (++calls <= 2 ? 500 : 200);
    await approveLogin();
    const delivery = await eventually(async () => {
      const list = (await api(suite, 'GET', `/v1/webhooks/${endpoint.id}/deliveries`)).body.deliveries as Array<Record<string, unknown>>;
      return list.find((d) => d.status === 'delivered');
    }, 10_000);
    expect(delivery).toMatchObject({ attempts: 3, lastStatusCode: 200 });
    expect(received.filter((r) => r.type === 'verification.approved')).toHaveLength(3);
    await api(suite, 'DELETE', `/v1/webhooks/${endpoint.id}`);
  });

  it('keeps undelivered events across a data-server restart, gives up after the window, and replays on demand', async () => {
    const endpoint = await register(['verification.approved']);
    status = () => 503;
    await approveLogin();
    await arrived('verification.approved');
    await suite.restartDataServer();
    const failed = await eventually(async () => {
      const list = (await api(suite, 'GET', `/v1/webhooks/${endpoint.id}/deliveries`)).body.deliveries as Array<Record<string, unknown>>;
      return list.find((d) => d.status === 'failed');
    }, 10_000);
    expect(failed.lastStatusCode).toBe(503);
    status = () => 200;
    received = [];
    expect((await api(suite, 'POST', `/v1/webhooks/deliveries/${failed.id as number}/replay`)).status).toBe(200);
    await arrived('verification.approved');
    await api(suite, 'DELETE', `/v1/webhooks/${endpoint.id}`);
  });

  it('signs with the new secret once it is rotated', async () => {
    const endpoint = await register(['verification.approved']);
    const rotated = (await api(suite, 'POST', `/v1/webhooks/${endpoint.id}/rotate`)).body.endpoints as Array<{ secret: string }>;
    const secret = rotated[0]?.secret ?? '';
    expect(secret).not.toBe(endpoint.secret);
    await approveLogin();
    const event = await arrived('verification.approved');
    expect(verifies(event, secret)).toBe(true);
    expect(verifies(event, endpoint.secret)).toBe(false);
    await api(suite, 'DELETE', `/v1/webhooks/${endpoint.id}`);
  });

  it('sends every state of a payment to a payment.* endpoint, and only what it asked for', async () => {
    const endpoint = await register(['payment.*']);
    await setPolicy(suite, { limitAmount: 10_000 });
    await startPayment(
      suite,
      { kind: 'card', identifier: 'alice', cardToken: 'tok_alice' },
      { amount: 500, currency: 'EUR', payee: 'Kiosk' },
    );
    await arrived('payment.captured');
    // Another endpoint takes the login's event: once it has it, the payment endpoint would have had it too.
    const probe = await api(suite, 'POST', '/v1/webhooks', { body: { url: `${url}/probe`, events: ['verification.approved'] } });
    expect(probe.status).toBe(201);
    await approveLogin();
    expect((await arrived('verification.approved')).path).toBe('/hooks/probe');
    // Both endpoints' deliveries were queued together: once every one was tried, none is still on its way.
    await eventually(async () => {
      const deliveries = (await api(suite, 'GET', `/v1/webhooks/${endpoint.id}/deliveries`)).body.deliveries as Array<{ status: string }>;
      return deliveries.every((d) => d.status === 'delivered') || undefined;
    });
    const toPayments = received.filter((r) => r.path === '/hooks');
    expect(toPayments.map((r) => r.type).sort()).toEqual(['payment.authorized', 'payment.captured', 'payment.created']);
    await api(suite, 'DELETE', `/v1/webhooks/${endpoint.id}`);
    await api(suite, 'DELETE', `/v1/webhooks/${String(probe.body.id)}`);
  });

  it("reports the delivery receipt of a code's SMS", async () => {
    const endpoint = await register(['message.delivered']);
    const v = (await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'alice' } })).body;
    const event = await arrived('message.delivered');
    expect(JSON.parse(event.body)).toMatchObject({ type: 'message.delivered', data: { verificationId: v.id, state: 'delivered' } });
    await api(suite, 'DELETE', `/v1/webhooks/${endpoint.id}`);
  });

  it('tells the sender when the addressee opened a registered message', async () => {
    const endpoint = await register(['registered_message.retrieved']);
    const sent = await api(suite, 'POST', '/v1/registered-messages', {
      body: { from: 'alice', to: { identifier: 'bob' }, content: { text: 'Notice of termination' } },
    });
    const id = sent.body.id as string;
    await api(suite, 'POST', `/v1/registered-messages/${id}/confirm`, {
      body: { code: await readCode(suite, subscribers.alice.address, 1) },
    });
    await api(suite, 'POST', `/v1/registered-messages/${id}/retrieve`);
    await api(suite, 'POST', `/v1/registered-messages/${id}/open`, { body: { code: await readCode(suite, subscribers.bob.address, 2) } });
    const event = await arrived('registered_message.retrieved');
    expect(verifies(event, endpoint.secret)).toBe(true);
    expect(JSON.parse(event.body)).toMatchObject({ data: { id, from: 'alice' } });
    expect(event.body).not.toContain('termination');
    await api(suite, 'DELETE', `/v1/webhooks/${endpoint.id}`);
  });

  it('refuses a bad URL or event, and an unknown endpoint', async () => {
    expect((await api(suite, 'POST', '/v1/webhooks', { body: { url: 'ftp://x', events: ['payment.*'] } })).status).toBe(400);
    expect((await api(suite, 'POST', '/v1/webhooks', { body: { url, events: ['nope'] } })).status).toBe(400);
    expect((await api(suite, 'DELETE', `/v1/webhooks/we_${'0'.repeat(32)}`)).body.code).toBe('WEBHOOK_NOT_FOUND');
  });
});
