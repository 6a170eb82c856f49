import { assertUsableClaimKey, type ClaimKey } from './claim-key';
import { ecKeyPair, rsaKeyPair } from './pem-key-pairs';

const p256 = ecKeyPair('P-256');
const p384 = ecKeyPair('P-384');
const rsa2048 = rsaKeyPair(2048);
const rsa1024 = rsaKeyPair(1024);

function refusal(key: ClaimKey): unknown {
  try {
    assertUsableClaimKey(key);
  } catch (err) {
    return err;
  }
  throw new Error('the key was accepted');
}

describe('a claim key set by the operator', () => {
  it('is accepted as an RSA public key of 2048 bits for RS256, or a P-256 public key for ES256', () => {
    expect(() => assertUsableClaimKey({ kid: 'r', alg: 'RS256', key: rsa2048.publicKey })).not.toThrow();
    expect(() => assertUsableClaimKey({ kid: 'e', alg: 'ES256', key: p256.publicKey })).not.toThrow();
  });

  it.each([
    ['a private key', { kid: 'k', alg: 'ES256', key: p256.privateKey }, /private key/],
    ['text that is no PEM', { kid: 'k', alg: 'ES256', key: 'nope' }, /not a PEM public key/],
    ['an EC key for RS256', { kid: 'k', alg: 'RS256', key: p256.publicKey }, /RS256 takes an RSA key, not ec/],
    ['an RSA key for ES256', { kid: 'k', alg: 'ES256', key: rsa2048.publicKey }, /ES256 takes an EC key, not rsa/],
    ['a short RSA key', { kid: 'k', alg: 'RS256', key: rsa1024.publicKey }, /at least 2048 bits/],
    ['a P-384 key for ES256', { kid: 'k', alg: 'ES256', key: p384.publicKey }, /P-256 key, not secp384r1/],
  ] satisfies Array<[string, ClaimKey, RegExp]>)('is refused when it is %s', (_, key, reason) => {
    expect(refusal(key)).toMatchObject({ kind: 'invalid_input', code: 'KEY_INVALID', message: expect.stringMatching(reason) as unknown });
    expect(refusal(key)).toMatchObject({ message: expect.stringContaining('claim key "k"') as unknown });
  });
});
