import { createHmac } from 'node:crypto';
import { verifyWebhook } from './webhooks';

const body = JSON.stringify({ id: 'ev_1', type: 'verification.approved', createdAt: '2026-11-25T00:00:00Z', data: { id: 've_1' } });
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
    expect(verifyWebhook(body, sign('s3cret'), 's3cret', { now }).data).toEqual({ id: 've_1' });
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
