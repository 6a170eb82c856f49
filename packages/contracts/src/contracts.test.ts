import { dataRpcRequest, messageSendV1 } from './index';
import { seal, unseal } from './sealed-field';

const ring = [{ id: 'b1', key: Buffer.alloc(32, 3) }];

describe('message schemas', () => {
  it('accepts a valid start request and refuses an unknown type', () => {
    const ok = dataRpcRequest.safeParse({
      type: 'verification.start',
      version: 1,
      merchantId: 'm1',
      identifier: 'alice',
      purpose: 'login',
    });
    expect(ok.success).toBe(true);
    const bad = dataRpcRequest.safeParse({ type: 'verification.nope', version: 1 });
    expect(bad.success).toBe(false);
  });

  it('refuses a message.send whose address is not E.164', () => {
    const r = messageSendV1.safeParse({
      type: 'message.send',
      version: 1,
      messageId: '2b1e5f1c-9a43-4a57-9a51-3a6d1a1f0c11',
      verificationId: `ve_${'a'.repeat(32)}`,
      merchantId: 'm1',
      address: '0612345678',
      receiverKind: 'mobile',
      purpose: 'login',
      locale: 'en',
      sealedCode: 'x',
      expiresInSeconds: 300,
    });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain('address');
  });

  it('takes a message.send with a sealed code or a notice, not both nor neither', () => {
    const base = {
      type: 'message.send',
      version: 1,
      messageId: '2b1e5f1c-9a43-4a57-9a51-3a6d1a1f0c11',
      verificationId: `ve_${'a'.repeat(32)}`,
      merchantId: 'm1',
      address: '+33612345678',
      receiverKind: 'mobile',
      purpose: 'login',
      locale: 'en',
      expiresInSeconds: 300,
    };
    expect(messageSendV1.safeParse({ ...base, sealedCode: 'x' }).success).toBe(true);
    expect(messageSendV1.safeParse({ ...base, notice: 'lockout_warning' }).success).toBe(true);
    expect(messageSendV1.safeParse({ ...base, sealedCode: 'x', notice: 'lockout_warning' }).success).toBe(false);
    expect(messageSendV1.safeParse(base).success).toBe(false);
  });
});

describe('sealed field', () => {
  it('round-trips and hides the plaintext', () => {
    const s = seal(ring, '482913', 'msg-1');
    expect(s).not.toContain('482913');
    expect(unseal(ring, s, 'msg-1')).toBe('482913');
  });

  it('refuses another context, a tampered value or an unknown key id', () => {
    const s = seal(ring, '482913', 'msg-1');
    expect(() => unseal(ring, s, 'msg-2')).toThrow(/authentication/);
    const parts = s.split('.');
    const tampered = [parts[0], parts[1], parts[2], Buffer.from('999999').toString('base64url')].join('.');
    expect(() => unseal(ring, tampered, 'msg-1')).toThrow(/authentication/);
    expect(() => unseal([{ id: 'other', key: Buffer.alloc(32) }], s, 'msg-1')).toThrow(/unknown key id/);
  });

  it('opens values sealed with an older key of the ring after rotation', () => {
    const old = seal(ring, '123456', 'm');
    const rotated = [{ id: 'b2', key: Buffer.alloc(32, 9) }, ...ring];
    expect(unseal(rotated, old, 'm')).toBe('123456');
  });
});
