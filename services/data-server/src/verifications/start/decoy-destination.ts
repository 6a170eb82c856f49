import { createHash } from 'node:crypto';
import { getExampleNumber, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';
import type { VerificationStartV1 } from '@outband/contracts';

// Tries before falling back to the country's example number: a random national number is a
// valid mobile one often enough (about 1 in 7 in France) that this is never reached in practice.
const tries = 256;

/**
 * The number a decoy pretends to send to, fixed by the decoy hash so the same identifier always
 * shows the same one. A number the merchant typed (Twilio's `To`, or an identifier that is a valid
 * E.164 number) is its own destination: it passes the same send guards, with the same answers, as
 * the same number of a subscriber, and is masked in its own country's format. Any other identifier
 * gets a valid mobile number of `country`, with the leading digits real numbers have there, not
 * one fixed pattern.
 */
export function decoyDestination(
  decoy: string,
  identifier: string,
  kind: VerificationStartV1['identifierKind'],
  country: CountryCode,
): string {
  if (kind === 'address') {
    return identifier;
  }
  const typed = identifier.startsWith('+') ? parsePhoneNumberFromString(identifier) : undefined;
  if (typed?.isValid()) {
    return typed.number;
  }
  return plausibleMobile(decoy, country);
}

/** A valid mobile number of `country` drawn from `seed`, the same for the same seed. */
export function plausibleMobile(seed: string, country: CountryCode): string {
  const example = getExampleNumber(country, examples);
  if (!example) {
    throw new Error(`no example mobile number for ${country}`);
  }
  const length = example.nationalNumber.length;
  for (let i = 0; i < tries; i += 1) {
    const digits = createHash('sha256').update(`${seed}:${i}`).digest();
    const national = Array.from(digits.subarray(0, length), (b) => String(b % 10)).join('');
    const candidate = parsePhoneNumberFromString(`+${example.countryCallingCode}${national}`);
    const type = candidate?.isValid() ? candidate.getType() : undefined;
    if (candidate && (type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE')) {
      return candidate.number;
    }
  }
  return example.number;
}
