import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { decoyDelivery } from './decoy';
import { decoyDestination, plausibleMobile } from './decoy-destination';

describe('decoy destination', () => {
  it('is a valid mobile number of the country, the same for the same hash, not one pattern', () => {
    const numbers = Array.from({ length: 40 }, (_, i) => plausibleMobile(`seed-${i}`, 'FR'));
    for (const n of numbers) {
      expect(parsePhoneNumberFromString(n)?.getType()).toBe('MOBILE');
    }
    expect(plausibleMobile('seed-1', 'FR')).toBe(numbers[1]);
    expect(new Set(numbers.map((n) => n.slice(0, 4)))).toEqual(new Set(['+336', '+337']));
  });

  it('is the number typed, as an address or as an identifier that is one', () => {
    expect(decoyDestination('ab', '+4915199990000', 'address', 'FR')).toBe('+4915199990000');
    expect(decoyDestination('ab', '+4915199990000', 'identifier', 'FR')).toBe('+4915199990000');
    expect(decoyDestination('ab', 'nobody', undefined, 'FR')).toMatch(/^\+33[67]\d{8}$/);
  });
});

describe('decoy delivery', () => {
  it('goes queued, submitted, delivered over time', () => {
    const start = new Date(0);
    const at = (ms: number) => decoyDelivery('0123456789abcdef0123456789abcdef', start, new Date(ms)).state;
    expect([at(0), at(450), at(6000)]).toEqual(['queued', 'submitted', 'delivered']);
  });
});
