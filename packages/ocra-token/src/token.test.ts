import { respond } from './token';

const key32 = Buffer.from('12345678901234567890123456789012').toString('hex');

describe('the reference OCRA token', () => {
  it("answers the RFC's one-way and mutual vectors", () => {
    expect(respond(['--suite', 'OCRA-1:HOTP-SHA256-8:QA08', '--key', key32, '--challenge', 'SIG10000'])).toBe('53095496');
    expect(respond(['--suite', 'OCRA-1:HOTP-SHA256-8:QA08', '--key', key32, '--challenge', 'CLI22220', '--challenge', 'SRV11110'])).toBe(
      '28247970',
    );
    expect(
      respond(['--suite', 'OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1', '--challenge', '12345678', '--counter', '1', '--pin', '1234'], {
        OUTBAND_TOKEN_KEY: key32,
      }),
    ).toBe('86775851');
  });

  it('says what is missing or wrong', () => {
    expect(() => respond(['--suite', 'OCRA-1:HOTP-SHA256-8:QN08', '--key', key32])).toThrow(/--challenge/);
    expect(() => respond(['--suite', 'OCRA-1:HOTP-SHA256-8:QN08', '--key', 'xyz', '--challenge', '12345678'])).toThrow(/hex/);
    expect(() => respond(['--suite', 'OCRA-1:HOTP-MD5-8:QN08', '--key', key32, '--challenge', '12345678'])).toThrow(/crypto function/);
    expect(() => respond(['--bogus'])).toThrow(/bogus/);
    expect(respond(['--help'])).toMatch(/^outband-token/);
  });
});
