import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { AppError } from '@outband/errors';

/** Where a number lies: its country, calling code, and the range of 10,000 numbers it is in. */
export interface Destination {
  /** ISO 3166 region, e.g. FR. */
  country: string;
  /** E.164 calling code without +, e.g. 33. */
  callingCode: string;
  /** The number without its last four digits: what a pumping burst walks through. */
  range: string;
}

// Types toll fraud earns from (SMS pumping pays the owner of these ranges).
const refusedTypes = new Set(['PREMIUM_RATE', 'SHARED_COST']);

/**
 * Refuses a destination that no SMS should go to: a number libphonenumber does not know as
 * valid, a premium-rate or shared-cost number, or a country outside the merchant's allowed list
 * (`null`: every country).
 */
export function destinationOf(address: string, allowedCountries: readonly string[] | null): Destination {
  const parsed = parsePhoneNumberFromString(address);
  if (!parsed?.isValid() || !parsed.country) {
    throw new AppError('invalid_input', 'ADDRESS_INVALID', "the subscriber's number is not a valid phone number");
  }
  const type = parsed.getType();
  if (type && refusedTypes.has(type)) {
    throw new AppError('forbidden', 'ADDRESS_PREMIUM_RATE', "the subscriber's number is a premium-rate or shared-cost number");
  }
  if (allowedCountries && !allowedCountries.includes(parsed.country)) {
    throw new AppError('forbidden', 'COUNTRY_NOT_ALLOWED', `this merchant may not send codes to ${parsed.country} numbers`);
  }
  return { country: parsed.country, callingCode: parsed.countryCallingCode, range: parsed.number.slice(0, -4) };
}
