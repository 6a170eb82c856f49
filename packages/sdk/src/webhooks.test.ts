import { createHmac } from 'node:crypto';
import { verifyWebhook, type WebhookEvent } from './webhooks';

const approved = { id: `ve_${'a'.repeat(32)}`, status: 'approved', purpose: 'login' };
const body = JSON.stringify({
  id: `evt_${'e'.repeat(32)}`,
  type: 'verification.approved',
  createdAt: '2026-11-25T00:00:00.000Z',
  data: approved,
});
const now = new Date('2026-11-25T12:00:00Z');
const t = Math.floor(now.getTime() / 1000);
/** The code of the error `f` throws. */
function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as { code: string }).code;
  }
  return 'accepted';
}
const sign = (secret: string, at = t, payload = body) =>
  `t=${at},v1=${createHmac('sha256', secret).update(`${at}.${payload}`).digest('hex')}`;

describe('verifyWebhook', () => {
  it('accepts a body signed with the endpoint secret and parses it', () => {
    expect(verifyWebhook(body, sign('s3cret'), 's3cret', { now }).data).toEqual(approved);
  });

  it('types the data by the event type, or as the caller says', () => {
    const event = verifyWebhook(body, sign('s3cret'), 's3cret', { now });
    // Narrowing on `type` is what types `data`: these lines compile only if it does.
    const status: 'approved' | undefined = event.type === 'verification.approved' ? event.data.status : undefined;
    const state = (e: WebhookEvent<`payment.${string}`>) => e.data.state;
    expect([status, state]).toEqual(['approved', expect.any(Function)]);
    expect(verifyWebhook<{ purpose: string }>(body, sign('s3cret'), 's3cret', { now }).data.purpose).toBe('login');
  });

  it('accepts either secret during a rotation', () => {
    expect(verifyWebhook(Buffer.from(body), sign('old'), ['new', 'old'], { now }).type).toBe('verification.approved');
  });

  it.each([
    ['another secret', sign('other'), 'WEBHOOK_SIGNATURE_INVALID'],
    ['no header', undefined, 'WEBHOOK_SIGNATURE_INVALID'],
    ['a malformed header', 'v1=abc', 'WEBHOOK_SIGNATURE_INVALID'],
    ['a truncated signature', sign('s3cret').slice(0, -2), 'WEBHOOK_SIGNATURE_INVALID'],
    ['an old timestamp', sign('s3cret', t - 301), 'WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE'],
  ])('refuses %s', (_name, header, code) => {
    expect(refusal(() => verifyWebhook(body, header, 's3cret', { now }))).toBe(code);
  });

  it('refuses a body changed after signing', () => {
    expect(refusal(() => verifyWebhook(body.replace('approved', 'canceled'), sign('s3cret'), 's3cret', { now }))).toBe(
      'WEBHOOK_SIGNATURE_INVALID',
    );
  });
});
