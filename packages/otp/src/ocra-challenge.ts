import { createHmac } from 'node:crypto';
import type { OcraSuite } from './ocra';

/**
 * A challenge for `suite` derived from `data` under `key`: digits for a numeric or alphanumeric
 * question, hex digits for a hex one, as long as the suite takes but at most `length` (people
 * type it into a token). The same key and data always give the same challenge.
 */
export function ocraChallenge(suite: OcraSuite, key: Buffer, data: string, length = 8): string {
  const size = Math.min(suite.question.maxLength, length);
  const mac = createHmac('sha256', key).update(data).digest();
  if (suite.question.format === 'H') {
    return mac.toString('hex').slice(0, size);
  }
  // Reduce 8 bytes at a time: digits of a 64-bit value are near enough uniform for 10 or fewer.
  const digits = (mac.readBigUInt64BE(0) % 10n ** BigInt(size)).toString();
  return digits.padStart(size, '0');
}

/**
 * Whether `suite` can answer a challenge without inputs only the token holds over time (a
 * counter, a PIN, a session or the clock): the server then knows the one right response.
 */
export function isChallengeOnly(suite: OcraSuite): boolean {
  return !suite.counter && !suite.pinHash && suite.sessionLength === undefined && suite.timeStepSeconds === undefined;
}
