import { createPublicKey, type KeyObject } from 'node:crypto';
import { AppError } from '@outband/errors';

/** A public key the operator trusts to sign a merchant's address claims (e.g. its bank's identity provider). */
export interface ClaimKey {
  /** Matched against the `kid` of a claim's header. */
  kid: string;
  /** The only algorithm the key verifies with. */
  alg: 'RS256' | 'ES256';
  /** PEM public key. */
  key: string;
}

const minRsaBits = 2048;

/**
 * Throws `KEY_INVALID` unless the key is a PEM public key of its algorithm's type: RSA of at
 * least 2048 bits for RS256, P-256 for ES256. Checked when the operator sets it, so a claim is
 * never refused for a key that could not have verified anything.
 */
export function assertUsableClaimKey(claimKey: ClaimKey): void {
  const refused = (why: string) => new AppError('invalid_input', 'KEY_INVALID', `claim key "${claimKey.kid}": ${why}`);
  // createPublicKey derives the public half of a private key: one pasted by mistake must not be stored.
  if (claimKey.key.includes('PRIVATE KEY')) {
    throw refused('this is a private key: give its public key');
  }
  let key: KeyObject;
  try {
    key = createPublicKey(claimKey.key);
  } catch {
    throw refused('not a PEM public key');
  }
  const details = key.asymmetricKeyDetails;
  switch (claimKey.alg) {
    case 'RS256':
      if (key.asymmetricKeyType !== 'rsa') {
        throw refused(`RS256 takes an RSA key, not ${key.asymmetricKeyType ?? 'this one'}`);
      }
      if ((details?.modulusLength ?? 0) < minRsaBits) {
        throw refused(`an RSA key must have at least ${minRsaBits} bits`);
      }
      return;
    case 'ES256':
      if (key.asymmetricKeyType !== 'ec') {
        throw refused(`ES256 takes an EC key, not ${key.asymmetricKeyType ?? 'this one'}`);
      }
      if (details?.namedCurve !== 'prime256v1') {
        throw refused(`ES256 takes a P-256 key, not ${details?.namedCurve ?? 'this curve'}`);
      }
      return;
  }
}
