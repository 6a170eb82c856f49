import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * Shows the country code, the first national digit and the last two digits, grouped as the
 * country writes numbers: `+33612345678` → `+33 6 •• •• •• 78`. A number libphonenumber does
 * not know keeps only its first two and last two digits.
 */
export function maskAddress(address: string): string {
  const parsed = parsePhoneNumberFromString(address);
  if (parsed?.isValid()) {
    const national = parsed.formatInternational().slice(parsed.countryCallingCode.length + 2);
    const digits = national.replace(/\D/g, '').length;
    let seen = 0;
    const masked = national.replace(/\d/g, (d) => {
      seen += 1;
      return seen === 1 || seen > digits - 2 ? d : '•';
    });
    return `+${parsed.countryCallingCode} ${masked}`;
  }
  const digits = address.replace(/^\+/, '');
  if (digits.length < 6) {
    return '•'.repeat(digits.length);
  }
  return `+${digits.slice(0, 2)}${'•'.repeat(digits.length - 4)}${digits.slice(-2)}`;
}
