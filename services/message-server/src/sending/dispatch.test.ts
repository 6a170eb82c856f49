import { smsRoute } from '../smpp-routing.config';
import type { SubmitResponse } from '../smpp/smpp-client';
import { encodeText } from '@outband/sms-codec';
import { dispatch, sourceOf, submitFields, type DispatchDeps, type Submitter } from './dispatch';

function pool(answers: Array<SubmitResponse | Error>, up = 1): Submitter & { calls: Array<Record<string, unknown>> } {
  const calls: Array<Record<string, unknown>> = [];
  return {
    up,
    calls,
    submit(fields) {
      calls.push(fields);
      const a = answers.shift() ?? { commandStatus: 0, messageId: `id${calls.length}` };
      return a instanceof Error ? Promise.reject(a) : Promise.resolve(a);
    },
  };
}

function deps(
  pools: Record<string, Submitter>,
  routes = [smsRoute.parse({ id: 'main', connection: 'a' }), smsRoute.parse({ id: 'backup', connection: 'b' })],
) {
  const recorded: Array<[number, string, string[], string, string | undefined]> = [];
  let n = 0;
  const d: DispatchDeps = {
    routes,
    pools: new Map(Object.entries(pools)),
    nextAttempt: () => Promise.resolve(++n),
    recordAttempt: (attempt, route, ids, state, error) => {
      recorded.push([attempt, route.id, ids, state, error]);
      return Promise.resolve();
    },
    reference: () => 7,
  };
  return { d, recorded };
}

const message = { address: '+33612345678', receiverKind: 'mobile' as const, purpose: 'login' as const, locale: 'en' as const };
const params = { code: '482913', expiresInSeconds: 300 };

describe('dispatch', () => {
  it('submits on the best route with explicit data_coding and a receipt request', async () => {
    const a = pool([]);
    const { d, recorded } = deps({ a, b: pool([]) });
    const r = await dispatch(d, message, params);
    expect(r).toEqual({ kind: 'submitted', attempt: 1, route: 'main', connection: 'a', smscIds: ['id1'] });
    expect(a.calls[0]).toMatchObject({
      data_coding: 0,
      registered_delivery: 1,
      destination_addr: '33612345678',
      source_addr: 'Outband',
      source_addr_ton: 5,
      esm_class: 0,
    });
    expect(recorded).toEqual([[1, 'main', ['id1'], 'submitted', undefined]]);
  });

  it('fails over to the next route when the first has no bind up', async () => {
    const { d } = deps({ a: pool([], 0), b: pool([]) });
    expect(await dispatch(d, message, params)).toMatchObject({ kind: 'submitted', route: 'backup', attempt: 1 });
  });

  it('fails over when a route throttles, and records the failed attempt', async () => {
    const { d, recorded } = deps({ a: pool([{ commandStatus: 0x58, messageId: '' }]), b: pool([]) });
    expect(await dispatch(d, message, params)).toMatchObject({ kind: 'submitted', route: 'backup', attempt: 2 });
    expect(recorded[0]).toEqual([1, 'main', [], 'failed', 'SMPP_SUBMIT_REFUSED: SMSC answered 0x00000058']);
  });

  it('does not fail over a message-level refusal (invalid destination): the message fails', async () => {
    const b = pool([]);
    const { d } = deps({ a: pool([{ commandStatus: 0x0b, messageId: '' }]), b });
    expect(await dispatch(d, message, params)).toMatchObject({
      kind: 'refused',
      route: 'main',
      error: expect.stringContaining('0x0000000b'),
    });
    expect(b.calls).toHaveLength(0);
  });

  it("reports unavailable with every route's reason when none takes the message", async () => {
    const { d } = deps({ a: pool([], 0), b: pool([Object.assign(new Error('x'), {})]) });
    const r = await dispatch(d, message, params);
    expect(r).toEqual({ kind: 'unavailable', errors: ['main: no bind up', 'backup: submit failed: x'] });
  });

  it('refuses when no route serves the receiver', async () => {
    const routes = [smsRoute.parse({ id: 'pagers', connection: 'a', receiverKinds: ['pager-numeric'] })];
    const { d } = deps({ a: pool([]) }, routes);
    expect(await dispatch(d, message, params)).toMatchObject({ kind: 'refused', error: expect.stringContaining('NO_ROUTE') });
  });
});

describe('submitFields', () => {
  const route = smsRoute.parse({ id: 'r', connection: 'a', destNetworkType: 8 });
  it('marks UDH parts with esm_class 0x40', () => {
    const encoded = encodeText('a'.repeat(200), { reference: 3 });
    const fields = submitFields(route, '+33612345678', encoded, encoded.parts[0] ?? Buffer.alloc(0));
    expect(fields).toMatchObject({ esm_class: 0x40, dest_network_type: 8 });
    expect((fields.short_message as Buffer).subarray(0, 6)).toEqual(Buffer.from([5, 0, 3, 3, 2, 1]));
  });
  it('puts a payload-mode text in message_payload with an empty short_message', () => {
    const encoded = encodeText('a'.repeat(200), { reference: 3, longMessages: 'payload' });
    const fields = submitFields(route, '+33612345678', encoded, encoded.parts[0] ?? Buffer.alloc(0));
    expect((fields.short_message as Buffer).length).toBe(0);
    expect((fields.message_payload as Buffer).length).toBe(200);
  });
});

describe('sourceOf', () => {
  it('derives TON/NPI from the sender unless the route sets them', () => {
    expect(sourceOf(smsRoute.parse({ id: 'r', connection: 'a', sourceAddr: 'Outband' }))).toEqual({ addr: 'Outband', ton: 5, npi: 0 });
    expect(sourceOf(smsRoute.parse({ id: 'r', connection: 'a', sourceAddr: '38100' }))).toEqual({ addr: '38100', ton: 3, npi: 0 });
    expect(sourceOf(smsRoute.parse({ id: 'r', connection: 'a', sourceAddr: '+33612000000' }))).toEqual({
      addr: '33612000000',
      ton: 1,
      npi: 1,
    });
    expect(sourceOf(smsRoute.parse({ id: 'r', connection: 'a', sourceAddr: '38100', sourceTon: 0, sourceNpi: 1 }))).toEqual({
      addr: '38100',
      ton: 0,
      npi: 1,
    });
  });
});
