import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Outband, OutbandError, verifyWebhook } from '@outband/sdk';
import { eventually, readCode } from '../support/http';
import { startSuite, subscribers, type Suite } from '../support/suite';
import { laterMessage } from '../support/signals';

// The SDK against the real information server: its own tokens, typed answers and errors,
// retries that never start a second verification, webhook signatures.
let suite: Suite;
let client: Outband;
beforeAll(async () => {
  suite = await startSuite({ env: { JWT_REQUIRE_JTI: 'true', WEBHOOK_POLL_MS: '100' } });
  client = sdk();
});
afterAll(async () => {
  await suite?.stop();
});
beforeEach(() => {
  suite.sim.inbox.clear();
});

function sdk(extra: Partial<ConstructorParameters<typeof Outband>[0]> = {}): Outband {
  return new Outband({
    baseUrl: suite.baseUrl,
    merchantId: suite.merchant.id,
    key: { kid: suite.merchant.kid, alg: 'HS256', secret: suite.merchant.secret },
    retryBaseMs: 10,
    ...extra,
  });
}

describe('@outband/sdk', () => {
  it('starts and approves a login with fresh single-use tokens', async () => {
    const v = await client.verifications.start({ identifier: 'alice' });
    expect(v).toMatchObject({ status: 'pending', purpose: 'login', to: '+33 6 •• •• •• 78' });
    const wrong = await client.verifications.check(v.id, { code: '000000' });
    expect(wrong.cause?.code).toBe('CODE_MISMATCH');
    const code = await readCode(suite, subscribers.alice.address);
    expect((await client.verifications.check(v.id, { code })).status).toBe('approved');
    expect((await client.verifications.get(v.id)).status).toBe('approved');
  });

  it('signs a transaction and reads the payment-free view back', async () => {
    const transaction = { amount: 4200, currency: 'EUR', payee: 'Shop' };
    const v = await client.verifications.start({ identifier: 'bob', purpose: 'transaction', transaction });
    expect(v.transaction).toEqual(transaction);
    const code = await readCode(suite, subscribers.bob.address);
    const tampered = await client.verifications.check(v.id, { code, transaction: { ...transaction, amount: 4201 } });
    expect(tampered.cause?.code).toBe('TRANSACTION_MISMATCH');
    expect((await client.verifications.check(v.id, { code, transaction })).status).toBe('approved');
  });

  it('throws typed problem errors with their stable codes', async () => {
    const unknown = await client.verifications.get('ve_00000000000000000000000000000000').catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(OutbandError);
    expect(unknown).toMatchObject({ status: 404, code: 'VERIFICATION_NOT_FOUND' });
    // @ts-expect-error: the types refuse a body the server would refuse
    const invalid = await client.verifications.start({ identifier: 'alice', purpose: 'nope' }).catch((e: unknown) => e);
    expect(invalid).toMatchObject({ status: 400, code: 'INVALID_INPUT' });
    expect((invalid as OutbandError).problem.errors?.[0]?.field).toBe('purpose');
    const foreign = sdk({ key: { kid: suite.merchant.kid, alg: 'HS256', secret: Buffer.alloc(32, 1).toString('base64') } });
    await expect(foreign.verifications.start({ identifier: 'alice' })).rejects.toMatchObject({ status: 401, code: 'TOKEN_INVALID' });
  });

  it('retries a POST whose answer was lost with the same idempotency key: one verification, one SMS', async () => {
    let calls = 0;
    const keys: string[] = [];
    const lossy = sdk({
      fetch: async (input, init) => {
        calls += 1;
        keys.push(new Headers(init?.headers).get('idempotency-key') ?? '');
        const res = await fetch(input, init);
        if (calls === 1) {
          await res.text();
          throw new TypeError('fetch failed: socket hang up'); // the server did the work; the answer is lost
        }
        return res;
      },
    });
    const v = await lossy.verifications.start({ identifier: 'alice' });
    expect(calls).toBe(2);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
    await readCode(suite, subscribers.alice.address);
    expect((await client.verifications.get(v.id)).status).toBe('pending');
    // A later code to the same handset arrives second: the retry sent no code of its own before it.
    const later = await laterMessage(
      suite,
      subscribers.alice.address,
      async () => (await client.verifications.start({ identifier: 'alice' })).id,
    );
    expect(later.inbox).toHaveLength(2);
    expect((await client.verifications.check(later.id, { code: later.code })).status).toBe('approved');
  });

  it('gives up after its retries with a network error, and retries 503 answers', async () => {
    let calls = 0;
    const down = sdk({
      maxRetries: 2,
      fetch: () => {
        calls += 1;
        return Promise.resolve(
          new Response('{"code":"BROKER_UNAVAILABLE","status":503}', { status: 503, headers: { 'retry-after': '0' } }),
        );
      },
    });
    await expect(down.verifications.get('ve_00000000000000000000000000000000')).rejects.toMatchObject({ code: 'BROKER_UNAVAILABLE' });
    expect(calls).toBe(3);
    const unreachable = sdk({ baseUrl: 'http://127.0.0.1:9', maxRetries: 1 });
    await expect(unreachable.sessions.get('se_00000000000000000000000000000000')).rejects.toMatchObject({ name: 'OutbandNetworkError' });
  });

  it('covers sessions, webhooks and settlements', async () => {
    const s = await client.sessions.open({ identifier: 'alice' });
    expect((await client.sessions.heartbeat(s.id)).status).toBe('open');
    expect((await client.sessions.end(s.id)).status).toBe('closed');
    const settlement = await client.settlement('2026-11');
    expect(settlement).toMatchObject({ merchantId: suite.merchant.id, period: '2026-11', lines: [] });

    const received: Array<{ body: string; signature: string }> = [];
    const receiver: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ body, signature: String(req.headers['outband-signature']) });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
      const endpoint = await client.webhooks.register({ url, events: ['verification.canceled'] });
      expect(endpoint.secret).toMatch(/.{20,}/);
      const v = await client.verifications.start({ identifier: 'bob' });
      await client.verifications.cancel(v.id);
      const delivery = await eventually(async () => Promise.resolve(received[0]), 10_000);
      const event = verifyWebhook<{ id: string; status: string }>(delivery.body, delivery.signature, endpoint.secret ?? '');
      expect(event).toMatchObject({ type: 'verification.canceled', data: { id: v.id, status: 'canceled' } });
      const forged = (() => {
        try {
          return verifyWebhook(delivery.body.replace('canceled', 'approved'), delivery.signature, endpoint.secret ?? '');
        } catch (e) {
          return e;
        }
      })();
      expect(forged).toMatchObject({ code: 'WEBHOOK_SIGNATURE_INVALID' });
      const listed = await client.webhooks.list();
      expect(listed.endpoints?.map((e) => e.id)).toContain(endpoint.id);
      const deliveries = await client.webhooks.deliveries(endpoint.id);
      expect(deliveries.deliveries?.[0]?.status).toBe('delivered');
      await client.webhooks.remove(endpoint.id);
    } finally {
      await new Promise((r) => receiver.close(r));
    }
  });
});
