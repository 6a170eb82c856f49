import { respond } from './token';

const key32 = Buffer.from('12345678901234567890123456789012').toString('hex');
const env = { OUTBAND_TOKEN_KEY: key32 };

describe('the reference OCRA token', () => {
  it("answers the RFC's one-way and mutual vectors", () => {
    expect(respond(['--suite', 'OCRA-1:HOTP-SHA256-8:QA08', '--challenge', 'SIG10000'], env)).toBe('53095496');
    expect(respond(['--suite', 'OCRA-1:HOTP-SHA256-8:QA08', '--challenge', 'CLI22220', '--challenge', 'SRV11110'], env)).toBe('28247970');
    expect(
      respond(['--suite', 'OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1', '--challenge', '12345678', '--counter', '1', '--pin', '1234'], {
        OUTBAND_TOKEN_KEY: key32,
      }),
    ).toBe('86775851');
  });

  it('says what is missing or wrong', () => {
    expect(() => respond(['--suite', 'OCRA-1:HOTP-SHA256-8:QN08'], env)).toThrow(/--challenge/);
    expect(() => respond(['--suite', 'OCRA-1:HOTP-SHA256-8:QN08', '--challenge', '12345678'], {})).toThrow(/OUTBAND_TOKEN_KEY/);
    expect(() => respond(['--suite', 'OCRA-1:HOTP-SHA256-8:QN08', '--challenge', '12345678'], { OUTBAND_TOKEN_KEY: 'xyz' })).toThrow(/hex/);
    expect(() => respond(['--suite', 'OCRA-1:HOTP-MD5-8:QN08', '--challenge', '12345678'], env)).toThrow(/crypto function/);
    expect(() => respond(['--key', key32, '--suite', 'OCRA-1:HOTP-SHA256-8:QN08', '--challenge', '12345678'], env)).toThrow(/key/);
    expect(respond(['--help'])).toMatch(/^outband-token/);
  });
});
