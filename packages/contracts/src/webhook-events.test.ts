import { paymentState } from './payments';
import {
  messageStateChanged,
  paymentTransitioned,
  registeredMessageRetrieved,
  verificationEnded,
  webhookEvent,
  type VerificationEndStatus,
  type WebhookEventDraft,
} from './webhook-events';
import { webhookEventType } from './webhooks';

const verification = { id: `ve_${'a'.repeat(32)}`, purpose: 'login' as const };
const messageId = '2b1e5f1c-9a43-4a57-9a51-3a6d1a1f0c11';
const paymentId = `pa_${'b'.repeat(32)}`;
const registeredId = `rm_${'c'.repeat(32)}`;
const ends: VerificationEndStatus[] = ['approved', 'max_attempts_reached', 'expired', 'canceled', 'session_closed'];

/** One of each event every builder makes, in each of its forms. */
const drafts: WebhookEventDraft[] = [
  ...ends.map((status) => verificationEnded(verification, status)),
  messageStateChanged({ messageId, verificationId: verification.id, state: 'delivered' }),
  messageStateChanged({ messageId, verificationId: verification.id, state: 'failed', error: '0x00000045' }),
  ...paymentState.options.map((to) => paymentTransitioned({ paymentId, to, cause: null })),
  paymentTransitioned({ paymentId, to: 'declined', cause: 'BANK_DECLINED' }),
  registeredMessageRetrieved(registeredId, 'alice'),
  registeredMessageRetrieved(registeredId, ''),
];

/** The body the webhook service delivers for a draft. */
const deliveredBody = (d: WebhookEventDraft) => ({
  id: `evt_${'d'.repeat(32)}`,
  type: d.type,
  createdAt: '2026-11-25T12:00:00.000Z',
  data: d.data,
});

describe('webhook events', () => {
  it.each(drafts.map((d) => [d.type, d] as const))('%s as built parses, every field kept', (_type, draft) => {
    const body = deliveredBody(draft);
    const schema = webhookEvent.options.find((o) => o.shape.type.value === draft.type);
    expect(schema?.parse(body)).toEqual(body);
    expect(webhookEvent.parse(body)).toEqual(body);
  });

  it('has one event per subscribable type, payment.* being every payment state', () => {
    const subscribable = webhookEventType.options.flatMap((t) =>
      t === 'payment.*' ? paymentState.options.map((s) => `payment.${s}`) : [t],
    );
    const schemas = webhookEvent.options.map((o) => o.shape.type.value);
    expect(new Set(schemas)).toEqual(new Set(subscribable));
    expect(schemas).toHaveLength(subscribable.length);
    expect(new Set(drafts.map((d) => d.type))).toEqual(new Set(schemas));
  });

  it('keeps the bodies and event keys merchants have always received', () => {
    expect(verificationEnded(verification, 'session_closed')).toEqual({
      type: 'verification.canceled',
      eventKey: `${verification.id}:session_closed`,
      data: { id: verification.id, status: 'session_closed', purpose: 'login' },
    });
    expect(verificationEnded(verification, 'max_attempts_reached').type).toBe('verification.failed');
    const failed = messageStateChanged({ messageId, verificationId: verification.id, state: 'failed', error: 'x' });
    expect([failed.eventKey, JSON.stringify(failed.data)]).toEqual([
      `${messageId}:failed`,
      `{"messageId":"${messageId}","verificationId":"${verification.id}","state":"failed","error":"x"}`,
    ]);
    expect(
      JSON.stringify(messageStateChanged({ messageId, verificationId: verification.id, state: 'delivered', error: '' }).data),
    ).not.toContain('error');
    const declined = paymentTransitioned({ paymentId, to: 'declined', cause: 'BANK_DECLINED' });
    expect([declined.type, declined.eventKey, JSON.stringify(declined.data)]).toEqual([
      'payment.declined',
      `${paymentId}:declined`,
      `{"id":"${paymentId}","state":"declined","cause":"BANK_DECLINED"}`,
    ]);
    expect(registeredMessageRetrieved(registeredId, 'alice')).toEqual({
      type: 'registered_message.retrieved',
      eventKey: `${registeredId}:retrieved`,
      data: { id: registeredId, from: 'alice' },
    });
  });

  it('refuses a body whose data does not match its type', () => {
    const approved = deliveredBody(verificationEnded(verification, 'approved'));
    expect(webhookEvent.safeParse({ ...approved, data: { ...approved.data, status: 'expired' } }).success).toBe(false);
    expect(webhookEvent.safeParse({ ...approved, type: 'verification.nope' }).success).toBe(false);
  });
});
