import { randomBytes } from 'node:crypto';
import { bindingHash, deriveCode, macOfCode } from './code-derivation';
import { maskAddress } from '../mask-address';
import { parseOcraSuite } from '@outband/otp';

const key = { id: 'k1', key: Buffer.alloc(32, 5) };
const suite = parseOcraSuite('OCRA-1:HOTP-SHA256-6:QH64-S064-T1M');
const vid = `ve_${'0123456789abcdef'.repeat(2)}`;
const binding = { merchantId: 'm1', identifier: 'alice', purpose: 'login', verificationId: vid };

describe('code derivation', () => {
  it('gives a 6-digit code that depends on the nonce', () => {
    const now = new Date('2026-11-25T10:00:00Z');
    const h = bindingHash(binding);
    const a = deriveCode(suite, key, h, vid, Buffer.alloc(32, 1), now);
    expect(a).toMatch(/^\d{6}$/);
    expect(deriveCode(suite, key, h, vid, Buffer.alloc(32, 1), now)).toBe(a);
    const others = new Set(Array.from({ length: 20 }, () => deriveCode(suite, key, h, vid, randomBytes(32), now)));
    expect(others.size).toBeGreaterThan(15);
  });

  it('changes the binding hash when any bound datum changes', () => {
    const h = bindingHash(binding);
    expect(bindingHash({ ...binding, identifier: 'bob' })).not.toBe(h);
    expect(bindingHash({ ...binding, merchantId: 'm2' })).not.toBe(h);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
  });

  it('binds a transaction: any change of amount, currency, payee, items or accounts changes the hash', () => {
    const tx = { amount: 1250, currency: 'EUR', payee: 'Shop', items: [{ name: 'Bread', quantity: 2 }], accounts: { from: 'A', to: 'B' } };
    const h = bindingHash({ ...binding, purpose: 'transaction', transaction: tx });
    expect(bindingHash({ ...binding, purpose: 'transaction', transaction: { ...tx } })).toBe(h);
    const changed = [
      { ...tx, amount: 1251 },
      { ...tx, currency: 'USD' },
      { ...tx, payee: 'Shop2' },
      { ...tx, items: [{ name: 'Bread', quantity: 3 }] },
      { ...tx, accounts: { from: 'A', to: 'C' } },
    ];
    for (const t of changed) {
      expect(bindingHash({ ...binding, purpose: 'transaction', transaction: t })).not.toBe(h);
    }
  });

  it('MACs the code under the verification id, so a MAC cannot serve another verification', () => {
    const m = macOfCode(key, vid, '123456');
    expect(m).not.toContain('123456');
    expect(macOfCode(key, vid.replace('0', '1'), '123456')).not.toBe(m);
  });
});

describe('maskAddress', () => {
  it('keeps the country code, the first national digit and the last two, grouped as the country writes them', () => {
    expect(maskAddress('+33612345678')).toBe('+33 6 •• •• •• 78');
    expect(maskAddress('+4915112345678')).toBe('+49 1••• •••••78');
    expect(maskAddress('+14155550123')).toBe('+1 4•• ••• ••23');
  });

  it('masks a number it cannot parse all the same', () => {
    expect(maskAddress('+447700900123')).toBe('+44••••••••23');
  });
});
