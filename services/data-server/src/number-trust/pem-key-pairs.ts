import { generateKeyPairSync } from 'node:crypto';

/** A new EC key pair in PEM (tests of claims and of the keys an operator sets). */
export function ecKeyPair(namedCurve: string): { publicKey: string; privateKey: string } {
  return generateKeyPairSync('ec', {
    namedCurve,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

/** A new RSA key pair in PEM. */
export function rsaKeyPair(modulusLength: number): { publicKey: string; privateKey: string } {
  return generateKeyPairSync('rsa', {
    modulusLength,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}
