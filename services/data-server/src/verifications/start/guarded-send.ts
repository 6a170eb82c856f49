import { isAppError } from '@outband/errors';

// Refusals that come from the destination number, not from the merchant's own request.
const guardRefusals = new Set(['ADDRESS_INVALID', 'ADDRESS_PREMIUM_RATE', 'COUNTRY_NOT_ALLOWED', 'RANGE_BLOCKED', 'COUNTRY_RATE_LIMITED']);

/**
 * Runs a send guard; nothing is sent to a number it refuses. A refusal of a number the merchant
 * typed (`typed`) is answered as is: it is the same for anyone's number. A refusal of the number
 * found for an identifier would prove that the identifier subscribes (a decoy is never refused),
 * so its code is withheld instead. Returns the refusal's code, or null when the number passed.
 */
export async function guarded(typed: boolean, check: () => Promise<void>): Promise<string | null> {
  try {
    await check();
    return null;
  } catch (e) {
    if (typed || !isAppError(e) || !guardRefusals.has(e.code)) {
      throw e;
    }
    return e.code;
  }
}
