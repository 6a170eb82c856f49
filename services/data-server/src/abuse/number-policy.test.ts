import { destinationOf } from './number-policy';

/** The stable code the call throws. */
function codeOf(call: () => unknown): string | undefined {
  try {
    call();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe('destinationOf', () => {
  it('accepts a valid mobile number and names its country and range', () => {
    expect(destinationOf('+33612345678', null)).toEqual({ country: 'FR', callingCode: '33', range: '+3361234' });
    expect(destinationOf('+4915112345678', ['DE', 'FR']).country).toBe('DE');
  });

  it('refuses invalid numbers', () => {
    for (const n of ['+33700000007', '+33123', '+999123456', 'not a number']) {
      expect(codeOf(() => destinationOf(n, null))).toBe('ADDRESS_INVALID');
    }
  });

  it('refuses premium-rate numbers', () => {
    expect(codeOf(() => destinationOf('+33899123456', null))).toBe('ADDRESS_PREMIUM_RATE');
    expect(codeOf(() => destinationOf('+19005550123', null))).toBe('ADDRESS_PREMIUM_RATE');
  });

  it('refuses countries outside the allowed list', () => {
    expect(codeOf(() => destinationOf('+4915112345678', ['FR']))).toBe('COUNTRY_NOT_ALLOWED');
  });
});
