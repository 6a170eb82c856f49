import { createHmac } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { AppError } from '@outband/errors';
import { verifiedAddressClaim } from './address-claim';
import type { ClaimKey } from './claim-key';
import { ecKeyPair, rsaKeyPair } from './pem-key-pairs';

const ec = ecKeyPair('P-256');
const rsa = rsaKeyPair(2048);
const otherEc = ecKeyPair('P-256');

const keys: ClaimKey[] = [
  { kid: 'ec1', alg: 'ES256', key: ec.publicKey },
  { kid: 'rsa1', alg: 'RS256', key: rsa.publicKey },
];
const now = new Date('2030-01-01T00:00:00Z');
const nowSeconds = now.getTime() / 1000;
const maxLifetime = 300;
const claim = { phone_number: '+33612345678', aud: 'shop', iat: nowSeconds - 10, exp: nowSeconds + 110 };

/** Signs the claims given, leaving out those set to undefined (jsonwebtoken would add `iat`). */
function signed(payload: Record<string, unknown>, kid = 'ec1', privateKey = ec.privateKey, algorithm: 'ES256' | 'RS256' = 'ES256'): string {
  const claims = Object.fromEntries(Object.entries(payload).filter(([, v]) => v !== undefined));
  return jwt.sign(claims, privateKey, { algorithm, keyid: kid, noTimestamp: claims['iat'] === undefined });
}

/** A token built by hand, for algorithms jsonwebtoken would not sign with these keys. */
function handMade(header: object, payload: object, sign: (input: string) => string): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${part(header)}.${part(payload)}`;
  return `${input}.${sign(input)}`;
}

function verify(token: string, trusted: readonly ClaimKey[] | null = keys) {
  return verifiedAddressClaim(token, 'shop', trusted, now, maxLifetime);
}

/** The refusal's message, after checking it is `ADDRESS_CLAIM_INVALID` and never quotes the token. */
function refusal(token: string, trusted: readonly ClaimKey[] | null = keys): string {
  try {
    verify(token, trusted);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ kind: 'invalid_input', code: 'ADDRESS_CLAIM_INVALID' });
    const message = (err as AppError).message;
    expect(message).not.toContain(token);
    return message;
  }
  throw new Error('the claim was accepted');
}

describe('an address claim', () => {
  it('is accepted when signed with a trusted ES256 key', () => {
    expect(verify(signed(claim))).toEqual({
      address: '+33612345678',
      subject: null,
      claimId: null,
      issuer: null,
      expiresAt: new Date((nowSeconds + 110) * 1000),
    });
  });

  it('is accepted when signed with a trusted RS256 key, with its subject, id and issuer', () => {
    const token = signed({ ...claim, sub: 'customer-42', jti: 'c-1', iss: 'https://idp.bank.example' }, 'rsa1', rsa.privateKey, 'RS256');
    expect(verify(token)).toMatchObject({
      address: '+33612345678',
      subject: 'customer-42',
      claimId: 'c-1',
      issuer: 'https://idp.bank.example',
    });
  });

  it('is accepted when its audiences include the merchant', () => {
    expect(verify(signed({ ...claim, aud: ['other-shop', 'shop'] })).address).toBe('+33612345678');
  });

  it('is accepted just past its expiry, within the clock tolerance', () => {
    expect(verify(signed({ ...claim, iat: nowSeconds - 100, exp: nowSeconds - 20 })).address).toBe('+33612345678');
  });

  it('is refused when the merchant trusts no key', () => {
    expect(refusal(signed(claim), null)).toMatch(/trusts no key/);
    expect(refusal(signed(claim), [])).toMatch(/trusts no key/);
  });

  it('is refused when its kid names no trusted key', () => {
    expect(refusal(signed(claim, 'k9'))).toMatch(/key "k9" is not one the operator trusts/);
    expect(refusal(jwt.sign(claim, ec.privateKey, { algorithm: 'ES256', noTimestamp: true }))).toMatch(/names no key/);
  });

  it('is refused when signed by another key than the one its kid names', () => {
    expect(refusal(signed(claim, 'ec1', otherEc.privateKey))).toMatch(/signature does not verify with key "ec1"/);
  });

  it('is refused once expired', () => {
    expect(refusal(signed({ ...claim, iat: nowSeconds - 120, exp: nowSeconds - 60 }))).toMatch(/expired at 2029-12-31T23:59:00/);
  });

  it('is refused when it lives longer than accepted, or was issued ahead', () => {
    expect(refusal(signed({ ...claim, iat: nowSeconds - 10, exp: nowSeconds + 291 }))).toMatch(/lives 301 s/);
    expect(refusal(signed({ ...claim, iat: nowSeconds + 3600, exp: nowSeconds + 3700 }))).toMatch(/issued in the future/);
    expect(refusal(signed({ ...claim, iat: undefined }))).toMatch(/"exp" and "iat"/);
    expect(refusal(signed({ ...claim, exp: undefined }))).toMatch(/"exp" and "iat"/);
  });

  it('is refused when minted for another merchant', () => {
    expect(refusal(signed({ ...claim, aud: 'other-shop' }))).toMatch(/not for this merchant \("aud"\)/);
    expect(refusal(signed({ ...claim, aud: ['other-shop'] }))).toMatch(/not for this merchant/);
    expect(refusal(signed({ ...claim, aud: undefined }))).toMatch(/not for this merchant/);
  });

  it('is refused without an E.164 phone_number', () => {
    expect(refusal(signed({ ...claim, phone_number: undefined }))).toMatch(/no E\.164 "phone_number"/);
    expect(refusal(signed({ ...claim, phone_number: '0612345678' }))).toMatch(/no E\.164 "phone_number"/);
    expect(refusal(signed({ ...claim, phone_number: 33612345678 }))).toMatch(/no E\.164 "phone_number"/);
  });

  it('is refused unsigned (alg none)', () => {
    const token = handMade({ alg: 'none', typ: 'JWT', kid: 'ec1' }, claim, () => '');
    expect(refusal(token)).toMatch(/signed with "none", key "ec1" verifies ES256 only/);
  });

  it('is refused when HMAC-signed with the public key as the secret (algorithm confusion)', () => {
    const token = handMade({ alg: 'HS256', typ: 'JWT', kid: 'rsa1' }, claim, (input) =>
      createHmac('sha256', rsa.publicKey).update(input).digest('base64url'),
    );
    expect(refusal(token)).toMatch(/signed with "HS256", key "rsa1" verifies RS256 only/);
  });

  it('is refused when not a JWT, or when a field has the wrong type', () => {
    expect(refusal('not-a-jwt')).toMatch(/not a JWT/);
    expect(refusal(signed({ ...claim, sub: 42 }))).toMatch(/"sub" must be a string/);
  });
});
