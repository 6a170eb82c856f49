/** NIST SP 800-63B: fewer than 6 digits is too easy to guess, whatever a client asks for. */
export const minCodeLength = 6;

/**
 * The fewest digits a merchant's codes may have: the length its policy sets (or, without one,
 * the installation's suite), and never under {@link minCodeLength}. A client such as a Twilio
 * service may ask for longer codes, never for shorter ones.
 */
export function codeLengthFloor(policyLength: number | null, suiteDigits: number): number {
  return Math.max(minCodeLength, policyLength ?? suiteDigits);
}
