import { hotp, matchTotp, totp, totpStep } from './hotp';
import { base32, fromBase32 } from './base32';

const seed20 = Buffer.from('12345678901234567890', 'ascii');
const seed32 = Buffer.from('12345678901234567890123456789012', 'ascii');
const seed64 = Buffer.from('1234567890123456789012345678901234567890123456789012345678901234', 'ascii');

describe('HOTP (RFC 4226 Appendix D)', () => {
  it('gives the RFC values for counters 0-9', () => {
    const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
    expect(expected.map((_, c) => hotp(seed20, BigInt(c)))).toEqual(expected);
  });

  it('refuses fewer than six or more than ten digits', () => {
    expect(() => hotp(seed20, 0n, 5)).toThrow(/6 to 10/);
    expect(() => hotp(seed20, 0n, 11)).toThrow(/6 to 10/);
  });
});

describe('TOTP (RFC 6238 Appendix B)', () => {
  // Time (s), then SHA-1, SHA-256 and SHA-512 values, 8 digits, 30 s steps.
  const table: Array<[number, string, string, string]> = [
    [59, '94287082', '46119246', '90693936'],
    [1111111109, '07081804', '68084774', '25091201'],
    [1111111111, '14050471', '67062674', '99943326'],
    [1234567890, '89005924', '91819424', '93441116'],
    [2000000000, '69279037', '90698825', '38618901'],
    [20000000000, '65353130', '77737706', '47863826'],
  ];

  it.each(table)('at %d s', (time, sha1, sha256, sha512) => {
    expect(totp(seed20, time, { digits: 8 })).toBe(sha1);
    expect(totp(seed32, time, { digits: 8, hash: 'sha256' })).toBe(sha256);
    expect(totp(seed64, time, { digits: 8, hash: 'sha512' })).toBe(sha512);
  });

  it('counts the steps as the RFC does (T = 000000000273EF07 at 1234567890 s)', () => {
    expect(totpStep(1234567890).toString(16).toUpperCase()).toBe('273EF07');
  });

  it('matches a code one step away either side, and never a used step again', () => {
    const now = 1_700_000_000;
    const previous = totp(seed20, now - 30);
    const next = totp(seed20, now + 30);
    const step = totpStep(now);
    expect(matchTotp(seed20, totp(seed20, now), now)).toBe(step);
    expect(matchTotp(seed20, previous, now)).toBe(step - 1n);
    expect(matchTotp(seed20, next, now)).toBe(step + 1n);
    expect(matchTotp(seed20, totp(seed20, now - 60), now)).toBeUndefined();
    expect(matchTotp(seed20, totp(seed20, now - 60), now, { window: 2 })).toBe(step - 2n);
    expect(matchTotp(seed20, totp(seed20, now), now, { usedStep: step })).toBeUndefined();
    expect(matchTotp(seed20, next, now, { usedStep: step })).toBe(step + 1n);
    expect(matchTotp(seed20, '12345', now)).toBeUndefined();
  });
});

describe('base32 (RFC 4648 §10)', () => {
  it('encodes and decodes the RFC examples', () => {
    const examples: Array<[string, string]> = [
      ['', ''],
      ['f', 'MY'],
      ['fo', 'MZXQ'],
      ['foo', 'MZXW6'],
      ['foob', 'MZXW6YQ'],
      ['fooba', 'MZXW6YTB'],
      ['foobar', 'MZXW6YTBOI'],
    ];
    for (const [plain, encoded] of examples) {
      expect(base32(Buffer.from(plain))).toBe(encoded);
      expect(fromBase32(`${encoded}===`).toString()).toBe(plain);
    }
    expect(base32(seed20)).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    expect(() => fromBase32('MZ1W')).toThrow(/base32/);
  });
});
