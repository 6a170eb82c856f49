import { randomBytes, timingSafeEqual } from 'node:crypto';
import { ocra, ocraChallenge, parseOcraSuite, type OcraSuite } from '@outband/otp';
import { algorithmOf, type FactorRecord } from './factor.repository';

const keySizes = { sha1: 20, sha256: 32, sha512: 64 } as const;

/** A new OCRA token's key, as long as the suite's hash (RFC 6287 §7.1 leans on RFC 4226's advice). */
export function newOcra(suite: OcraSuite): {
  secret: Buffer;
  settings: Pick<FactorRecord, 'algorithm' | 'digits' | 'periodSeconds' | 'suite'>;
} {
  return {
    secret: randomBytes(keySizes[suite.hash]),
    settings: {
      algorithm: algorithmOf(suite.hash),
      digits: suite.digits,
      periodSeconds: null,
      suite: suite.text,
    },
  };
}

/** The challenge whose response confirms a new token: fixed by its key and id, so nothing more is stored. */
export function confirmChallenge(f: FactorRecord, key: Buffer): string {
  return ocraChallenge(parseOcraSuite(f.suite ?? ''), key, `confirm:${f.id}`);
}

/** The token's response to `challenge`. */
export function ocraResponse(f: FactorRecord, key: Buffer, challenge: string): string {
  return ocra(parseOcraSuite(f.suite ?? ''), key, { question: challenge });
}

/** Whether `typed` is the token's response to `challenge`, compared in constant time. */
export function answersChallenge(f: FactorRecord, key: Buffer, challenge: string, typed: string): boolean {
  const expected = Buffer.from(ocraResponse(f, key, challenge));
  const given = Buffer.from(typed);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
