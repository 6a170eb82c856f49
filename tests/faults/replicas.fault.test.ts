import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { burst, deadLetters, settle, transaction, type ScenarioResult } from './burst';
import { startHarness, webhookSlotsPerMerchant, type Harness, type ServiceName } from './harness';
import {
  capturedOf,
  deliveriesOf,
  duplicatesByWindow,
  eventsMissing,
  notCapturedOnce,
  receiptsCrossed,
  refusedKnownReceipts,
  settled,
  tallyWebhooks,
} from './replica-invariants';
import { table } from './table';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver';

// Two replicas of each service on one broker, Redis and database, as a deployment scales out;
// one of each is killed mid-burst and the burst goes on against the others. Then every accepted
// request is followed to its end: its SMS, its receipt (which the SMSC sends to the bind of the
// replica that did not submit), its payment and ledger, and the merchant's webhooks.
const size = { verifications: 300, payments: 30, concurrency: 24, faultAfterAccepted: 100 };
const cardBalance = 1e9; // every payer's card, as the harness opens it
const logDir = mkdtempSync(join(tmpdir(), 'outband-replicas-'));
jest.setTimeout(180_000);
let h: Harness;
let receiver: WebhookReceiver;

interface ReplicaResult extends ScenarioResult {
  smsWindow: number;
  receiptsCrossed: string;
  receiptsResent: number;
  webhookEvents: number;
  webhookRedelivered: number;
}
const results: ReplicaResult[] = [];

beforeAll(async () => {
  // Each login and each payment goes to a subscriber of its own: one SMS is due per handset.
  h = await startHarness({ subscribers: size.verifications, logDir, replicas: { information: 2, data: 2, message: 2 } });
  receiver = await startWebhookReceiver(() => [0, 1].flatMap((i) => h.pid('data', i) ?? []));
  const registered = await fetch(`${h.baseUrl}/v1/webhooks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${h.token()}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      url: receiver.url,
      events: ['verification.approved', 'verification.canceled', 'message.delivered', 'message.failed', 'payment.*'],
    }),
  });
  expect(registered.status).toBe(201);
}, 180_000);
afterAll(async () => {
  const cols: Array<keyof ReplicaResult> = [
    'scenario',
    'accepted',
    'lost',
    'duplicates',
    'smsWindow',
    'receiptsCrossed',
    'receiptsResent',
    'paymentsAccepted',
    'paymentsCaptured',
    'ledgerDuplicates',
    'webhookEvents',
    'webhookRedelivered',
    'deadLetters',
  ];
  console.log(`replicas (service logs in ${logDir})\n${table(results, cols)}`);
  await receiver?.close();
  await h?.close();
}, 120_000);

it('kill -9 of one replica of each service mid-burst: nothing accepted is lost, nothing is done twice', async () => {
  const survivor = h.pid('data', 0);
  const killed = h.pid('data', 1);
  const accepted = await burst(h, size, async () => {
    await Promise.all((['information', 'data', 'message'] satisfies ServiceName[]).map((s) => h.stop(s, 'SIGKILL', 1)));
  });
  const r = await settle(h, 'kill -9 one replica of each', accepted);
  const verificationIds = [...accepted.verifications.map((v) => v.id), ...accepted.payments.map((p) => p.verificationId)];

  const killedTap = h.smpp[1];
  if (!killedTap) {
    throw new Error('the harness runs one message server');
  }
  // Every receipt applied, whichever replica's bind it came on (the signal: all delivered).
  const deliveries = await settled(
    () => deliveriesOf(h, verificationIds),
    (d) => d.smsMissing.length + d.notApplied.length === 0,
    60_000,
  );
  const paymentIds = accepted.payments.map((p) => p.id);
  const captured = await capturedOf(h, paymentIds);
  // Each event the merchant should hear of, heard (the signal: nothing left to deliver).
  const webhooks = await settled(
    async () => ({
      tally: await tallyWebhooks(h, receiver.calls, survivor === undefined ? [] : [survivor]),
      missing: eventsMissing(receiver.calls, verificationIds, captured),
    }),
    (w) => w.tally.lost.length + w.missing.length === 0,
    60_000,
  );
  const window = await duplicatesByWindow(h, killedTap);
  const crossed = receiptsCrossed(h.smpp);
  const result: ReplicaResult = {
    ...r,
    deadLetters: await deadLetters(h),
    smsWindow: window.inside,
    receiptsCrossed: crossed.join('/'),
    receiptsResent: h.sim.stats().receiptResends,
    webhookEvents: webhooks.tally.events,
    webhookRedelivered: webhooks.tally.twice.length,
  };
  results.push(result);

  expect({
    lost: result.lost,
    smsMissing: deliveries.smsMissing,
    receiptsNotApplied: deliveries.notApplied,
    knownReceiptsRefused: await refusedKnownReceipts(h),
    smsTwiceOutsideWindow: window.outside,
    paymentsNotCapturedOnce: notCapturedOnce(h, paymentIds, captured, transaction.amount, cardBalance),
    ledgerDuplicates: result.ledgerDuplicates,
    webhooksLost: webhooks.tally.lost,
    webhookEventsMissing: webhooks.missing,
    webhookTriesUncounted: webhooks.tally.uncounted,
    // Delivered twice only when the sender died between the endpoint's answer and its record.
    webhooksTwiceWithoutKill: webhooks.tally.twice.filter((e) => !webhooks.tally.twiceAfterKill.includes(e)),
    deadLetters: result.deadLetters,
  }).toEqual({
    lost: 0,
    smsMissing: [],
    receiptsNotApplied: [],
    knownReceiptsRefused: [],
    smsTwiceOutsideWindow: [],
    paymentsNotCapturedOnce: [],
    ledgerDuplicates: 0,
    webhooksLost: [],
    webhookEventsMissing: [],
    webhookTriesUncounted: [],
    webhooksTwiceWithoutKill: [],
    deadLetters: 0,
  });
  expect(result.paymentsCaptured).toBe(result.paymentsAccepted);
  expect(result.duplicates).toBeLessThanOrEqual(window.inside);
  // Those are among the tries the killed server had under way: only its calls can come from no running process.
  expect(webhooks.tally.twiceAfterKill.length).toBeLessThanOrEqual(webhookSlotsPerMerchant);
  expect(webhooks.tally.bySender.get(undefined) ?? 0).toBeLessThanOrEqual(webhookSlotsPerMerchant);

  // What shows that both replicas of each did the work the invariants are about.
  expect(accepted.verifications.length).toBeGreaterThan(size.faultAfterAccepted);
  expect(crossed.every((n) => n > 0)).toBe(true);
  expect(killed !== undefined && (webhooks.tally.bySender.get(killed) ?? 0) > 0).toBe(true);
  expect(survivor !== undefined && (webhooks.tally.bySender.get(survivor) ?? 0) > 0).toBe(true);
});
